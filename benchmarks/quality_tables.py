"""Markdown tables for docs/QUALITY.md from the eval runs in eval/runs/ (no model needed).

Usage: python benchmarks/quality_tables.py [eval/runs]

Runs are named by folder (`<date>-<name>`, see eval/runs/INDEX.md); each holds `report.json`, and a
lever ablation one `without-<lever>.json` per lever.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def _load(path: Path) -> dict | None:
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None


def _report(folder: Path, run: str) -> dict | None:
    return _load(folder / run / "report.json")


# (run, script, system as shown): every NTREX run in eval/runs/, oldest code first.
NTREX_ROWS = [
    ("2026-11-22-ntrex-zh-CN-raw", "zh-CN", "raw model, plain prompt"),
    ("2026-11-22-ntrex-zh-CN-pipeline-before-figure-hints", "zh-CN", "pipeline (before figure hints)"),
    ("2026-11-22-ntrex-zh-CN-pipeline-dcc79c0", "zh-CN", "pipeline"),
    ("2026-11-22-ntrex-zh-CN-pipeline-0906cf1", "zh-CN", "pipeline, re-run with the dates check"),
    ("2026-11-22-ntrex-zh-TW-raw", "zh-TW", "raw model, plain prompt"),
    ("2026-11-22-ntrex-zh-TW-pipeline-f02e2d5", "zh-TW", "pipeline (before the Latin-words check)"),
    ("2026-11-22-ntrex-zh-TW-pipeline-be04be6-spliced", "zh-TW", "pipeline (+ name checks, spliced)"),
    (
        "2026-11-22-ntrex-zh-TW-pipeline-32d6f6a-spliced",
        "zh-TW",
        "pipeline (+ role, cause, cut-off checks, spliced)",
    ),
    ("2026-11-22-ntrex-zh-TW-pipeline-d5c3dc6-spliced", "zh-TW", "pipeline (+ dates check, spliced)"),
]


def ntrex(folder: Path) -> str:
    rows = [
        "| script | system | code | chrF++ | BLEU | segments with Chinese | flagged after repair "
        "| s/segment |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for run, script, system in NTREX_ROWS:
        rep = _report(folder, run)
        if rep:
            m, code = rep["metrics"], rep.get("config", {}).get("code") or "not recorded"
            rows.append(
                f"| {script} | {system} | `{code}` | {m['chrf++']:.2f} "
                f"| {m['bleu']:.2f} | {m['leftover_chinese']} | {m.get('flagged_segments', 0)} "
                f"| {m['seconds_per_segment']:.2f} |"
            )
    return "\n".join(rows)


def ablations(folder: Path, full: str, raw: str, levers: str, limit: int | None = None) -> str:
    """Each lever switched off (run `levers`, one `without-<lever>.json` each), beside the full
    pipeline and the raw model on the same segments (re-scored from their reports, first `limit`)."""
    from finbrief.evaluation.translation import metrics_of

    rows = [
        "| pipeline without | chrF++ | BLEU | segments with Chinese | flagged | s/segment |",
        "|---|---|---|---|---|---|",
    ]
    runs = []
    for run, name in ((raw, "(raw model)"), (full, "(nothing)")):
        if rep := _report(folder, run):
            runs.append((name, metrics_of(rep["items"][:limit])))
    for path in sorted((folder / levers).glob("without-*.json")):
        runs.append((path.stem.removeprefix("without-"), _load(path)["metrics"]))  # type: ignore[index]
    for name, m in runs:
        rows.append(
            f"| {name} | {m['chrf++']:.2f} | {m['bleu']:.2f} | {m['leftover_chinese']} "
            f"| {m.get('flagged_segments', 0)} | {m['seconds_per_segment']:.2f} |"
        )
    return "\n".join(rows)


# (run, column title): the three rounds of cause-attribution changes, each against the one before.
CAUSES_FIRST = [  # code 02d0752 ... e6976ff
    ("2026-11-22-causes-seeds-batch-run", "seeds, batch run"),
    ("2026-11-22-causes-seeds-f02e2d5", "seeds, ranked candidates"),
    ("2026-11-22-causes-seeds-2d3f3ef", "seeds, re-run"),
    ("2026-11-22-causes-challenge-02d0752", "challenge, 1st run"),
    ("2026-11-22-causes-challenge-be04be6", "challenge, stricter checks"),
    ("2026-11-22-causes-challenge-e6976ff", "challenge, + best-draft repair"),
]
CAUSES_SPEAKERS = [  # code 8af5562 ... 1709704
    ("2026-11-22-causes-seeds-2d3f3ef", "seeds, before"),
    ("2026-11-22-causes-seeds-8af5562", "seeds, speakers + repair"),
    ("2026-11-22-causes-challenge-1bff60f", "challenge, speakers + checks"),
    ("2026-11-22-causes-challenge-f7ca477", "challenge, + targeted repair"),
    ("2026-11-22-causes-challenge-1709704", "challenge, + names hint"),
    ("2026-11-22-causes-holdout-1709704", "holdout (new), final"),
]
CAUSES_COVERAGE = [  # code ef3966e ... d5c3dc6; defaults since e66adb0 (follow-ups off)
    ("2026-11-22-causes-seeds-8af5562", "seeds, before"),
    ("2026-11-22-causes-seeds-c7d300c", "seeds, defaults"),
    ("2026-11-22-causes-seeds-9f57dcc-followups", "seeds, + follow-ups"),
    ("2026-11-22-causes-challenge-1709704", "challenge, before"),
    ("2026-11-22-causes-challenge-bdfb736-ungated-followups", "challenge, ungated follow-ups"),
    ("2026-11-22-causes-challenge-c7d300c", "challenge, defaults"),
    ("2026-11-22-causes-challenge-d5c3dc6-followups", "challenge, + follow-ups"),
    ("2026-11-22-causes-holdout-1709704", "holdout h1-h4, before"),
    ("2026-11-22-causes-holdout-ef3966e-followups", "holdout, coverage + follow-ups"),
    ("2026-11-22-causes-holdout-9e9d44d-followups", "holdout, + force verbs, primary"),
    ("2026-11-22-causes-holdout-c7d300c", "holdout, defaults"),
    ("2026-11-22-causes-holdout-d5c3dc6-followups", "holdout, + follow-ups"),
]


def causes(folder: Path, runs: list[tuple[str, str]]) -> str:
    reports = [(title, rep) for run, title in runs if (rep := _report(folder, run))]
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


def sampling(folder: Path, run: str, raw: str, limit: int) -> str:
    """benchmarks/sample_bound.py: greedy, MBR and the reference-picked oracle over the same candidates,
    with the raw model on the same segments for the bar."""
    from finbrief.evaluation.translation import metrics_of

    rep, base = _report(folder, run), _report(folder, raw)
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
    folder = Path(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).parents[1] / "eval" / "runs")
    tw_raw = "2026-11-22-ntrex-zh-TW-raw"
    print("## NTREX-128, 300 segments\n\n" + ntrex(folder))
    ntrex_levers = ablations(
        folder, "2026-11-22-ntrex-zh-TW-pipeline-f02e2d5", tw_raw, "2026-11-22-ntrex-zh-TW-100-levers", 100
    )
    finance_levers = ablations(
        folder,
        "2026-11-22-finance-zh-TW-pipeline-02d0752",
        "2026-11-22-finance-zh-TW-raw",
        "2026-11-22-finance-zh-TW-levers",
    )
    print("\n## Levers, NTREX zh-TW, first 100 segments\n\n" + ntrex_levers)
    print("\n## Levers, finance-challenge zh-TW, 20 sentences\n\n" + finance_levers)
    print("\n## Cause attribution, code 02d0752 to e6976ff\n\n" + causes(folder, CAUSES_FIRST))
    print("\n## Cause attribution, code 8af5562 to 1709704\n\n" + causes(folder, CAUSES_SPEAKERS))
    print("\n## Cause attribution, code ef3966e to d5c3dc6\n\n" + causes(folder, CAUSES_COVERAGE))
    sample_table = sampling(folder, "2026-11-22-ntrex-zh-TW-100-sample-bound", tw_raw, 100)
    print("\n## Picking among samples, NTREX zh-TW, first 100 segments\n\n" + sample_table)


if __name__ == "__main__":
    main()
