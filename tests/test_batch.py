"""`finbrief batch` in process, on the scripted backend: inputs, outputs, resume, dedupe, digest, modes."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from typing import Any

import pytest

from finbrief.batch.store import JsonlAppender, ResultStore
from finbrief.cli import main
from finbrief.schemas import BatchError, BatchRecord

from .conftest import SEEDS, seed
from .fake_slack import article_html, news_site

SEED_IDS = sorted(p.stem for p in SEEDS.glob("*.txt"))
MALFORMED = (
    (Path(__file__).parent / "data" / "batch_malformed.jsonl").read_text(encoding="utf-8").splitlines()
)
# Error code of each malformed line, by id; lines without a usable id are named by line number,
# which starts at 6 after the five seed lines.
MALFORMED_CODES = {
    "bad-empty": "empty_text",
    "bad-english": "not_chinese",
    "bad-short": "text_too_short",
    "bad-truncated": "invalid_record",  # id salvaged from the broken line
    "line:10": "invalid_record",  # not JSON
    "line:11": "invalid_record",  # a JSON array
    "line:12": "invalid_record",  # no id
    "bad-no-text": "invalid_record",
    "bad-unreachable-url": "fetch_failed",
    "bad-date": "invalid_record",
}


@pytest.fixture(autouse=True)
def scripted_backend(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FINBRIEF_BACKEND", "scripted")
    monkeypatch.delenv("FINBRIEF_SCRIPTED_DELAY_S", raising=False)


def seed_line(sid: str, **extra: Any) -> str:
    text = next(SEEDS.glob(f"{sid}*.txt")).read_text(encoding="utf-8")
    return json.dumps({"id": sid, "text": text, "source": "shared/seeds", **extra}, ensure_ascii=False)


def write_input(path: Path, lines: list[str] | None = None) -> Path:
    lines = [seed_line(s) for s in SEED_IDS] + MALFORMED if lines is None else lines
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def load(path: Path) -> list[dict[str, Any]]:
    return (
        [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()] if path.exists() else []
    )


def errors_of(out: Path) -> Path:
    return out.with_name(out.stem + ".errors.jsonl")


def batch(*args: object) -> int:
    return main(["batch", *map(str, args)])


def summary(stdout: str) -> dict[str, Any]:
    events = [json.loads(line) for line in stdout.splitlines()]
    assert events[0]["event"] == "start" and events[-1]["event"] == "summary"
    return events[-1]


# --- round trip -------------------------------------------------------------------------------
def test_seeds_and_malformed_lines_round_trip(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    assert batch(write_input(tmp_path / "in.jsonl"), out, "--concurrency", 2) == 1  # 1: some failed
    results, errors = load(out), load(errors_of(out))
    assert sorted(r["id"] for r in results) == SEED_IDS
    for raw in results:
        rec = BatchRecord.model_validate(raw)
        text = seed(rec.id[:3])
        assert rec.content_sha256 and rec.meta == {"source": "shared/seeds"} and rec.duplicate_of is None
        assert 3 <= len(rec.brief.summary_en) <= 5 and rec.brief.headline_en
        assert rec.translation.segments and all(
            text[s.start : s.end] == s.zh for s in rec.translation.segments
        )
        p = rec.provenance
        assert (
            p.model_id == "scripted-test" and p.backend == "scripted" and p.prompt_version.startswith("v2+")
        )
        assert p.tokens.completion > 0 and p.tokens.calls > rec.brief.provenance.tokens.calls
        assert p.timings.total_s >= p.timings.model_s > 0
    assert {e["id"]: e["error"] for e in errors} == MALFORMED_CODES
    for raw in errors:
        err = BatchError.model_validate(raw)
        assert err.message and re.fullmatch(r"in\.jsonl:\d+", err.where) and err.model_id == "scripted-test"


def test_all_good_input_exits_0_and_quiet_prints_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = write_input(tmp_path / "in.jsonl", [seed_line(SEED_IDS[4])])
    assert batch(src, tmp_path / "out.jsonl", "--quiet") == 0
    assert capsys.readouterr() == ("", "")
    assert batch(write_input(tmp_path / "x.jsonl", MALFORMED[:1]), tmp_path / "q.jsonl", "-q") == 1
    assert "1 failed" in capsys.readouterr().err  # quiet, but a failure is reported


def test_log_json_events(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert batch(write_input(tmp_path / "in.jsonl"), tmp_path / "out.jsonl", "--log-json") == 1
    lines = capsys.readouterr().out.splitlines()
    events = [json.loads(line) for line in lines]  # every line is JSON
    records = [e for e in events if e["event"] == "record"]
    assert len(records) == 15 and {e["status"] for e in records} == {"ok", "failed"}
    end = summary("\n".join(lines))
    assert (end["ok"], end["failed"], end["computed"], end["total"]) == (5, 10, 5, 15)
    assert end["articles_per_min"] > 0 and end["tokens_per_s"] > 0 and end["completion_tokens"] > 0


# --- never lose or duplicate ------------------------------------------------------------------
def test_resume_skips_what_is_done_and_refuses_to_append_without_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src, out = write_input(tmp_path / "in.jsonl"), tmp_path / "out.jsonl"
    assert batch(src, out) == 1
    before = (out.read_bytes(), errors_of(out).read_bytes())
    capsys.readouterr()
    assert batch(src, out, "--resume", "--log-json") == 1  # the job still has failures
    end = summary(capsys.readouterr().out)
    assert (end["skipped_ok"], end["skipped_failed"], end["computed"], end["ok"]) == (5, 10, 0, 0)
    assert (out.read_bytes(), errors_of(out).read_bytes()) == before  # nothing appended
    assert batch(src, out) == 2  # OUTPUT has records: no silent second copy
    assert (out.read_bytes(), errors_of(out).read_bytes()) == before
    assert batch(src, out, "--overwrite") == 1 and len(load(out)) == 5 and len(load(errors_of(out))) == 10


def test_resume_after_a_torn_last_line_redoes_only_that_article(tmp_path: Path) -> None:
    src, out = write_input(tmp_path / "in.jsonl"), tmp_path / "out.jsonl"
    assert batch(src, out) == 1
    whole = out.read_bytes()
    last_start = whole.rstrip(b"\n").rfind(b"\n") + 1
    out.write_bytes(whole[: last_start + 100])  # what a kill -9 in the middle of a write leaves
    assert batch(src, out, "--resume") == 1
    assert sorted(r["id"] for r in load(out)) == SEED_IDS  # every id exactly once
    assert len(load(errors_of(out))) == 10


def test_changed_article_is_redone_and_the_latest_line_wins(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    sid = SEED_IDS[4]
    assert batch(write_input(tmp_path / "a.jsonl", [seed_line(sid)]), out) == 0
    assert batch(write_input(tmp_path / "b.jsonl", [seed_line(sid, title="新标题")]), out, "--resume") == 0
    lines = load(out)
    assert [r["id"] for r in lines] == [sid, sid] and lines[0]["content_sha256"] != lines[1]["content_sha256"]
    digest = tmp_path / "d.md"
    assert batch(tmp_path / "b.jsonl", out, "--resume", "--digest", digest) == 0
    assert digest.read_text().count(f"`{sid}`") == 1 and "新标题" in digest.read_text()


def test_identical_articles_are_translated_once_and_repeated_ids_rejected(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    a, b = seed_line(SEED_IDS[4]), seed_line(SEED_IDS[4]).replace(SEED_IDS[4], "copy", 1)
    clash = seed_line(SEED_IDS[3]).replace(SEED_IDS[3], SEED_IDS[4], 1)  # another article, same id
    out = tmp_path / "out.jsonl"
    assert (
        batch(write_input(tmp_path / "in.jsonl", [a, b, clash]), out, "--log-json", "--concurrency", 2) == 1
    )
    end = summary(capsys.readouterr().out)
    assert (end["computed"], end["identical_copies"], end["ok"], end["failed"]) == (1, 1, 2, 1)
    first, copy = load(out)
    assert copy["id"] == "copy" and copy["duplicate_of"] == first["id"] == SEED_IDS[4]
    assert copy["translation"] == first["translation"] and copy["brief"] == first["brief"]
    [err] = load(errors_of(out))
    assert (err["id"], err["error"]) == (SEED_IDS[4], "duplicate_id")
    # An identical article arriving in a later run reuses the stored record instead of the model.
    later = seed_line(SEED_IDS[4]).replace(SEED_IDS[4], "later", 1)
    assert batch(write_input(tmp_path / "in2.jsonl", [a, later]), out, "--resume", "--log-json") == 0
    end = summary(capsys.readouterr().out)
    assert (end["computed"], end["identical_copies"], end["skipped_ok"]) == (0, 1, 1)
    assert load(out)[-1]["id"] == "later" and load(out)[-1]["duplicate_of"] == SEED_IDS[4]


def test_retry_errors_runs_failed_ids_again(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = write_input(tmp_path / "in.jsonl", [seed_line(SEED_IDS[4]), MALFORMED[1]])
    out, digest = tmp_path / "out.jsonl", tmp_path / "d.md"
    assert batch(src, out) == 1
    assert batch(src, out, "--resume") == 1 and len(load(errors_of(out))) == 1  # failures count as done
    capsys.readouterr()
    assert batch(src, out, "--resume", "--retry-errors", "--log-json", "--digest", digest) == 1
    end = summary(capsys.readouterr().out)
    assert (end["skipped_ok"], end["failed"], end["skipped_failed"]) == (1, 1, 0)
    assert [e["id"] for e in load(errors_of(out))] == ["bad-english"] * 2  # the retry's line appended
    assert digest.read_text().count("`bad-english`") == 1


def test_a_second_job_on_the_same_output_is_refused(tmp_path: Path) -> None:
    src, out = write_input(tmp_path / "in.jsonl", [seed_line(SEED_IDS[4])]), tmp_path / "out.jsonl"
    holder = ResultStore(out)  # another job holds the lock
    try:
        assert batch(src, out, "--resume") == 2
    finally:
        holder.close()
    assert batch(src, out, "--resume") == 0


def test_appender_writes_whole_lines_and_cuts_a_torn_tail(tmp_path: Path) -> None:
    path = tmp_path / "x.jsonl"
    w = JsonlAppender(path)
    assert w.append('{"a": 1}') == (0, 8) and w.append('{"b": 2}') == (9, 8)
    with pytest.raises(ValueError):
        w.append('{"c":\n3}')
    w.close()
    with path.open("ab") as f:
        f.write(b'{"torn": ')
    w = JsonlAppender(path)
    assert w.cut_torn_tail() == len(b'{"torn": ') and path.read_bytes() == b'{"a": 1}\n{"b": 2}\n'
    assert w.read_at(9, 8) == b'{"b": 2}'
    w.close()


def test_a_model_that_cannot_load_ends_the_job_with_exit_4(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FINBRIEF_BACKEND", "llamacpp")
    monkeypatch.setenv("FINBRIEF_MODEL", str(tmp_path / "missing.gguf"))
    out = tmp_path / "out.jsonl"
    assert batch(write_input(tmp_path / "in.jsonl"), out) == 4
    assert load(out) == [] and load(errors_of(out)) == []  # not one error line per article


# --- other inputs -----------------------------------------------------------------------------
def test_directory_input(tmp_path: Path) -> None:
    src = tmp_path / "crawl"
    (src / "sub").mkdir(parents=True)
    (src / "004.txt").write_text(seed("004"), encoding="utf-8")
    (src / "sub" / "003.md").write_text(seed("003"), encoding="utf-8")
    (src / "page.html").write_text(article_html(seed("001")), encoding="utf-8")
    (src / "english.txt").write_text("Markets fell on Monday. " * 10, encoding="utf-8")
    (src / "latin1.txt").write_bytes("美股".encode("utf-16"))
    (src / ".hidden.txt").write_text(seed("004"), encoding="utf-8")
    (src / "notes.pdf").write_bytes(b"%PDF-1.4")
    out = tmp_path / "out.jsonl"
    assert batch(src, out) == 1
    results = {r["id"]: r for r in load(out)}
    assert sorted(results) == ["004", "page", "sub/003"]
    assert results["sub/003"]["meta"] == {"path": str(src / "sub" / "003.md")}
    page = "".join(s["zh"] for s in results["page"]["translation"]["segments"])
    assert "美国" in page or "美國" in page
    assert "登录注册" not in page and "示例新闻网" not in page  # the page's navigation and footer
    assert {e["id"]: e["error"] for e in load(errors_of(out))} == {
        "english": "not_chinese",
        "latin1": "invalid_record",
    }


def test_url_records_are_fetched_with_the_ssrf_safe_fetcher(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FINBRIEF_FETCH_ALLOW_NETWORKS", '["127.0.0.0/8"]')
    out = tmp_path / "out.jsonl"
    with news_site(seed("004")) as site:
        lines = [
            json.dumps({"id": "web", "url": site.url + "/article", "desk": "tech"}),
            json.dumps({"id": "gone", "url": site.url + "/missing"}),
            json.dumps({"id": "metadata", "url": "http://169.254.169.254/latest/meta-data/"}),
        ]
        assert batch(write_input(tmp_path / "in.jsonl", lines), out) == 1
    [web] = load(out)
    assert web["id"] == "web" and web["meta"] == {"url": site.url + "/article", "desk": "tech"}
    assert web["translation"]["segments"] and web["brief"]["headline_en"]
    assert {e["id"]: e["error"] for e in load(errors_of(out))} == {
        "gone": "fetch_failed",
        "metadata": "url_refused",
    }


# --- digest -----------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["digest.md", "digest.html"])
def test_digest(tmp_path: Path, name: str) -> None:
    lines = [seed_line(s) for s in SEED_IDS] + [json.dumps({"id": "x<y>", "text": "not Chinese at all"})]
    digest = tmp_path / name
    assert batch(write_input(tmp_path / "in.jsonl", lines), tmp_path / "out.jsonl", "--digest", digest) == 1
    body = digest.read_text(encoding="utf-8")
    records = [BatchRecord.model_validate(r) for r in load(tmp_path / "out.jsonl")]
    for r in records:
        bullet = r.brief.summary[0]
        shown = bullet.text if name.endswith(".md") else html.escape(bullet.text)
        assert r.id in body and shown in body and bullet.evidence[0].zh[:20] in body  # with its source
    if name.endswith(".md"):
        assert body.startswith("# finbrief digest: 5 articles, 1 failed")
        assert body.count("\n## ") == 6 and "**Causes**" in body  # 5 articles + Failed
        assert "`x<y>`" in body and "not_chinese" in body
    else:
        assert body.startswith("<!doctype html>") and body.count("<section id=") == 5
        assert "<h3>Causes</h3>" in body and "x&lt;y&gt;" in body and "x<y>" not in body
    assert not any(p.name.endswith(".tmp") for p in tmp_path.iterdir())
