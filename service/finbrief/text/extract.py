"""Article text out of an HTML page, shared by the Slack URL fetcher and the batch job's .html inputs.

trafilatura does the work (boilerplate removal, charset detection): maintained, and far better than
anything hand-written here.
"""

from __future__ import annotations

from typing import Any


def extract_article(
    html: bytes | str, url: str | None = None, *, tables: bool = True
) -> tuple[str, str | None]:
    """(text, title); text is "" when the page holds no article."""
    import trafilatura  # heavy import (lxml, dateparser): only when there is HTML to read

    doc: Any = trafilatura.bare_extraction(
        html, url=url, with_metadata=True, include_comments=False, include_tables=tables
    )
    if doc is None:
        return "", None
    return (doc.text or "").strip(), (doc.title or None)
