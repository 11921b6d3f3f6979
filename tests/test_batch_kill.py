"""A real `finbrief batch` process killed with SIGKILL (and stopped with SIGTERM), then resumed.

The scripted backend with a per-generation delay makes each seed take a fraction of a second to a
few seconds, so the signal lands mid-job, between and during writes.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from .test_batch import MALFORMED_CODES, SEED_IDS, errors_of, load, write_input

ENV = {**os.environ, "FINBRIEF_BACKEND": "scripted", "PYTHONUNBUFFERED": "1"}


def start(src: Path, out: Path, *args: str, delay: float) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "finbrief.cli", "batch", str(src), str(out), *args],
        env={**ENV, "FINBRIEF_SCRIPTED_DELAY_S": str(delay)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def complete_lines(path: Path) -> int:
    return path.read_bytes().count(b"\n") if path.exists() else 0


def wait_for_lines(path: Path, n: int, proc: subprocess.Popen[str], timeout: float = 60) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        got = complete_lines(path)
        if got >= n:
            return got
        assert proc.poll() is None, proc.communicate()
        time.sleep(0.01)
    raise AssertionError(f"{path} did not reach {n} lines")


def test_kill_9_then_resume_yields_every_id_exactly_once(tmp_path: Path) -> None:
    src = write_input(tmp_path / "in.jsonl")
    ref = tmp_path / "ref.jsonl"
    assert (
        subprocess.run(
            [sys.executable, "-m", "finbrief.cli", "batch", str(src), str(ref), "-q"], env=ENV, check=False
        ).returncode
        == 1
    )
    out = tmp_path / "out.jsonl"
    proc = start(src, out, "--concurrency", "2", delay=0.004)
    wait_for_lines(out, 2, proc)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    partial = [r["id"] for r in load_complete(out)]
    assert 2 <= len(partial) < 5  # killed mid-job
    resumed = subprocess.run(
        [sys.executable, "-m", "finbrief.cli", "batch", str(src), str(out), "--resume", "--log-json"],
        env=ENV,
        capture_output=True,
        text=True,
        check=False,
    )
    assert resumed.returncode == 1, resumed.stderr
    summary = json.loads(resumed.stdout.splitlines()[-1])
    assert summary["skipped_ok"] == len(partial) and summary["computed"] == 5 - len(partial)
    results, errors = load(out), load(errors_of(out))
    assert sorted(r["id"] for r in results) == SEED_IDS  # every id, exactly once, none lost
    assert sorted(e["id"] for e in errors) == sorted(MALFORMED_CODES)
    # ... and the same records as a run that was never interrupted (timings aside).
    expected = {r["id"]: (r["brief"]["headline_en"], r["translation"]["segments"]) for r in load(ref)}
    assert {r["id"]: (r["brief"]["headline_en"], r["translation"]["segments"]) for r in results} == expected


def load_complete(path: Path) -> list[dict[str, object]]:
    """Lines a reader can trust: complete (newline-terminated) ones."""
    data = path.read_bytes()
    return [json.loads(line) for line in data[: data.rfind(b"\n") + 1].splitlines()]


def test_sigterm_finishes_the_article_in_flight_and_exits_143(tmp_path: Path) -> None:
    src = write_input(tmp_path / "in.jsonl")
    out = tmp_path / "out.jsonl"
    proc = start(src, out, delay=0.004)
    before = wait_for_lines(out, 1, proc)
    proc.send_signal(signal.SIGTERM)
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 128 + signal.SIGTERM, stderr
    assert "SIGTERM: finishing what is in flight" in stderr and "--resume to finish" in stderr
    after = complete_lines(out)
    assert out.read_bytes().endswith(b"\n")  # a clean stop leaves no torn line
    assert before <= after <= before + 1 < 5  # the article in flight was written; no new one started
    assert (
        subprocess.run(
            [sys.executable, "-m", "finbrief.cli", "batch", str(src), str(out), "--resume", "-q"],
            env=ENV,
            check=False,
        ).returncode
        == 1
    )
    assert sorted(r["id"] for r in load(out)) == SEED_IDS
