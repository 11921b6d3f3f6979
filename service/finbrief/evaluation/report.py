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
