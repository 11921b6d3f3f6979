"""The result cache (cache.py): hits, keys, bounds, a broken file, and every front end using it."""

from __future__ import annotations

import json
import logging
import shutil
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from finbrief.cache import OUTPUT_SETTINGS, SqliteStore, cache_path, fingerprint
from finbrief.cli import main
from finbrief.errors import GenerationFailed
from finbrief.host import ModelHost
from finbrief.model.backends.base import GenerationRequest
from finbrief.model.backends.scripted import ScriptedBackend, default_responder
from finbrief.runtime import Runtime, build_runtime
from finbrief.schemas import Brief, BriefRequest, Translation
from finbrief.settings import Settings, packaged
from finbrief.slack.briefer import HostBriefer
from finbrief.text.script import to_simplified

from .conftest import SEEDS, seed
from .test_api import serve

# A changed value for every output-affecting setting (the test below checks the list is complete).
CHANGED: dict[str, Any] = {
    "n_ctx": 4096,
    "chunk_chars": 2000,
    "summary_bullets": 3,
    "max_key_figures": 4,
    "max_claim_candidates": 5,
    "claim_label_followups": True,
    "open_denials": True,
    "repair_attempts": 0,
    "to_simplified": False,
    "translate_samples": 2,
    "translate_temperature": 0.5,
}


@pytest.fixture
def cached(settings: Settings) -> Settings:
    """The conftest settings (model store under tmp_path) with the cache on: tmp_path/cache.sqlite3."""
    return settings.model_copy(update={"cache_enabled": True})


def runtime_of(cfg: Settings, backend: ScriptedBackend | None = None) -> Runtime:
    return build_runtime(cfg, backend or ScriptedBackend())


def content(result: Brief | Translation) -> dict[str, Any]:
    """Everything but provenance: what a hit must reproduce exactly."""
    return result.model_dump(mode="json", exclude={"provenance"})


# --- hits -------------------------------------------------------------------------------------
def test_same_article_twice_is_a_hit_with_identical_content_and_no_model_call(cached: Settings) -> None:
    backend = ScriptedBackend()
    runtime = runtime_of(cached, backend)
    first = runtime.brief(BriefRequest(text=seed("004"), url="https://a.example/1", source="A"))
    calls = len(backend.calls)
    when = datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)
    again = BriefRequest(text=seed("004"), url="https://b.example/2", source="B", published_at=when)
    second = runtime.brief(again, queue_s=0.25)
    assert len(backend.calls) == calls > 0  # no model call
    assert content(second) == content(first)
    p1, p2 = first.provenance, second.provenance
    assert (p1.cache, p2.cache) == ("miss", "hit")
    # Per request: where the article came from, and this request's queue and total seconds.
    assert (p2.url, p2.source, p2.published_at) == (again.url, "B", when)
    assert p2.timings.queue_s == 0.25 and 0.25 <= p2.timings.total_s < 1
    # How the stored brief was made stays as it was.
    assert (p2.model_id, p2.prompt_version, p2.tokens, p2.checks) == (
        p1.model_id,
        p1.prompt_version,
        p1.tokens,
        p1.checks,
    )
    assert runtime.cache is not None and (runtime.cache.hits, runtime.cache.misses) == (1, 1)
    assert cache_path(cached) == cached.model_dir.parent / "cache.sqlite3" and cache_path(cached).is_file()


def test_translation_is_cached_likewise(cached: Settings) -> None:
    backend = ScriptedBackend()
    runtime = runtime_of(cached, backend)
    first = runtime.translate(seed("003"))
    calls = len(backend.calls)
    second = runtime.translate(seed("003"))
    assert len(backend.calls) == calls and content(second) == content(first)
    assert (first.provenance.cache, second.provenance.cache) == ("miss", "hit")
    *segments, whole = runtime.translation_events(seed("003"))  # the streaming path replays it
    assert segments == second.segments and isinstance(whole, Translation) and whole.provenance.cache == "hit"
    kept = runtime.translate(seed("003"), skip_boilerplate=False)  # another request option: its own key
    assert kept.provenance.cache == "miss" and len(backend.calls) > calls


