"""Asking the model one focused question and getting parsed JSON back, with accounting."""

from __future__ import annotations

import json
import logging
import re
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from .. import __version__
from ..schemas import Provenance, StepUsage, Timings, TokenCounts
from .backends.base import Backend, GenerationRequest, GenerationResult
from .spec import AnswerSpec, OneWord

log = logging.getLogger(__name__)
Question = tuple[str, AnswerSpec | str, int, str]  # (user prompt, answer spec or GBNF, max_tokens, tag)


@dataclass
class Usage:
    """Per-brief accounting: tokens, model seconds, and how often each check fired."""

    tokens: TokenCounts = field(default_factory=lambda: TokenCounts())
    model_s: float = 0.0
    checks: Counter[str] = field(default_factory=Counter)
    steps: dict[str, StepUsage] = field(default_factory=dict)

    def add(self, result: GenerationResult, tag: str = "") -> None:
        self.tokens.prompt += result.prompt_tokens
        self.tokens.completion += result.completion_tokens
        self.tokens.cached += result.cached_tokens
        self.tokens.calls += 1
        step = self.steps.setdefault(tag or "other", StepUsage())
        step.calls += 1
        step.prompt += result.prompt_tokens
        step.cached += result.cached_tokens
        step.completion += result.completion_tokens
        step.seconds += result.seconds
        step.prefill_s += result.extra.get("prompt_ms", 0.0) / 1000
        step.decode_s += result.extra.get("predicted_ms", 0.0) / 1000

    @classmethod
    def combined(cls, *parts: Provenance) -> Usage:
        """The accounting of several outputs as one (a batch record = its brief + its translation)."""
        usage = cls(model_s=sum(p.timings.model_s for p in parts))
        for p in parts:
            for key in ("prompt", "completion", "cached", "calls"):
                setattr(usage.tokens, key, getattr(usage.tokens, key) + getattr(p.tokens, key))
            usage.checks.update(p.checks)
            for tag, step in p.steps.items():
                mine = usage.steps.setdefault(tag, StepUsage())
                for key, value in step:
                    setattr(mine, key, getattr(mine, key) + value)
        return usage


def provenance(
    backend: Backend,
    prompt_version: str,
    usage: Usage,
    *,
    total_s: float,
    normalize_s: float = 0.0,
    queue_s: float = 0.0,
) -> Provenance:
    """What produced an output: model and its hash, prompt version, timings, tokens, checks fired."""
    return Provenance(
        model_id=backend.model_id,
        model_sha256=backend.model_sha256,
        backend=backend.name,
        prompt_version=prompt_version,
        finbrief_version=__version__,
        timings=Timings(
            total_s=round(total_s + queue_s, 3),
            normalize_s=round(normalize_s, 3),
            model_s=round(usage.model_s, 3),
            queue_s=round(queue_s, 3),
        ),
        tokens=usage.tokens,
        checks=dict(usage.checks),
        engine=getattr(backend, "engine", None),  # a serving engine's flavour, host, model, fingerprint
        steps={
            tag: step.model_copy(
                update={k: round(getattr(step, k), 3) for k in ("seconds", "prefill_s", "decode_s")}
            )
            for tag, step in sorted(usage.steps.items())
        },
    )


def parse_json(text: str) -> dict[str, Any] | None:
    """The JSON object in a model answer; tolerates code fences and prose around it."""
    text = text.strip()
    try:
        value = json.loads(text)
    except json.JSONDecodeError:
        m = re.search(r"\{.*\}", text, re.S)
        if not m:
            return None
        try:
            value = json.loads(m.group(0))
        except json.JSONDecodeError:
            return None
    return value if isinstance(value, dict) else None


def generate(backend: Backend, batch: list[GenerationRequest], usage: Usage) -> list[GenerationResult]:
    """The one model call: every step's requests go through here, timed and counted into `usage`."""
    if not batch:
        return []
    started = time.perf_counter()
    results = backend.generate(batch)
    elapsed = time.perf_counter() - started
    usage.model_s += elapsed
    for req, res in zip(batch, results, strict=True):
        # A backend that does not time each request (a concurrent batch) has its wall time shared out.
        res.seconds = res.seconds or elapsed / len(batch)
        usage.add(res, req.tag)
        log.debug("step %s -> %s", req.tag, res.text)
    return results


class Asker:
    def __init__(self, backend: Backend, system: str, usage: Usage) -> None:
        self.backend, self.system, self.usage = backend, system, usage

    def ask_many(self, items: Sequence[Question]) -> list[dict[str, Any] | None]:
        """items: (user prompt, answer spec or GBNF, max_tokens, tag). One backend batch; answers in order."""
        if not items:
            return []
        batch = [self._request(u, shape, n, tag) for u, shape, n, tag in items]
        out = []
        for req, res in zip(batch, generate(self.backend, batch, self.usage), strict=True):
            parsed = read_answer(req, res)
            if parsed is None:
                self.usage.checks["unparseable_json"] += 1
                log.info(
                    "step %s: no JSON (finish=%s, error=%s): %.200r",
                    req.tag,
                    res.finish_reason,
                    res.error,
                    res.text,
                )
            out.append(parsed)
        return out

    def ask(self, user: str, shape: AnswerSpec | str, max_tokens: int, tag: str) -> dict[str, Any] | None:
        return self.ask_many([(user, shape, max_tokens, tag)])[0]

    def _request(self, user: str, shape: AnswerSpec | str, max_tokens: int, tag: str) -> GenerationRequest:
        # A spec travels with its GBNF: llama.cpp reads the grammar, other engines render the spec.
        answer, gbnf = (None, shape) if isinstance(shape, str) else (shape, shape.gbnf())
        return GenerationRequest(
            system=self.system,
            user=user,
            grammar=gbnf,
            answer=answer,
            # A one-word answer is one generated token and its alternatives (spec.OneWord).
            max_tokens=answer.max_tokens if isinstance(answer, OneWord) else max_tokens,
            top_logprobs=answer.top_logprobs if isinstance(answer, OneWord) else 0,
            tag=tag,
            ban_cjk=True,
        )


def read_answer(req: GenerationRequest, res: GenerationResult) -> dict[str, Any] | None:
    """The answer as a dict: a one-word answer read with its probabilities, any other as JSON."""
    if res.finish_reason == "error":
        return None
    if isinstance(req.answer, OneWord):
        return req.answer.read(res.text, res.top_logprobs)
    return parse_json(res.text)
