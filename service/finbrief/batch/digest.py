"""A digest people read: one section per article (headline, bullets, causes), then the failures.

Built from OUTPUT and OUTPUT.errors.jsonl after the run, not from memory, so a resumed job's digest
covers every article of the job. When an id has several lines (its content, model or prompts
changed between runs), the latest wins; an id that has a result is not listed as failed.
"""

from __future__ import annotations

import html
import os
from collections.abc import Iterator
from pathlib import Path

from ..schemas import BatchError, BatchRecord, CauseClaim, GroundedText

STANCE = {"supported": "says it moved the market", "rejected": "rejects it as the cause"}


def _lines(path: Path) -> Iterator[bytes]:
    if path.exists():
        with path.open("rb") as f:
            for raw in f:
                if raw.endswith(b"\n") and raw.strip():
                    yield raw


def load_latest(results: Path, errors: Path) -> tuple[list[BatchRecord], list[BatchError]]:
    records: dict[str, BatchRecord] = {}
    for raw in _lines(results):
        rec = BatchRecord.model_validate_json(raw)
        records.pop(rec.id, None)  # re-insert: keep the order of the latest line
        records[rec.id] = rec
    failures: dict[str, BatchError] = {}
    for raw in _lines(errors):
        err = BatchError.model_validate_json(raw)
        if err.id not in records:
            failures[err.id] = err
    return list(records.values()), list(failures.values())


def cause_text(c: CauseClaim) -> str:
    who = "the author" if c.claimant == "author" else c.claimant
    return f"{c.label.replace('_', ' ')} ({c.moved} {c.direction}): {who} {STANCE[c.stance]}"


def to_markdown(records: list[BatchRecord], failures: list[BatchError]) -> str:
    out = [f"# finbrief digest: {len(records)} articles, {len(failures)} failed", ""]
    for r in records:
        b = r.brief
        out += [f"## {b.headline_en}", "", f"`{r.id}`" + _byline(r), ""]
        out += [f"- {g.text} — 「{_source(g)}」" for g in b.summary] + [""]
        if b.causes:
            out += ["**Causes**", ""]
            out += [f"- {cause_text(c)}. *“{c.evidence_en or c.evidence_zh}”*" for c in b.causes] + [""]
    if failures:
        out += ["## Failed", ""]
        out += [f"- `{e.id}` ({e.where}): **{e.error}**: {e.message}" for e in failures] + [""]
    return "\n".join(out)


def to_html(records: list[BatchRecord], failures: list[BatchError]) -> str:
    e = html.escape
    title = f"finbrief digest: {len(records)} articles, {len(failures)} failed"
    out = [
        "<!doctype html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{e(title)}</title>",
        "<style>body{font:16px/1.5 system-ui,sans-serif;max-width:52rem;margin:2rem auto;padding:0 1rem}"
        "section{border-top:1px solid #ddd;padding:.5rem 0}.meta{color:#666;font-size:.85em}"
        ".rejected{color:#a33}.supported{color:#275}</style></head><body>",
        f"<h1>{e(title)}</h1>",
    ]
    for r in records:
        b = r.brief
        out += [f'<section id="{e(r.id)}">', f"<h2>{e(b.headline_en)}</h2>"]
        out.append(f'<p class="meta"><code>{e(r.id)}</code>{e(_byline(r))}</p>')
        out += [
            "<ul>",
            *[f'<li>{e(g.text)} <q lang="zh" class="meta">{e(_source(g))}</q></li>' for g in b.summary],
        ]
        out.append("</ul>")
        if b.causes:
            out += ["<h3>Causes</h3>", "<ul>"]
            out += [
                f'<li class="{c.stance}">{e(cause_text(c))}. <q>{e(c.evidence_en or c.evidence_zh)}</q></li>'
                for c in b.causes
            ]
            out.append("</ul>")
        out.append("</section>")
    if failures:
        out += ["<section><h2>Failed</h2><ul>"]
        out += [
            f"<li><code>{e(x.id)}</code> ({e(x.where)}): <b>{e(x.error)}</b>: {e(x.message)}</li>"
            for x in failures
        ]
        out.append("</ul></section>")
    out.append("</body></html>")
    return "\n".join(out)


def _source(g: GroundedText, limit: int = 80) -> str:
    """The Chinese a bullet rests on, for the reader to check it against (cut for width)."""
    zh = " … ".join(span.zh for span in g.evidence)
    return zh if len(zh) <= limit else zh[: limit - 1] + "…"


def _byline(r: BatchRecord) -> str:
    parts = [str(r.meta[k]) for k in ("title", "source", "published_at") if r.meta.get(k)]
    return (" · " + " · ".join(parts)) if parts else ""


def write_digest(path: Path, results: Path, errors: Path) -> None:
    """Markdown, or HTML when the path ends in .html/.htm. Written whole, then renamed into place."""
    records, failures = load_latest(results, errors)
    body = (
        to_html(records, failures)
        if path.suffix.lower() in (".html", ".htm")
        else to_markdown(records, failures)
    )
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(body, encoding="utf-8")
    os.replace(tmp, path)