def test_warnings_are_cached_and_errors_are_not(cached: Settings) -> None:
    def unverifiable(req: GenerationRequest) -> str:
        kind = req.tag.split(":")[0]
        if kind in ("headline", "bullet"):
            return json.dumps({kind: "Janet Yellen said the market moved on the news today."})
        return default_responder(req)

    runtime = runtime_of(cached, ScriptedBackend(unverifiable))
    first, second = (runtime.brief(BriefRequest(text=seed("004"))) for _ in range(2))
    assert first.warnings and second.warnings == first.warnings and second.provenance.cache == "hit"

    failing = ScriptedBackend(lambda req: "I cannot answer that")
    other_file = cached.model_copy(update={"cache_path": cached.model_dir / "other.sqlite3"})
    runtime = runtime_of(other_file, failing)
    with pytest.raises(GenerationFailed):
        runtime.brief(BriefRequest(text=seed("001")))
    calls = len(failing.calls)
    with pytest.raises(GenerationFailed):
        runtime.brief(BriefRequest(text=seed("001")))
    assert len(failing.calls) == 2 * calls > 0  # asked the model again: the error was not stored


# --- what the key sees ----------------------------------------------------------------------
def test_hits_only_where_normalization_leaves_the_answer_valid(cached: Settings) -> None:
    backend = ScriptedBackend()
    runtime = runtime_of(cached, backend)
    simplified, traditional = seed("004"), seed("003")
    runtime.brief(BriefRequest(text=simplified))
    runtime.brief(BriefRequest(text=traditional))
    first_line, rest = simplified.split("\n", 1)
    cases = {
        # Whitespace after the article: every offset and span of the stored brief still holds.
        "trailing blank lines": (simplified + "\n\n \u3000\n", "hit"),
        "trailing spaces, traditional": (traditional + "  \n", "hit"),
        # Anything else moves offsets or changes the verbatim evidence: a stored brief would be wrong.
        "leading blank line": ("\n" + simplified, "miss"),
        "spacing inside a line": (first_line + "  \n" + rest, "miss"),
        "boilerplate line appended": (simplified + "\n免责声明：本文不构成投资建议。", "miss"),
        "the simplified twin of a traditional text": (to_simplified(traditional), "miss"),
    }
    for name, (text, expected) in cases.items():
        brief = runtime.brief(BriefRequest(text=text))
        assert brief.provenance.cache == expected, name
        for claim in brief.causes:
            assert text[claim.evidence_start : claim.evidence_end] == claim.evidence_zh, name
        for fig in brief.key_figures:
            assert text[fig.evidence.start : fig.evidence.end] == fig.evidence.zh, name
    assert runtime.brief(BriefRequest(text=simplified, title="另一个标题")).provenance.cache == "miss"


def test_every_output_setting_changes_the_key_and_other_settings_do_not(cached: Settings) -> None:
    assert set(CHANGED) == set(OUTPUT_SETTINGS)
    backend = ScriptedBackend()
    version = runtime_of(cached, backend).prompts.version
    base = fingerprint(cached, backend, version)
    for name, value in CHANGED.items():
        assert getattr(cached, name) != value
        assert fingerprint(cached.model_copy(update={name: value}), backend, version) != base, name
    assert fingerprint(cached, backend, version + "x") != base
    assert fingerprint(cached, ScriptedBackend(model_id="other-model"), version) != base
    speed_only = {"parallel": 4, "n_threads": 2, "queue_size": 1, "port": 9, "cache_max_entries": 5}
    assert fingerprint(cached.model_copy(update=speed_only), backend, version) == base


def test_a_changed_setting_glossary_or_prompt_is_a_miss(cached: Settings, tmp_path: Path) -> None:
    req = BriefRequest(text=seed("004"))
    assert runtime_of(cached).brief(req).provenance.cache == "miss"
    assert runtime_of(cached.model_copy(update={"parallel": 2})).brief(req).provenance.cache == "hit"
    assert runtime_of(cached.model_copy(update={"summary_bullets": 3})).brief(req).provenance.cache == "miss"

    glossary = tmp_path / "glossary.tsv"
    glossary.write_text("Zhongxin Co\tcompany\t中信公司\n", encoding="utf-8")
    with_glossary = cached.model_copy(update={"glossary_path": glossary})
    assert runtime_of(with_glossary).brief(req).provenance.cache == "miss"
    assert runtime_of(with_glossary).brief(req).provenance.cache == "hit"
    glossary.write_text("Zhongxin Group\tcompany\t中信公司\n", encoding="utf-8")  # same path, new content
    assert runtime_of(with_glossary).brief(req).provenance.cache == "miss"

    prompts = tmp_path / "prompts"
    shutil.copytree(packaged("prompts"), prompts)
    with (prompts / "v2" / "headline.md").open("a", encoding="utf-8") as f:
        f.write("\n")
    edited = runtime_of(cached.model_copy(update={"prompts_dir": prompts}))
    assert edited.prompts.version != runtime_of(cached).prompts.version
    assert edited.brief(req).provenance.cache == "miss"


