"""The eval harnesses: metric keys, scoring rules and the CLI, without a model."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from finbrief.cli import main
from finbrief.evaluation import causes, translation
from finbrief.schemas import Brief, CauseClaim, KeyFigure, Provenance, Span, Timings, TokenCounts

from .conftest import SEEDS, SHARED, seed

TRANSLATION_KEYS = {"chrf++", "bleu", "leftover_chinese", "seconds_per_segment"}
CAUSES_KEYS = {
    "primary_accuracy",
    "supported_f1",
    "rejected_recall",
    "claimant_accuracy",
    "must_entities_recall",
    "must_not_hits",
    "key_numbers_recall",
    "evidence_verbatim_rate",
}


def test_translation_metrics() -> None:
    refs = ["Stocks fell sharply on Monday.", "The Fed held rates steady."]
    perfect = translation.evaluate(
        ["美股周一大跌。", "美联储维持利率不变。"], refs, lambda b: [(r, []) for r in refs[: len(b)]]
    )
    assert set(perfect.metrics) >= TRANSLATION_KEYS
    assert perfect.metrics["chrf++"] == 100.0 and perfect.metrics["leftover_chinese"] == 0
    leftover = translation.evaluate(
        ["美股周一大跌。"], refs[:1], lambda b: [("Stocks 大跌 on Monday.", ["x"])]
    )
    assert leftover.metrics["leftover_chinese"] == 1 and leftover.metrics["flagged_segments"] == 1
    assert leftover.metrics["chrf++"] < 100 and leftover.items[0]["hyp"] == "Stocks 大跌 on Monday."


def _brief(text: str) -> Brief:
    start = text.index("而非")
    end = text.index("。", start) + 1
    claim = CauseClaim(
        label="trade_policy",
        stance="rejected",
        claimant="Scott Bessent",
        moved="US stocks",
        direction="down",
        evidence_zh=text[start - 30 : end],
        evidence_start=start - 30,
        evidence_end=end,
        evidence_en="... rather than Trump's tariffs.",
        confidence=0.8,
    )
    supported = claim.model_copy(update={"label": "ai_disruption", "stance": "supported"})
    return Brief(
        headline_en="Scott Bessent says DeepSeek, not tariffs, hit the Nasdaq",
        summary_en=["Nvidia fell 13%.", "Donald Trump's tariffs were not the cause.", "More."],
        key_figures=[
            KeyFigure(
                value="$589 billion", unit="USD", what="lost value", evidence=Span(zh="x", start=0, end=1)
            )
        ],
        entities=[],
        causes=[supported, claim],
        primary_cause="ai_disruption",
        source_script="zh-Hant",
        provenance=Provenance(
            model_id="m",
            model_sha256=None,
            backend="b",
            prompt_version="v",
            finbrief_version="0",
            timings=Timings(total_s=1),
            tokens=TokenCounts(),
        ),
    )


def test_causes_scoring_on_a_seed() -> None:
    gold = causes.load_gold(SHARED / "eval" / "seed_gold.json")
    text = seed("000")
    item = causes.score_one(gold["000_9ded0a497c6ed467"], _brief(text), text)
    metrics = causes.aggregate([item])
    assert set(metrics) >= CAUSES_KEYS
    assert metrics["primary_accuracy"] == 1.0 and metrics["rejected_recall"] == 1.0
    assert metrics["evidence_verbatim_rate"] == 1.0 and metrics["must_not_hits"] == 0
    assert metrics["supported_precision"] == 1.0 and metrics["supported_recall"] == 0.25
    assert item["numbers_found"] == ["13%", "$589 billion"]
    assert set(item["entities_found"]) == {"Scott Bessent", "Nvidia", "Donald Trump", "DeepSeek", "Nasdaq"}
    assert causes.claimant_matches("Bank of America", "author; Bank of America (Nitin Saxena)")
    assert causes.claimant_matches("author", "author; Goldman Sachs")
    assert not causes.claimant_matches("author", "Barclays and Morgan Stanley strategists")


def test_must_not_reads_what_the_brief_says_not_the_source_it_quotes_back() -> None:
    gold = causes.load_gold(SHARED / "eval" / "seed_gold.json")["000_9ded0a497c6ed467"]
    text = seed("000")
    title = next(line for line in text.split("\n") if "Yellen" in line)  # the page's English title
    start = text.index(title)
    assert "Yellen" in gold["must_not"][0]
    skipped = [Span(zh=title, start=start, end=start + len(title))]
    quoted = _brief(text).model_copy(update={"skipped": skipped})
    assert causes.score_one(gold, quoted, text)["must_not_hits"] == []
    said = quoted.model_copy(update={"headline_en": "Janet Yellen blames DeepSeek"})
    assert causes.score_one(gold, said, text)["must_not_hits"] != []


def test_eval_causes_cli_scores_saved_briefs(tmp_path: Path) -> None:
    articles, briefs = tmp_path / "articles", tmp_path / "briefs"
    articles.mkdir()
    briefs.mkdir()
    src = next(SEEDS.glob("000_*.txt"))
    shutil.copy(src, articles / src.name)
    (briefs / f"{src.stem}.json").write_text(_brief(seed("000")).model_dump_json(), encoding="utf-8")
    gold = tmp_path / "gold.json"
    full = json.loads((SHARED / "eval" / "seed_gold.json").read_text(encoding="utf-8"))
    gold.write_text(json.dumps({"articles": {src.stem: full["articles"][src.stem]}}), encoding="utf-8")
    out = tmp_path / "report.json"
    rc = main(
        [
            "eval",
            "causes",
            "--gold",
            str(gold),
            "--articles",
            str(articles),
            "--briefs",
            str(briefs),
            "--out",
            str(out),
        ]
    )
    assert rc == 0
    report = json.loads(out.read_text(encoding="utf-8"))
    assert set(report["metrics"]) >= CAUSES_KEYS and report["items"][0]["id"] == src.stem


def test_translation_eval_resumes_from_its_checkpoint(tmp_path: Path) -> None:
    src = ["美股周一大跌。", "美联储维持利率不变。", "英伟达市值蒸发。"]
    ref = ["Stocks fell sharply on Monday.", "The Fed held rates steady.", "Nvidia lost value."]
    checkpoint = tmp_path / "r.json.partial.jsonl"
    calls: list[str] = []

    def translate(batch: list[str]) -> list[tuple[str, list[str]]]:
        calls.extend(batch)
        return [(ref[src.index(z)], []) for z in batch]

    first = translation.evaluate(src[:2], ref[:2], translate, batch_size=1, checkpoint=checkpoint)
    assert len(first.items) == 2 and len(checkpoint.read_text(encoding="utf-8").splitlines()) == 2
    with checkpoint.open("a", encoding="utf-8") as f:
        f.write('{"index": 2, "src": "cut off by a ki')  # a line torn by kill -9
    calls.clear()
    full = translation.evaluate(src, ref, translate, batch_size=1, checkpoint=checkpoint)
    assert calls == [src[2]] and [it["index"] for it in full.items] == [0, 1, 2]
    assert full.metrics["chrf++"] == 100.0


def test_a_failed_brief_scores_zero_and_the_run_goes_on(tmp_path: Path) -> None:
    from finbrief.errors import VerificationFailed

    gold = causes.load_gold(SHARED / "eval" / "seed_gold.json")

    def brief_of(article_id: str, text: str) -> Brief:
        if article_id.startswith("000"):
            raise VerificationFailed("no verifiable summary")
        return _brief(seed("000"))

    result = causes.evaluate(gold, SEEDS, brief_of)
    assert len(result.items) == 5 and result.items[0]["error"].startswith("verification_failed")
    assert result.metrics["primary_accuracy"] < 1.0


def test_eval_causes_resume_reuses_saved_briefs_without_loading_a_model(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    src = next(SEEDS.glob("000_*.txt"))
    articles, saved = tmp_path / "articles", tmp_path / "saved"
    articles.mkdir()
    saved.mkdir()
    shutil.copy(src, articles / src.name)
    (saved / f"{src.stem}.json").write_text(_brief(seed("000")).model_dump_json(), encoding="utf-8")
    gold = tmp_path / "gold.json"
    full = json.loads((SHARED / "eval" / "seed_gold.json").read_text(encoding="utf-8"))
    gold.write_text(json.dumps({"articles": {src.stem: full["articles"][src.stem]}}), encoding="utf-8")
    # A model that does not exist: loading it would fail the command.
    monkeypatch.setenv("FINBRIEF_MODEL", str(tmp_path / "no-such-model.gguf"))
    out = tmp_path / "report.json"
    args = ["eval", "causes", "--gold", str(gold), "--articles", str(articles)]
    assert main([*args, "--save-briefs", str(saved), "--resume", "--out", str(out)]) == 0
    assert json.loads(out.read_text(encoding="utf-8"))["metrics"]["rejected_recall"] == 1.0
    assert (
        main([*args, "--save-briefs", str(saved), "--out", str(out)]) == 4
    )  # without --resume: needs the model


def test_eval_faithfulness_scores_the_checks_against_labels(tmp_path: Path) -> None:
    from finbrief.evaluation import faithfulness
    from finbrief.text.glossary import Glossary

    article = "恒生指数周一大涨500点，收报2万点。\n分析师表示，外资卖超新台币520亿元。"
    (tmp_path / "a.txt").write_text(article, encoding="utf-8")
    first, second = article.index("恒生"), article.index("分析师")
    items = [
        {"kind": "bullet", "text": "The Hang Seng Index jumped 500 points on Monday.", "label": "supported",
         "spans": [[first, article.index("\n")]]},
        {"kind": "bullet", "text": "The Hang Seng Index fell 500 points on Monday.", "label": "contradicts",
         "spans": [[first, article.index("\n")]]},
        {"kind": "evidence", "text": "Analysts said foreigners sold 52 billion yuan.", "label": "partly",
         "spans": [[second, len(article)]]},
    ]  # fmt: skip
    lines = [json.dumps({"id": str(i), "article": "a", "path": "a.txt", **x}) for i, x in enumerate(items)]
    (tmp_path / "items.jsonl").write_text("\n".join(lines), encoding="utf-8")
    loaded = faithfulness.load_items(tmp_path / "items.jsonl")
    result = faithfulness.evaluate(loaded, tmp_path, None, Glossary.load())
    m = result.metrics
    assert m["bullet_catch_rate"] == 1.0 and m["bullet_false_alarm_rate"] == 0.0
    assert m["bullet_bad_share_before"] == 0.5 and m["bullet_bad_share_shipped"] == 0.0
    assert any("currency not in the source" in p for p in result.items[2]["problems"])
