"""Answer specs: one shape per answer, rendered as GBNF (llama.cpp, SGLang), JSON schema (vLLM,
Ollama, generic) and choices/regex. The renderings must accept and refuse the same answers."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from finbrief.model import answers, grammar
from finbrief.model.spec import English, JsonAnswer, ListOf, OneOf

from .gbnf import matches

jsonschema = pytest.importorskip("jsonschema")  # installed with the `ray` extra (CI installs it)

RECORDED = Path(__file__).parent / "data" / "engine" / "grammars_before_specs.json"
LABELS, CLAIMANTS = ["trade_policy", "ai_disruption", "valuation"], ["author", "Scott Bessent", "the Fed"]

PIPELINE_ANSWERS: dict[str, JsonAnswer] = {
    "headline": answers.headline_answer(),
    "bullet": answers.bullet_answer(),
    "claim": answers.claim_answer(LABELS, CLAIMANTS),
    "claim_open": answers.claim_answer(LABELS, CLAIMANTS, allow_none=True, max_drivers=1),
    "claim_denied": answers.claim_answer(LABELS[:2], CLAIMANTS, allow_none=False),
    "figure": answers.figure_answer(),
    "translation": answers.translation_answer(50),
}


def test_grammars_are_the_ones_written_by_hand_before_specs() -> None:
    """Byte for byte: llama.cpp's prompt cache and the recorded evaluations stay comparable."""
    before = json.loads(RECORDED.read_text(encoding="utf-8"))
    now = {
        "headline": grammar.headline_grammar(),
        "bullet": grammar.bullet_grammar(),
        "claim1": grammar.claim_grammar(LABELS, CLAIMANTS),
        "claim2": grammar.claim_grammar(LABELS, CLAIMANTS, allow_none=False, max_drivers=1),
        "claim3": grammar.claim_grammar(LABELS[:1], ["author"], allow_none=True, max_drivers=None),
        "translation": grammar.translation_grammar(),
        "translation50": grammar.translation_grammar(50),
        "figure": grammar.figure_grammar(),
        "plain": grammar.plain_english_grammar(20),
        "plain2": grammar.plain_english_grammar(612),
    }
    assert now == before


def _good_value(spec: Any) -> Any:
    if isinstance(spec, English):
        first = "A"
        return first + "b" * (spec.min_chars - 1)
    if isinstance(spec, OneOf):
        return spec.values[-1]
    assert isinstance(spec, ListOf)
    return list(spec.values[: spec.max_items])


def _variants(spec: Any) -> list[Any]:
    """Values of one field, right and wrong, around every bound the spec sets."""
    if isinstance(spec, English):
        fill = "x" if spec.char.rule == "en-char" else "y"
        return [
            "A" + fill * (spec.min_chars - 1),
            "A" + fill * (spec.max_chars - 1),
            "A" + fill * spec.max_chars,  # one too long
            "A" + fill * max(0, spec.min_chars - 2),  # one too short (or empty)
            " " + "A" * spec.min_chars,  # leading space
            "Crédit Agricole — “quoted” 5% rise"[: spec.max_chars],
            "美股下跌" + "x" * spec.min_chars,  # Chinese
            "US stocks fell，sharply" + "x" * spec.min_chars,  # a full-width comma
            'He said "no"' + "x" * spec.min_chars,  # a quote inside: refused (no escapes at all)
            "Down 5 percent" + "x" * spec.min_chars,  # digits (refused by the figure answer only)
            "line\nbreak" + "x" * spec.min_chars,
        ]
    if isinstance(spec, OneOf):
        return [*spec.values, "maybe", spec.values[0].upper()]
    assert isinstance(spec, ListOf)
    return [
        list(spec.values[:1]),
        list(spec.values[: spec.max_items]),
        [spec.values[0]] * (spec.max_items + 1),  # too many
        [],  # too few
        ["not_a_label"],
    ]


def _examples(answer: JsonAnswer) -> list[str]:
    base = {key: _good_value(spec) for key, spec in answer.fields}
    texts = [json.dumps(base, ensure_ascii=False)]
    for key, spec in answer.fields:
        for value in _variants(spec):
            texts.append(json.dumps({**base, key: value}, ensure_ascii=False))
    texts.append(json.dumps({**base, "extra": "x"}, ensure_ascii=False))  # a key too many
    texts.append(json.dumps(dict(list(base.items())[1:]), ensure_ascii=False))  # a key missing
    texts.append(json.dumps(base, ensure_ascii=False, indent=1))  # newlines as whitespace: allowed
    return texts


def _schema_accepts(schema: dict[str, Any], text: str) -> bool:
    try:
        jsonschema.validate(json.loads(text), schema)
    except jsonschema.ValidationError:
        return False
    return True


@pytest.mark.parametrize("name", sorted(PIPELINE_ANSWERS))
def test_gbnf_and_json_schema_agree(name: str) -> None:
    answer = PIPELINE_ANSWERS[name]
    gbnf, schema = answer.gbnf(), answer.json_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    verdicts = [(text, matches(gbnf, text), _schema_accepts(schema, text)) for text in _examples(answer)]
    disagree = [(text, g, s) for text, g, s in verdicts if g != s]
    assert not disagree
    # Both kinds occur: the examples test the bounds, not only the happy path.
    assert {g for _, g, _ in verdicts} == {True, False}