# --- bounds and damage -------------------------------------------------------------------------
def test_eviction_drops_the_least_recently_used(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "c.sqlite3", max_entries=2, max_bytes=10_000)
    store.put("a", "brief", "A" * 100)
    store.put("b", "brief", "B" * 100)
    assert store.get("a")  # a is now used more recently than b
    store.put("c", "brief", "C" * 100)
    assert (store.get("a"), store.get("b"), store.get("c")) == ("A" * 100, None, "C" * 100)

    by_bytes = SqliteStore(tmp_path / "d.sqlite3", max_entries=100, max_bytes=250)
    for key in "xyz":
        by_bytes.put(key, "brief", key * 100)
    assert by_bytes.size() == (2, 200) and by_bytes.get("x") is None
    by_bytes.put("huge", "brief", "h" * 251)  # larger than the bound: not kept, nothing evicted for it
    assert by_bytes.size() == (2, 200)


def test_eviction_at_the_bound_through_the_runtime(cached: Settings) -> None:
    runtime = runtime_of(cached.model_copy(update={"cache_max_entries": 1}))
    a, b = BriefRequest(text=seed("004")), BriefRequest(text=seed("001"))
    assert [runtime.brief(r).provenance.cache for r in (a, a, b, a)] == ["miss", "hit", "miss", "miss"]


def test_a_corrupt_or_unusable_cache_file_leaves_the_service_answering(
    cached: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    path = cache_path(cached)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"this is not a database" * 100)
    with caplog.at_level(logging.WARNING, logger="finbrief.cache"):
        runtime = runtime_of(cached)
    assert runtime.cache is None and "unusable" in caplog.text
    assert runtime.brief(BriefRequest(text=seed("004"))).provenance.cache == "off"
    with serve(cached, ScriptedBackend()) as base:
        r = httpx.post(base + "/v1/brief", json={"text": seed("004")}, timeout=30)
    assert r.status_code == 200 and r.json()["provenance"]["cache"] == "off"

    folder = cached.model_copy(update={"cache_path": cached.model_dir.parent})  # a directory: cannot open
    assert runtime_of(folder).cache is None

    healthy = runtime_of(cached.model_copy(update={"cache_path": path.with_name("ok.sqlite3")}))
    assert healthy.cache is not None
    healthy.cache.store._db.execute("DROP TABLE results")  # damaged under a running service
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="finbrief.cache"):
        brief = healthy.brief(BriefRequest(text=seed("004")))
    assert brief.headline_en and brief.provenance.cache == "miss"
    assert "lookup failed" in caplog.text and "store failed" in caplog.text


def test_off_switch(settings: Settings) -> None:
    runtime = runtime_of(settings)  # conftest: FINBRIEF_CACHE_ENABLED=false
    assert runtime.cache is None and not cache_path(settings).exists()
    assert runtime.brief(BriefRequest(text=seed("004"))).provenance.cache == "off"
    assert runtime.translate(seed("004")).provenance.cache == "off"


# --- front ends ---------------------------------------------------------------------------------
def test_http_no_cache_header_answers_fresh_and_stores(cached: Settings) -> None:
    backend = ScriptedBackend()
    fresh = {"cache-control": "no-cache"}
    with serve(cached, backend) as base:

        def post(path: str, headers: dict[str, str] | None = None, **body: Any) -> dict[str, Any]:
            r = httpx.post(base + path, json={"text": seed("004"), **body}, headers=headers, timeout=30)
            assert r.status_code == 200, r.text
            return dict(r.json())

        first = post("/v1/brief", fresh, source="A")
        calls = len(backend.calls)
        second = post("/v1/brief", source="B")
        assert len(backend.calls) == calls  # stored by the no-cache request, answered without the model
        third = post("/v1/brief", {"Cache-Control": "max-age=0, No-Cache"})
        assert len(backend.calls) == 2 * calls
        caches = [b["provenance"]["cache"] for b in (first, second, third)]
        assert caches == ["miss", "hit", "miss"] and second["provenance"]["source"] == "B"
        assert {k: v for k, v in first.items() if k != "provenance"} == {
            k: v for k, v in second.items() if k != "provenance"
        }

        plain = post("/v1/translate")
        calls = len(backend.calls)
        with httpx.stream("POST", base + "/v1/translate?stream=true", json={"text": seed("004")}) as r:
            events = [json.loads(line) for line in r.iter_lines() if line]
        assert len(backend.calls) == calls and events[-1]["provenance"]["cache"] == "hit"
        assert [{k: v for k, v in e.items() if k != "type"} for e in events[:-1]] == plain["segments"]
        again = post("/v1/translate", fresh)
        assert again["provenance"]["cache"] == "miss" and len(backend.calls) > calls


