"""A deterministic test backend (cf. infinity's dummy engine): answers each pipeline step with
well-formed JSON derived from the request, or with whatever a test's responder returns. It lets
tests drive the whole service - queueing, errors, verification, repair - without a model."""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable, Sequence

from ...text.scopes import HEDGE_RE, negation_scopes
from ...text.script import cjk_count, to_simplified
from .base import GenerationRequest, GenerationResult

Responder = Callable[[GenerationRequest], str]


def _first_enum(grammar: str, rule: str) -> str:
    m = re.search(rf'^{rule} ::= "\\"([^"\\]*)\\""', grammar or "", re.M)
    return m.group(1) if m else ""


_VERBS = (
    "Reported",
    "Stated",
    "Noted",
    "Described",
    "Recorded",
    "Cited",
    "Listed",
    "Given",
    "Quoted",
    "Named",
)
_NOUNS = ("facts", "figures", "details", "points", "items", "data", "accounts", "names", "notes", "lines")


def _quoted_sentence(user: str) -> str:
    m = re.search(r"«(.*?)»", user, re.S)
    return m.group(1) if m else user


def scripted_rendering(user: str, kind: str) -> str:
    """A headline or bullet that passes the grounded checks for the sentence the prompt quotes: the
    sentence's hinted names and Latin-script words and its figures, in a neutral frame that keeps
    any hedge ("may") or negation ("not") the sentence has."""
    from ...checks import LATIN_WORD_RE
    from ...text.figures import find_figures

    source = _quoted_sentence(user)
    names = re.findall(r"= ([^;\n]+)", next((x for x in user.splitlines() if x.startswith("Names: ")), ""))
    latin = [m.group() for m in LATIN_WORD_RE.finditer(source)]
    parts = list(dict.fromkeys([*names, *latin, *(f.english() for f in find_figures(source))]))

    simp = to_simplified(source)
    key = sum(i * ord(c) for i, c in enumerate(source))
    frame = f"{_VERBS[key % 10]} {_NOUNS[key // 10 % 10]}"
    keeps = " which may" * bool(HEDGE_RE.search(simp)) + " not" * bool(negation_scopes(simp, 0, len(simp)))
    if kind == "headline":
        return f"{frame}{keeps}: " + (", ".join(parts[:2]) or "market news")
    return f"{frame} in the article{keeps}: " + (", ".join(parts) or "a market update") + "."


def scripted_translation(user: str) -> str:
    """A plain-text "translation" that passes the translator's checks: it carries the source's figures,
    hinted names and Latin-script words, and is as long as a real one would be."""
    from ...checks import LATIN_WORD_RE
    from ...text.figures import find_figures

    source = next(
        (line[len("Chinese: ") :] for line in user.splitlines() if line.startswith("Chinese: ")), user
    )
    names = re.findall(r"= ([^;\n]+)", next((x for x in user.splitlines() if x.startswith("Names: ")), ""))
    latin = [m.group() for m in LATIN_WORD_RE.finditer(source)]  # names the source writes in Latin
    simp = to_simplified(source)
    keeps = " which may" * bool(HEDGE_RE.search(simp)) + " not" * bool(negation_scopes(simp, 0, len(simp)))
    parts = [f"The source states{keeps}", *names, *latin, *(f.english() for f in find_figures(source))]
    text = ", ".join(parts)
    while len(text) < 0.8 * cjk_count(source):
        text += ", as the article says"
    return text + "."


def default_responder(req: GenerationRequest) -> str:
    for kind in ("headline", "bullet"):
        if req.tag.startswith(kind):
            return json.dumps({kind: scripted_rendering(req.user, kind)})
    if req.tag == "claim:label":  # "does the sentence give this label as a reason too?" (one word)
        return "no"
    if req.tag.startswith("claim"):
        return json.dumps(
            {
                "drivers": [_first_enum(req.grammar or "", "driver")],
                "claimant": _first_enum(req.grammar or "", "claimant"),
                "moved": "US stocks",
                "direction": "down",
                "evidence_en": "Stocks fell.",
            }
        )
    if req.tag.startswith("figure"):
        return json.dumps({"what": "a reported figure"})
    if req.tag.startswith("translate"):
        return scripted_translation(req.user)
    return "OK"


class ScriptedBackend:
    name = "scripted"

    def __init__(
        self,
        responder: Responder = default_responder,
        *,
        delay_s: float = 0.0,
        model_id: str = "scripted-test",
    ) -> None:
        self.responder, self.delay_s = responder, delay_s
        self.model_id = model_id
        self.model_sha256: str | None = None  # typed as the Backend protocol's
        self.calls: list[GenerationRequest] = []
        self._lock = threading.Lock()

    def generate(self, batch: Sequence[GenerationRequest]) -> list[GenerationResult]:
        out = []
        for req in batch:
            with self._lock:
                self.calls.append(req)
            if self.delay_s:
                time.sleep(self.delay_s)
            text = self.responder(req)
            out.append(GenerationResult(text, self.count_tokens(req.user), self.count_tokens(text), "stop"))
        return out

    def count_tokens(self, text: str) -> int:
        return len(text.split()) + cjk_count(text)

    def warmup(self) -> None:
        pass

    def close(self) -> None:
        pass
