"""Printing a metrics table and writing the `{"metrics": ..., "items": [...]}` JSON report."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table


def print_table(title: str, metrics: dict[str, Any], console: Console | None = None) -> None:
    table = Table(title=title)
    table.add_column("metric")
    table.add_column("value", justify="right")
    for key, value in metrics.items():
        table.add_row(key, f"{value:.4g}" if isinstance(value, float) else str(value))
    (console or Console()).print(table)


def write_report(path: Path, metrics: dict[str, Any], items: list[dict[str, Any]], **extra: Any) -> None:
    """Written to a temporary name and renamed, so a report on disk is always complete."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".partial")
    tmp.write_text(
        json.dumps({"metrics": metrics, **extra, "items": items}, ensure_ascii=False, indent=1),
        encoding="utf-8",
    )
    tmp.replace(path)


def git_commit() -> str | None:
    """The commit of the checkout this code runs from (with "+dirty" when its code or prompts have
    changes): which code produced a report. None for an installed package, or where git is missing."""
    import subprocess

    here = Path(__file__).resolve()

    def git(*args: str) -> str:
        return subprocess.run(
            ["git", *args], cwd=here.parent, capture_output=True, text=True, check=True
        ).stdout

    try:
        git("ls-files", "--error-unmatch", here.name)  # tracked: not a copy installed inside some repo
        top = Path(git("rev-parse", "--show-toplevel").strip())
        head = git("rev-parse", "--short", "HEAD")
        dirty = git("status", "--porcelain", "--", str(top / "service"), str(top / "prompts"))
    except (OSError, subprocess.CalledProcessError):
        return None
    return head.strip() + ("+dirty" if dirty.strip() else "")