def test_a_hit_is_answered_while_the_queue_is_full(cached: Settings) -> None:
    gate = threading.Event()
    gate.set()

    def held(req: GenerationRequest) -> str:
        if "标记" in req.user:
            gate.wait(20)
        return default_responder(req)

    backend = ScriptedBackend(held)
    cfg = cached.model_copy(update={"parallel": 1, "queue_size": 1})
    with serve(cfg, backend) as base, ThreadPoolExecutor(2) as pool:

        def post(text: str) -> httpx.Response:
            return httpx.post(base + "/v1/brief", json={"text": text}, timeout=30)

        assert post(seed("004")).status_code == 200
        gate.clear()
        running = pool.submit(post, "标记1。" + seed("001"))  # holds the only worker
        while not any("标记" in c.user for c in backend.calls):
            time.sleep(0.01)
        waiting = pool.submit(post, "标记2。" + seed("001"))  # takes the only place in the queue
        while httpx.get(base + "/healthz").json()["queue_depth"] < 2:
            time.sleep(0.01)
        full, hit = post("标记3。" + seed("001")), post(seed("004"))
        gate.set()
        assert full.status_code == 503 and full.json()["error"] == "queue_full"
        assert hit.status_code == 200 and hit.json()["provenance"]["cache"] == "hit"
        assert hit.json()["provenance"]["timings"]["queue_s"] == 0.0
        assert running.result().status_code == 200 and waiting.result().status_code == 200


def test_slack_briefs_through_the_same_cache(cached: Settings) -> None:
    backend = ScriptedBackend()
    runtime = runtime_of(cached, backend)
    host = ModelHost.around(runtime, workers=1, queue_size=1)
    try:
        briefer = HostBriefer(host)
        first = briefer(BriefRequest(text=seed("004")))
        calls = len(backend.calls)
        second = briefer(BriefRequest(text=seed("004")))
    finally:
        host.close()
    assert len(backend.calls) == calls and content(second) == content(first)
    assert (first.provenance.cache, second.provenance.cache) == ("miss", "hit")


def test_a_second_batch_run_over_the_same_input_uses_the_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("FINBRIEF_BACKEND", "scripted")
    monkeypatch.delenv("FINBRIEF_SCRIPTED_DELAY_S", raising=False)
    monkeypatch.setenv("FINBRIEF_CACHE_ENABLED", "true")
    monkeypatch.setenv("FINBRIEF_CACHE_PATH", str(tmp_path / "cache.sqlite3"))
    src = tmp_path / "in.jsonl"
    lines = [
        json.dumps({"id": p.stem[:3], "text": p.read_text(encoding="utf-8")}, ensure_ascii=False)
        for p in sorted(SEEDS.glob("*.txt"))[3:5]
    ]
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")

    def run(out: Path) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        assert main(["batch", str(src), str(out), "--log-json"]) == 0
        summary = json.loads(capsys.readouterr().out.splitlines()[-1])
        return summary, [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]

    first_summary, first = run(tmp_path / "first.jsonl")
    second_summary, second = run(tmp_path / "second.jsonl")  # a new job: no resume, no copies
    assert (first_summary["computed"], first_summary["cached"]) == (2, 0)
    assert (second_summary["computed"], second_summary["cached"]) == (0, 2)
    assert second_summary["completion_tokens"] == 0  # a hit is no model work of this run
    for a, b in zip(first, second, strict=True):
        assert a["id"] == b["id"] and b["duplicate_of"] is None
        for part in ("brief", "translation"):
            assert a[part]["provenance"]["cache"] == "miss" and b[part]["provenance"]["cache"] == "hit"
            assert {k: v for k, v in a[part].items() if k != "provenance"} == {
                k: v for k, v in b[part].items() if k != "provenance"
            }


def test_the_translate_command_answers_a_repeat_from_the_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from finbrief.cli import main

    for name, value in {"BACKEND": "scripted", "CACHE_ENABLED": "true", "MODEL_DIR": str(tmp_path)}.items():
        monkeypatch.setenv(f"FINBRIEF_{name}", value)
    article = tmp_path / "003.txt"
    article.write_text(seed("003"), encoding="utf-8")
    runs = []
    for _ in range(2):
        assert main(["translate", str(article)]) == 0
        runs.append(Translation.model_validate_json(capsys.readouterr().out))
    assert [r.provenance.cache for r in runs] == ["miss", "hit"]
    assert content(runs[0]) == content(runs[1])
