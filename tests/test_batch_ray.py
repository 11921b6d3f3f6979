"""`finbrief batch --engine ray` on a local Ray instance: the same records as the local engine, and
the real model path (the tiny Qwen2 through the transformers backend) loaded in a Ray worker."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import ray

from .test_batch import MALFORMED_CODES, SEED_IDS, batch, errors_of, load, write_input


@pytest.fixture(scope="module", autouse=True)
def local_ray() -> Iterator[None]:
    # Two CPUs: one per worker; Ray then also sets OMP_NUM_THREADS=1 in each worker, so torch in
    # the tiny model's worker does not fight other processes for this machine's cores.
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, configure_logging=False)
    yield
    ray.shutdown()


def test_ray_engine_writes_the_same_records_as_the_local_engine(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FINBRIEF_BACKEND", "scripted")
    src = write_input(tmp_path / "in.jsonl")
    local, distributed = tmp_path / "local.jsonl", tmp_path / "ray.jsonl"
    assert batch(src, local) == 1
    assert batch(src, distributed, "--engine", "ray", "--concurrency", 2, "--digest", tmp_path / "d.md") == 1
    results = load(distributed)
    assert sorted(r["id"] for r in results) == SEED_IDS
    assert {e["id"]: e["error"] for e in load(errors_of(distributed))} == MALFORMED_CODES

    def content(rows: list[dict[str, object]]) -> dict[object, tuple[object, object]]:
        return {r["id"]: (r["brief"]["summary_en"], r["translation"]["segments"]) for r in rows}  # type: ignore[index]

    assert content(results) == content(load(local))
    assert (tmp_path / "d.md").read_text().count("\n## ") == 6
    # Resume through Ray: nothing left to do, nothing appended.
    size = distributed.stat().st_size
    assert batch(src, distributed, "--engine", "ray", "--resume") == 1 and distributed.stat().st_size == size


def test_ray_engine_runs_the_tiny_model_in_its_workers(
    tmp_path: Path, tiny_model_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("FINBRIEF_BACKEND", "transformers")
    monkeypatch.setenv("FINBRIEF_MODEL", str(tiny_model_dir))
    monkeypatch.setenv("FINBRIEF_DEVICE", "cpu")
    article = "这家公司今天在北京举行了新闻发布会，介绍了新产品的设计理念和未来的发展计划。"
    lines = [
        json.dumps({"id": "a", "text": article}, ensure_ascii=False),
        json.dumps({"id": "same-as-a", "text": article}, ensure_ascii=False),
        json.dumps({"id": "english", "text": "No Chinese here, so no model call either."}),
    ]
    out = tmp_path / "out.jsonl"
    rc = batch(write_input(tmp_path / "in.jsonl", lines), out, "--engine", "ray", "--log-json")
    summary = json.loads(capsys.readouterr().out.splitlines()[-1])
    results, errors = load(out), load(errors_of(out))
    by_id = {r["id"]: r for r in results} | {e["id"]: e for e in errors}
    assert sorted(by_id) == ["a", "english", "same-as-a"] and len(results) + len(errors) == 3
    assert by_id["english"]["error"] == "not_chinese"
    # Random weights cannot write the JSON a brief needs: the article fails verification, cleanly,
    # after the worker ran every step through the real model; its identical twin reuses the outcome.
    a = by_id["a"]
    if "error" in a:
        assert (
            a["error"] in ("generation_failed", "verification_failed")
            and a["model_id"] == tiny_model_dir.name
        )
        assert by_id["same-as-a"]["detail"]["duplicate_of"] == "a" and rc == 1
    else:  # should the random weights ever produce a valid brief, it is a normal record
        assert (
            a["provenance"]["model_id"] == tiny_model_dir.name and by_id["same-as-a"]["duplicate_of"] == "a"
        )
    assert summary["ok"] + summary["failed"] == 3
