"""End to end through a REAL OpenAI-compatible engine: llama-server's HTTP API (as xllamacpp ships
it) in its own process on loopback, serving the 0.5B model, and finbrief's `openai` backend in
front of it: a brief of seed 004 and a translation, with the in-process end-to-end test's bar."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from finbrief.model import answers
from finbrief.model.backends.llamacpp import LlamaCppBackend
from finbrief.model.backends.openai_backend import OpenAIBackend
from finbrief.model.call import Asker, Usage
from finbrief.model.store import ModelStore
from finbrief.settings import Settings

from .conftest import seed
from .test_api import serve
from .test_e2e_real_model import assert_a_faithful_brief, assert_two_aligned_english_sentences

pytestmark = pytest.mark.real_model
SMALL = "qwen2.5-coder-0.5b-instruct"
SERVED = "qwen-small"  # the alias the engine serves it under
SERVER = Path(__file__).parent / "engine_server.py"


def _first_line(proc: subprocess.Popen[str], timeout_s: float) -> str:
    """The engine's first stdout line (its URL), or "" if it died or took too long."""
    box: list[str] = []
    reader = threading.Thread(target=lambda: box.append(proc.stdout.readline() if proc.stdout else ""))
    reader.daemon = True
    reader.start()
    reader.join(timeout_s)
    return box[0].strip() if box else ""


@pytest.fixture(scope="module")
def model_path() -> Path:
    settings = Settings(model=SMALL, auto_pull=True)
    path, _, _ = ModelStore(settings).resolve(SMALL, auto_pull=True)  # pulled once, hash-verified
    return Path(path)


@pytest.fixture(scope="module")
def engine_url(model_path: Path) -> Iterator[str]:
    path = model_path
    threads = str(os.cpu_count() or 1)
    proc = subprocess.Popen(
        [sys.executable, str(SERVER), str(path), SERVED, "--parallel", "2", "--threads", threads],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        url = _first_line(proc, 300)
        assert url.startswith("http://127.0.0.1:"), f"the engine did not start (exit {proc.poll()})"
        yield url
    finally:
        if proc.stdin:
            proc.stdin.close()  # the server's cue to exit
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def test_a_brief_and_a_translation_through_a_real_engine(engine_url: str) -> None:
    settings = Settings(
        backend="openai",
        engine_url=engine_url + "/v1",
        engine_flavour="auto",  # detected: llama-server says so (owned_by, /props)
        engine_max_concurrency=2,  # the engine's two slots
        engine_timeout_s=900,  # two busy cores: a slot may take minutes over a long prompt
        warmup=True,
        max_claim_candidates=4,
        max_key_figures=3,
    )
    text = seed("004")
    passage = (
        "贝森特表示，美股下跌是因为DeepSeek带来的AI冲击，而非特朗普的关税政策。英伟达市值蒸发5950亿美元。"
    )
    with serve(settings, None) as base:
        ready = httpx.get(base + "/readyz", timeout=10)
        assert ready.status_code == 200, ready.text
        started = time.perf_counter()
        r = httpx.post(base + "/v1/brief", json={"text": text}, timeout=900)
        brief_s = time.perf_counter() - started
        t = httpx.post(base + "/v1/translate", json={"text": passage}, timeout=300)
    print(f"\nseed 004 through the engine: {brief_s:.1f} s")  # the closing note's number (pytest -s)
    assert r.status_code == 200, r.text
    brief = r.json()
    prov = brief["provenance"]
    assert prov["backend"] == "openai" and prov["model_id"] == SERVED and prov["model_sha256"] is None
    assert prov["engine"]["flavour"] == "llama-server" and prov["engine"]["model"] == SERVED
    assert prov["engine"]["host"] == engine_url.removeprefix("http://")
    assert_a_faithful_brief(brief, text)  # the in-process test's bar
    # Translation through the same engine: aligned sentences, English only (the GBNF bans CJK there too).
    assert_two_aligned_english_sentences(t, passage)
    assert t.json()["provenance"]["engine"]["flavour"] == "llama-server"


YES_NO_QUESTIONS = (
    "Sentence: «美股下跌是因为关税。» Does it give tariffs as the reason stocks fell? Answer yes or no.",
    "Sentence: «英伟达市值蒸发5950亿美元。» Does it give tariffs as the reason? Answer yes or no.",
)


def test_a_one_word_answer_is_one_token_read_with_its_probabilities(
    engine_url: str, model_path: Path
) -> None:
    """The same yes/no questions through the real engine's HTTP API and in-process: one generated
    token each, the word's probability from the engine's top_logprobs, and the two paths agree."""
    settings = Settings(backend="openai", engine_url=engine_url + "/v1", engine_timeout_s=300)
    engine = OpenAIBackend.from_settings(settings)
    in_process = LlamaCppBackend(model_path, SMALL, None, n_ctx=2048)
    replies = {}
    try:
        for name, backend in (("engine", engine), ("in-process", in_process)):
            asker = Asker(backend, "You are a careful financial news analyst.", Usage())
            yes_no = answers.yes_no_answer()
            replies[name] = [asker.ask(q, yes_no, 1, "claim:label") for q in YES_NO_QUESTIONS]
            assert asker.usage.tokens.completion == len(YES_NO_QUESTIONS)  # one token per answer
    finally:
        engine.close()
        in_process.close()
    print("\none-word answers:", replies)  # shown with pytest -s
    for reply in replies["engine"] + replies["in-process"]:
        assert reply is not None and reply["answer"] in ("yes", "no")
        assert set(reply["probs"]) == {"yes", "no"} and abs(sum(reply["probs"].values()) - 1) < 1e-3
        assert reply["probs"][reply["answer"]] >= 0.5
    for a, b in zip(replies["engine"], replies["in-process"], strict=True):
        assert a["answer"] == b["answer"] and abs(a["probs"]["yes"] - b["probs"]["yes"]) < 0.05
