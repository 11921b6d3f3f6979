"""What each serving engine is sent, and how its answers read: one class per flavour.

Every flavour gets the same chat request; only the constraint differs, each rendered from the
request's answer spec (spec.py), so the shapes cannot drift between engines. How each one keeps
Chinese out of English answers (the CJK ban):

- llama-server: `grammar`, the GBNF itself (JSON answers and the translation line): grammar.
- vllm: `structured_outputs`: `choice` (every possible answer, e.g. yes/no), else `json` (the
  schema, whose strings carry a `pattern` without CJK), and `regex` for the line: pattern/regex.
- sglang: `ebnf` (the GBNF; xgrammar reads llama.cpp's format) and `regex` for the line: grammar.
- ollama: native /api/chat, `format` = the schema: `pattern`; the line has no constraint there,
  so it rests on the checks and one repair (which refuse any CJK in English).
- generic: `response_format` json_schema (strict): `pattern` where the server honours it; the
  line is unconstrained: checks and repair.

One-word answers (spec.OneWord: yes/no) are one generated token with its `top_logprobs`:
llama-server by its grammar, vLLM by `choice`, SGLang by `regex`, each with OpenAI's `logprobs`;
Ollama by `format` (a bare JSON string, no probabilities); generic unconstrained, read by prefix.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..spec import JsonAnswer, OneWord, PlainLine
from .base import GenerationRequest, GenerationResult, engine_timings

FLAVOURS = ("llama-server", "vllm", "sglang", "ollama", "generic")


class BadAnswer(Exception):
    """A 200 from the engine without the fields an answer has."""


def messages(req: GenerationRequest) -> list[dict[str, str]]:
    system = [{"role": "system", "content": req.system}] if req.system else []
    return [*system, {"role": "user", "content": req.user}]


@dataclass(frozen=True)
class Generic:
    """Any OpenAI-compatible chat-completions server: `response_format` with a JSON schema."""

    name: str = "generic"
    path: str = "/v1/chat/completions"

    def body(self, req: GenerationRequest, model: str) -> dict[str, Any]:
        body: dict[str, Any] = {
            "model": model,
            "messages": messages(req),
            "max_tokens": req.max_tokens,
            "temperature": req.temperature,
            "seed": req.seed,
        }
        if req.stop:
            body["stop"] = list(req.stop)
        if req.top_logprobs:
            body |= {"logprobs": True, "top_logprobs": req.top_logprobs}
        return body | self.constraint(req)

    def constraint(self, req: GenerationRequest) -> dict[str, Any]:
        if isinstance(req.answer, JsonAnswer):
            schema = {"name": req.answer.name, "schema": req.answer.json_schema(), "strict": True}
            return {"response_format": {"type": "json_schema", "json_schema": schema}}
        return {}  # free text: no constraint this flavour can express; the checks and repair stand

    def parse(self, data: dict[str, Any]) -> GenerationResult:
        try:
            choice = data["choices"][0]
            text = choice["message"].get("content") or ""
        except (KeyError, IndexError, TypeError, AttributeError):
            raise BadAnswer(f"no choices[0].message in {str(data)[:200]}") from None
        usage = data.get("usage") or {}
        details = usage.get("prompt_tokens_details") or {}
        return GenerationResult(
            text=text,
            prompt_tokens=int(usage.get("prompt_tokens") or 0),
            completion_tokens=int(usage.get("completion_tokens") or 0),
            cached_tokens=int(details.get("cached_tokens") or 0),
            finish_reason="length" if choice.get("finish_reason") == "length" else "stop",
            top_logprobs=top_logprobs(choice),
        )


@dataclass(frozen=True)
class LlamaServer(Generic):
    """llama-server (and finbrief's in-process llama.cpp): the GBNF itself, and its prompt cache."""

    name: str = "llama-server"

    def constraint(self, req: GenerationRequest) -> dict[str, Any]:
        gbnf = req.grammar or (req.answer.gbnf() if req.answer is not None else None)
        return {"cache_prompt": True} | ({"grammar": gbnf} if gbnf else {})

    def parse(self, data: dict[str, Any]) -> GenerationResult:
        result = super().parse(data)
        timings = data.get("timings") or {}
        result.cached_tokens = int(timings.get("cache_n") or result.cached_tokens)
        result.extra = engine_timings(timings)
        return result


@dataclass(frozen=True)
class VLLM(Generic):
    """vLLM >= 0.12: `structured_outputs` (xgrammar/guidance): every possible answer as `choice`
    where there are few (a yes/no is one token to pick), else the JSON schema; text by regex."""

    name: str = "vllm"

    def constraint(self, req: GenerationRequest) -> dict[str, Any]:
        answer = req.answer
        if isinstance(answer, OneWord):
            return {"structured_outputs": {"choice": answer.choices()}}
        if isinstance(answer, JsonAnswer):
            choices = answer.choices()
            rule: dict[str, Any] = {"choice": choices} if choices else {"json": answer.json_schema()}
        elif isinstance(answer, PlainLine):
            rule = {"regex": answer.regex()}
        elif req.grammar:
            rule = {"grammar": req.grammar}
        else:
            return {}
        return {"structured_outputs": rule}


@dataclass(frozen=True)
class SGLang(Generic):
    """SGLang: `ebnf` takes llama.cpp's GBNF (xgrammar, its default grammar backend); text by `regex`."""

    name: str = "sglang"

    def constraint(self, req: GenerationRequest) -> dict[str, Any]:
        if isinstance(req.answer, PlainLine | OneWord):
            return {"regex": req.answer.regex()}
        gbnf = req.grammar or (req.answer.gbnf() if req.answer is not None else None)
        return {"ebnf": gbnf} if gbnf else {}


@dataclass(frozen=True)
class Ollama(Generic):
    """Ollama's native chat API: `format` takes a JSON schema; sampling goes in `options`."""

    name: str = "ollama"
    path: str = "/api/chat"

    def body(self, req: GenerationRequest, model: str) -> dict[str, Any]:
        # A one-word answer comes as a JSON string here: its two quotes are tokens too.
        quotes = 2 if isinstance(req.answer, OneWord) else 0
        options: dict[str, Any] = {
            "temperature": req.temperature,
            "seed": req.seed,
            "num_predict": req.max_tokens + quotes,
        }
        if req.stop:
            options["stop"] = list(req.stop)
        body: dict[str, Any] = {
            "model": model,
            "messages": messages(req),
            "stream": False,
            "options": options,
        }
        if isinstance(req.answer, JsonAnswer | OneWord):
            body["format"] = req.answer.json_schema()
        return body

    def parse(self, data: dict[str, Any]) -> GenerationResult:
        message = data.get("message")
        if not isinstance(message, dict):
            raise BadAnswer(f"no message in {str(data)[:200]}")
        return GenerationResult(
            text=message.get("content") or "",
            prompt_tokens=int(data.get("prompt_eval_count") or 0),
            completion_tokens=int(data.get("eval_count") or 0),
            finish_reason="length" if data.get("done_reason") == "length" else "stop",
        )


Flavour = Generic  # every flavour is a Generic with its own constraint (and Ollama its own API)
BY_NAME: dict[str, Flavour] = {f.name: f for f in (LlamaServer(), VLLM(), SGLang(), Ollama(), Generic())}


def top_logprobs(choice: dict[str, Any]) -> list[dict[str, float]]:
    """OpenAI's choices[0].logprobs.content[i].top_logprobs as [{token: logprob}] per generated
    token (llama-server, vLLM and SGLang answer in this shape); [] when not given or malformed."""
    content = (choice.get("logprobs") or {}).get("content") if isinstance(choice, dict) else None
    if not isinstance(content, list):
        return []
    out = []
    for position in content:
        alternatives = position.get("top_logprobs") if isinstance(position, dict) else None
        out.append(
            {
                str(alt["token"]): float(alt["logprob"])
                for alt in alternatives or []
                if isinstance(alt, dict) and isinstance(alt.get("logprob"), int | float) and "token" in alt
            }
        )
    return out


def fingerprint(data: dict[str, Any]) -> str | None:
    value = data.get("system_fingerprint")
    return str(value) if value else None
