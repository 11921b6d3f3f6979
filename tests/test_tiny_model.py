"""The transformers model path with a tiny random-weight Qwen2 and an offline sentencepiece tokenizer."""

from __future__ import annotations

from pathlib import Path

import httpx

from finbrief.model.backends.base import GenerationRequest
from finbrief.model.backends.transformers_backend import TransformersBackend
from finbrief.runtime import build_runtime
from finbrief.settings import Settings
from finbrief.text.script import has_cjk

from .conftest import seed
from .test_api import serve


def test_tokenizer_round_trips_chinese(tiny_model_dir: Path) -> None:
    b = TransformersBackend(tiny_model_dir, "tiny", None, device="cpu")
    text = "美國財政部長貝森特表示,美股暴跌"
    assert b.count_tokens(text) > 3
    assert b._ensure()[1].decode(b._ensure()[1](text)["input_ids"]).strip() == text


def test_batched_generation_matches_single_and_bans_cjk(tiny_model_dir: Path) -> None:
    b = TransformersBackend(tiny_model_dir, "tiny", None, device="cpu")
    short = GenerationRequest(system="", user="美股", max_tokens=12)
    long = GenerationRequest(system="系统", user="美國財政部長貝森特表示美股暴跌主要是由於", max_tokens=12)
    banned = GenerationRequest(system="", user="美國財政部長", max_tokens=24, ban_cjk=True)
    batch = b.generate([short, long, banned])
    assert [r.text for r in batch[:2]] == [b.generate([short])[0].text, b.generate([long])[0].text]
    assert all(r.completion_tokens <= 24 for r in batch)
    assert not has_cjk(batch[2].text)
    assert batch[1].prompt_tokens > batch[0].prompt_tokens


def test_pipeline_over_tiny_model_never_returns_an_unverified_brief(
    tiny_model_dir: Path, settings: Settings
) -> None:
    # Random weights cannot write the JSON the pipeline needs: the service must say so (502), cleanly,
    # after running every step through the real model path.
    cfg = settings.model_copy(
        update={"backend": "transformers", "model": str(tiny_model_dir), "device": "cpu"}
    )
    rt = build_runtime(cfg)
    assert rt.backend.model_id == tiny_model_dir.name
    with serve(cfg, rt.backend) as base:  # type: ignore[arg-type]
        r = httpx.post(base + "/v1/brief", json={"text": seed("004")}, timeout=120)
    assert r.status_code == 502
    assert r.json()["error"] in ("generation_failed", "verification_failed")
