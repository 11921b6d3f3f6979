"""The batch job's acceptance run on the real model: the five seeds plus ten malformed records.

    python benchmarks/batch_check.py ../shared/seeds --work /tmp/finbrief-batch [--skip-full]

1. full run: `finbrief batch` over the 15 records -> expects 5 results, 10 error records, exit 1;
   prints articles/min and tokens/s from the job's own summary (--log-json);
2. kill -9 run: the same input into a fresh OUTPUT, SIGKILL once `--kill-after` results are written,
   then `--resume` to the end -> expects every id exactly once (5 results, 10 errors), and reports
   whether each brief's headline matches the full run's.

Extra arguments after `--` go to every `finbrief batch` call (e.g. -- --concurrency 2).
Uses the default model (FINBRIEF_MODEL etc. apply). Timings belong here, not in tests.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

MALFORMED = Path(__file__).resolve().parents[1] / "tests" / "data" / "batch_malformed.jsonl"
FINBRIEF = [sys.executable, "-m", "finbrief.cli", "batch"]


def build_input(seeds: Path, path: Path) -> None:
    lines = [
        json.dumps(
            {"id": p.stem, "text": p.read_text(encoding="utf-8"), "source": "shared/seeds"},
            ensure_ascii=False,
        )
        for p in sorted(seeds.glob("*.txt"))
    ]
    path.write_text(
        "\n".join(lines + MALFORMED.read_text(encoding="utf-8").splitlines()) + "\n", encoding="utf-8"
    )


def load(path: Path) -> list[dict[str, Any]]:
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines()] if path.exists() else []


def errors_of(out: Path) -> Path:
    return out.with_name(out.stem + ".errors.jsonl")


def run(args: list[str]) -> tuple[int, dict[str, Any]]:
    """Run `finbrief batch ... --log-json`, echoing progress; returns (exit code, summary event)."""
    proc = subprocess.run([*FINBRIEF, *args, "--log-json"], capture_output=True, text=True, check=False)
    events = [json.loads(x) for x in proc.stdout.splitlines() if x.startswith("{")]
    if proc.returncode not in (0, 1):
        sys.stderr.write(proc.stderr)
    return proc.returncode, next((e for e in reversed(events) if e["event"] == "summary"), {})


def check(out: Path, want_results: int, want_errors: int) -> list[str]:
    results, errors = load(out), load(errors_of(out))
    ids = [r["id"] for r in results] + [e["id"] for e in errors]
    problems = []
    if len(results) != want_results or len(errors) != want_errors:
        problems.append(
            f"{len(results)} results and {len(errors)} errors, expected {want_results} and {want_errors}"
        )
    if len(ids) != len(set(ids)):
        problems.append(f"duplicated ids: {sorted(i for i in set(ids) if ids.count(i) > 1)}")
    return problems


def rates(summary: dict[str, Any]) -> str:
    return (
        f"{summary.get('computed')} articles in {summary.get('elapsed_s')} s "
        f"(model load {summary.get('load_s')} s): "
        f"{summary.get('articles_per_min')} articles/min, {summary.get('tokens_per_s')} tokens/s generated, "
        f"{summary.get('prompt_and_completion_tokens_per_s')} tokens/s prompt+generated"
    )


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("seeds", type=Path)
    ap.add_argument("--work", type=Path, default=Path("/tmp/finbrief-batch"))
    ap.add_argument("--skip-full", action="store_true", help="only the kill -9 + resume run")
    ap.add_argument("--kill-after", type=int, default=2, help="results written before the SIGKILL")
    argv = sys.argv[1:]
    cut = argv.index("--") if "--" in argv else len(argv)
    args = ap.parse_args(argv[:cut])
    args.extra = argv[cut + 1 :]  # more `finbrief batch` arguments
    args.work.mkdir(parents=True, exist_ok=True)
    src = args.work / "in.jsonl"
    build_input(args.seeds, src)
    failed = False

    full = args.work / "full.jsonl"
    if not args.skip_full:
        rc, summary = run(
            [str(src), str(full), "--overwrite", "--digest", str(args.work / "full.md"), *args.extra]
        )
        problems = check(full, 5, 10) + ([] if rc == 1 else [f"exit code {rc}, expected 1"])
        print(f"full run: exit {rc}; {rates(summary)}")
        print("  " + ("; ".join(problems) if problems else "OK: 5 results, 10 error records, no duplicates"))
        failed |= bool(problems)

    killed = args.work / "killed.jsonl"
    for p in (killed, errors_of(killed)):
        p.unlink(missing_ok=True)
    proc = subprocess.Popen([*FINBRIEF, str(src), str(killed), "-q", *args.extra])
    while (
        proc.poll() is None and (killed.read_bytes().count(b"\n") if killed.exists() else 0) < args.kill_after
    ):
        time.sleep(0.5)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    before = len(load_complete(killed))
    rc, summary = run([str(src), str(killed), "--resume", *args.extra])
    problems = check(killed, 5, 10) + ([] if rc == 1 else [f"exit code {rc}, expected 1"])
    print(f"kill -9 after {before} results, then --resume: exit {rc}; resume run: {rates(summary)}")
    print(
        "  " + ("; ".join(problems) if problems else "OK: 5 results, 10 error records, every id exactly once")
    )
    failed |= bool(problems)
    if full.exists():
        a = {r["id"]: r["brief"]["headline_en"] for r in load(full)}
        b = {r["id"]: r["brief"]["headline_en"] for r in load(killed)}
        same = sorted(i for i in a if b.get(i) == a[i])
        print(f"  same headline as the full run: {len(same)}/{len(a)} (greedy decoding; slots can differ)")
        for i in sorted(set(a) - set(same)):
            print(f"    {i}: {a[i]!r} vs {b.get(i)!r}")
    return 1 if failed else 0


def load_complete(path: Path) -> list[bytes]:
    data = path.read_bytes() if path.exists() else b""
    return data[: data.rfind(b"\n") + 1].splitlines()


if __name__ == "__main__":
    sys.exit(main())
