"""Markdown tables for docs/QUALITY.md from the eval reports in docs/eval/ (no model needed).

Usage: python benchmarks/quality_tables.py [docs/eval]
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def _load(path: Path) -> dict | None:
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None


# (report stem, script, system as shown): every NTREX report in docs/eval/, oldest code first.
NTREX_ROWS = [
    ("ntrex300-zh-CN-raw", "zh-CN", "raw model, plain prompt"),
    ("ntrex300-zh-CN-pipeline", "zh-CN", "pipeline (before figure hints)"),
    ("ntrex300-zh-CN-pipeline-v2", "zh-CN", "pipeline"),
    ("ntrex300-zh-CN-pipeline-s5", "zh-CN", "pipeline, session-5 code"),
    ("ntrex300-zh-TW-raw", "zh-TW", "raw model, plain prompt"),
    ("ntrex300-zh-TW-pipeline", "zh-TW", "pipeline (before the Latin-words check)"),
    ("ntrex300-zh-TW-pipeline-latin", "zh-TW", "pipeline (+ name checks, spliced)"),
    ("ntrex300-zh-TW-pipeline-s4", "zh-TW", "pipeline (+ session-4 checks, spliced)"),
    ("ntrex300-zh-TW-pipeline-s5", "zh-TW", "pipeline (+ session-5 dates check, spliced)"),
]


def ntrex(folder: Path) -> str:
    rows = [
        "| script | system | code | chrF++ | BLEU | segments with Chinese | flagged after repair "
        "| s/segment |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for stem, script, system in NTREX_ROWS:
        rep = _load(folder / f"{stem}.json")
        if rep:
            m, code = rep["metrics"], rep.get("config", {}).get("code") or "not recorded"
            rows.append(
                f"| {script} | {system} | `{code}` | {m['chrf++']:.2f} "
                f"| {m['bleu']:.2f} | {m['leftover_chinese']} | {m.get('flagged_segments', 0)} "
                f"| {m['seconds_per_segment']:.2f} |"
            )
    return "\n".join(rows)


def ablations(folder: Path, full: str, raw: str, prefix: str, limit: int | None = None) -> str:
    """Each lever switched off (reports `<prefix><lever>.json`), beside the full pipeline and the raw
    model on the same segments (re-scored from their reports, first `limit` segments)."""
    from finbrief.evaluation.translation import metrics_of

    rows = [
        "| pipeline without | chrF++ | BLEU | segments with Chinese | flagged | s/segment |",
        "|---|---|---|---|---|---|",
    ]
    runs = []
    for stem, name in ((raw, "(raw model)"), (full, "(nothing)")):
        if rep := _load(folder / f"{stem}.json"):
            runs.append((name, metrics_of(rep["items"][:limit])))
    for path in sorted(folder.glob(f"{prefix}*.json")):
        runs.append((path.stem.removeprefix(prefix), _load(path)["metrics"]))  # type: ignore[index]
    for name, m in runs:
        rows.append(
            f"| {name} | {m['chrf++']:.2f} | {m['bleu']:.2f} | {m['leftover_chinese']} "
            f"| {m.get('flagged_segments', 0)} | {m['seconds_per_segment']:.2f} |"
        )
    return "\n".join(rows)


CAUSES_REPORTS = [
    ("seeds-causes-batch", "seeds, batch run"),
    ("seeds-causes", "seeds, this session"),
    ("seeds-causes-final", "seeds, final code"),
    ("challenge-causes-first", "challenge, 1st run"),
    ("challenge-causes-second", "challenge, stricter checks"),
    ("challenge-causes", "challenge, + best-draft repair"),
]
CAUSES_REPORTS_S4 = [
    ("seeds-causes-final", "seeds, before"),
    ("seeds-causes-s4", "seeds, session 4"),
    ("challenge-causes-s4a", "challenge, session 4, 1st"),
    ("challenge-causes-s4b", "challenge, + targeted repair"),
    ("challenge-causes-s4", "challenge, session 4, final"),
    ("holdout-causes", "holdout (new), final"),
]

CAUSES_REPORTS_S5 = [
    ("seeds-causes-s4", "seeds, session 4"),
    ("seeds-causes-s5-nofollowups", "seeds, session 5 (default)"),
    ("seeds-causes-s5", "seeds, s5 + follow-ups"),
    ("challenge-causes-s4", "challenge, session 4"),
    ("challenge-causes-s5a", "challenge, ungated follow-ups"),
    ("challenge-causes-s5-nofollowups", "challenge, session 5 (default)"),
    ("challenge-causes-s5", "challenge, s5 + follow-ups"),
    ("holdout-causes", "holdout h1-h4, session 4"),
    ("holdout-causes-s5", "holdout, coverage + follow-ups"),
    ("holdout-causes-s5b", "holdout, + force verbs, primary"),
    ("holdout-causes-s5-nofollowups", "holdout, session 5 (default)"),
    ("holdout-causes-s5f", "holdout, s5 + follow-ups"),
]


def causes(folder: Path, stems: list[tuple[str, str]]) -> str:
    reports = [(title, rep) for stem, title in stems if (rep := _load(folder / f"{stem}.json"))]
    if not reports:
        return "(not measured yet)"
    rows = [
        "| metric | " + " | ".join(title for title, _ in reports) + " |",
        "|---|" + "---|" * len(reports),
        "| code | "
        + " | ".join(f"`{r.get('config', {}).get('code') or 'not recorded'}`" for _, r in reports)
        + " |",
    ]
    for key in reports[-1][1]["metrics"]:
        rows.append(f"| {key} | " + " | ".join(str(rep["metrics"].get(key, "")) for _, rep in reports) + " |")
    return "\n".join(rows)


def sampling(folder: Path, stem: str, raw: str, limit: int) -> str:
    """benchmarks/sample_bound.py: greedy, MBR and the reference-picked oracle over the same candidates,
    with the raw model on the same segments for the bar."""
    from finbrief.evaluation.translation import metrics_of

    rep, base = _load(folder / f"{stem}.json"), _load(folder / f"{raw}.json")
    if not rep:
        return "(not measured yet)"
    m = rep["metrics"]
    raw_chrf = metrics_of(base["items"][:limit])["chrf++"] if base else float("nan")
    ks = sorted(int(k.split("@")[1]) for k in m if k.startswith("mbr@"))
    rows = [
        f"code `{rep['config'].get('code')}`, {rep['config']['samples']} candidates per segment "
        f"(greedy + samples at temperature {rep['config']['temperature']}), no repair.",
        "",
        "| candidates | greedy | MBR pick | oracle pick (upper bound) | raw model | raw + 8 (the bar) |",
        "|---|---|---|---|---|---|",
    ]
    for k in ks:
        rows.append(
            f"| {k} | {m['greedy']:.2f} | {m[f'mbr@{k}']:.2f} | {m[f'oracle@{k}']:.2f} "
            f"| {raw_chrf:.2f} | {raw_chrf + 8:.2f} |"
        )
    return "\n".join(rows)


def main() -> None:
    folder = Path(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).parents[1] / "docs" / "eval")
    print("## NTREX-128, 300 segments\n\n" + ntrex(folder))
    ntrex_levers = ablations(
        folder, "ntrex300-zh-TW-pipeline", "ntrex300-zh-TW-raw", "ablation-zh-TW-100-without-", 100
    )
    finance_levers = ablations(
        folder, "finance-zh-TW-pipeline-v2", "finance-zh-TW-raw", "ablation-finance-zh-TW-without-"
    )
    print("\n## Levers, NTREX zh-TW, first 100 segments\n\n" + ntrex_levers)
    print("\n## Levers, finance-challenge zh-TW, 20 sentences\n\n" + finance_levers)
    print("\n## Cause attribution, sessions 2-3\n\n" + causes(folder, CAUSES_REPORTS))
    print("\n## Cause attribution, session 4\n\n" + causes(folder, CAUSES_REPORTS_S4))
    print("\n## Cause attribution, session 5\n\n" + causes(folder, CAUSES_REPORTS_S5))
    sample_table = sampling(folder, "sample-bound-zh-TW-100", "ntrex300-zh-TW-raw", 100)
    print("\n## Picking among samples, NTREX zh-TW, first 100 segments\n\n" + sample_table)


if __name__ == "__main__":
    main()
