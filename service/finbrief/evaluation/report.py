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
    """The checkout's commit (with "+dirty" when it has changes): which code produced a report."""
    import subprocess

    from ..settings import REPO_ROOT

    def git(*args: str) -> str:
        return subprocess.run(
            ["git", *args], cwd=REPO_ROOT, capture_output=True, text=True, check=True
        ).stdout

    try:
        head, dirty = git("rev-parse", "--short", "HEAD"), git("status", "--porcelain", "service", "prompts")
    except (OSError, subprocess.CalledProcessError):
        return None
    return head.strip() + ("+dirty" if dirty.strip() else "")