def test_cjk_is_refused_by_every_rendering_of_an_english_field() -> None:
    bullet = answers.bullet_answer()
    text = json.dumps({"bullet": "Stocks fell after 贝森特 spoke about the tariffs."}, ensure_ascii=False)
    assert not matches(bullet.gbnf(), text) and not _schema_accepts(bullet.json_schema(), text)
    pattern = bullet.json_schema()["properties"]["bullet"]["pattern"]
    assert pattern.startswith("^") and pattern.endswith("$") and "\\u00C0" in pattern


def test_key_order_is_the_one_known_difference() -> None:
    """GBNF fixes the key order; a schema cannot (engines emit keys in schema order anyway)."""
    answer = answers.claim_answer(LABELS, CLAIMANTS)
    good = {"drivers": ["valuation"], "claimant": "author", "moved": "Nasdaq", "direction": "down"}
    reordered = json.dumps(dict(reversed(list(good.items()))))
    assert not matches(answer.gbnf(), reordered) and _schema_accepts(answer.json_schema(), reordered)


def test_choices_are_every_answer_the_grammar_allows() -> None:
    pick = JsonAnswer("pick", (("answer", OneOf(("yes", "no"))),))
    choices = pick.choices()
    assert choices == ['{"answer": "yes"}', '{"answer": "no"}']
    assert all(matches(pick.gbnf(), c) and _schema_accepts(pick.json_schema(), c) for c in choices)
    # Free text, or too many combinations: no list of choices.
    assert answers.claim_answer(LABELS, CLAIMANTS).choices() is None
    many = JsonAnswer("many", tuple((f"k{i}", OneOf(("a", "b", "c"))) for i in range(5)))
    assert many.choices() is None


@pytest.mark.parametrize(
    ("text", "ok"),
    [
        ("Stocks fell 5% on Monday.", True),
        ("x" * 40, True),
        ("x" * 41, False),
        (" leading space", False),
        ("", False),
        ("two\nlines", False),
        ("Bessent 贝森特 said", False),
        ("Full-width comma，here", False),
        ('Quotes "and" \\ backslashes', True),
    ],
)
def test_plain_line_regex_and_gbnf_agree(text: str, ok: bool) -> None:
    line = answers.english_line(40)
    assert matches(line.gbnf(), text) is ok
    assert (re.fullmatch(line.regex(), text) is not None) is ok


# --- one-word answers: one token, read with its probabilities ---------------------------------
def test_a_one_word_answer_renders_alike_for_every_engine() -> None:
    yes_no = answers.yes_no_answer()
    for word, ok in [("yes", True), ("no", True), ("Yes", False), ('{"answer": "yes"}', False), ("", False)]:
        assert matches(yes_no.gbnf(), word) is ok
        assert (re.fullmatch(yes_no.regex(), word) is not None) is ok
        assert (word in yes_no.choices()) is ok
        assert _schema_accepts(yes_no.json_schema(), json.dumps(word)) is ok  # Ollama: a JSON string


@pytest.mark.parametrize(
    ("text", "logprobs", "expected"),
    [
        # The engine's alternatives for the one generated token, any case or spacing, summed per
        # word and renormalised over the words ("{" is no word and drops out).
        ("yes", [{"yes": -0.2, "Yes": -2.0, "no": -1.9, "{": -3.0}], {"yes": 0.8645, "no": 0.1355}),
        ("no", [{" no": -0.1, "yes": -2.4}], {"yes": 0.0911, "no": 0.9089}),
        # One token cut short by max_tokens=1 where a tokenizer splits the word: its prefix names it.
        ("ye", [{"ye": -0.5, "n": -1.0}], {"yes": 0.6225, "no": 0.3775}),
        # No alternatives given (Ollama, a scripted backend): the word without probabilities.
        ("yes", [], {}),
        ('"no"', [], {}),  # a bare JSON string (Ollama's `format`)
        ('{"answer": "no"}', [], {}),  # an engine that answered JSON anyway
    ],
)
def test_a_one_word_answer_is_read_with_its_probabilities(
    text: str, logprobs: list[dict[str, float]], expected: dict[str, float]
) -> None:
    read = answers.yes_no_answer().read(text, logprobs)
    assert read is not None and read["probs"] == expected
    assert read["answer"] == ("yes" if text.strip('"').startswith("y") else "no")


@pytest.mark.parametrize("text", ["", "maybe", "Sure", '{"answer": "perhaps"}', "{not json"])
def test_a_reply_that_names_no_word_is_no_answer(text: str) -> None:
    assert answers.yes_no_answer().read(text, [{"yes": -0.1}]) is None


def test_the_most_probable_word_is_the_answer_whatever_the_grammar_forced() -> None:
    # Seen on the 0.5B model: raw alternatives "No" -0.5, "Yes" -1.0, "yes" -5.3, "no" -6.3; the
    # lowercase-only grammar sampled "yes", the model's answer is no.
    read = answers.yes_no_answer().read("yes", [{"No": -0.5, "Yes": -1.0, "yes": -5.3, "no": -6.3}])
    assert read is not None and read["answer"] == "no" and read["probs"]["no"] > 0.6
