"""What each engine flavour is sent (exact bodies, recorded) and how its answers are read, and how
the flavour is detected. The engine is an in-memory httpx transport."""

from __future__ import annotations

import json
import math
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from finbrief.model import answers
from finbrief.model.backends.base import GenerationRequest
from finbrief.model.backends.engine_http import EngineHTTP, RetryPolicy
from finbrief.model.backends.flavours import FLAVOURS
from finbrief.model.backends.openai_backend import OpenAIBackend
from finbrief.model.backends.scripted import ScriptedBackend
from finbrief.model.call import Asker, Usage
from finbrief.model.spec import JsonAnswer, PlainLine

RECORDED = Path(__file__).parent / "data" / "engine" / "request_bodies.json"
SYSTEM = "You are a careful financial news analyst."
Handler = Callable[[httpx.Request], httpx.Response]


def questions() -> dict[str, GenerationRequest]:
    """One of each kind the pipeline asks: as model/call.py's Asker builds them."""
    labels, claimants = ["trade_policy", "ai_disruption"], ["author", "Scott Bessent"]
    claim = answers.claim_answer(labels, claimants, max_drivers=1)
    bullet, yes_no, line = answers.bullet_answer(), answers.yes_no_answer(), answers.english_line(40)

    def asked(user: str, spec: Any, n: int, tag: str) -> GenerationRequest:
        return Asker(ScriptedBackend(), SYSTEM, Usage())._request(user, spec, n, tag)

    return {
        "claim": asked("Sentence: «贝森特表示，美股下跌是因为DeepSeek。» Which cause?", claim, 90, "claim"),
        "bullet": asked("One bullet for: «英伟达市值蒸发5950亿美元。»", bullet, 110, "bullet"),
        "yes_no": asked("Does the sentence give trade_policy as a reason?", yes_no, 1, "claim:label"),
        "line": GenerationRequest(
            "", "Chinese: 英伟达下跌。", 48, grammar=line.gbnf(), answer=line, stop=("\n",), tag="translate"
        ),
    }


def backend_for(flavour: str, handler: Handler) -> OpenAIBackend:
    http = EngineHTTP(
        "http://engine.test:8000/v1",
        api_key="sk-test",
        timeout_s=5,
        max_connections=2,
        policy=RetryPolicy(budget_s=0, max_attempts=1),
        transport=httpx.MockTransport(handler),
    )
    return OpenAIBackend(http, model="served-model", flavour=flavour, max_concurrency=2)


def chat_answer(content: str) -> dict[str, Any]:
    return {
        "choices": [
            {"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}
        ],
        "usage": {
            "prompt_tokens": 100,
            "completion_tokens": 7,
            "prompt_tokens_details": {"cached_tokens": 64},
        },
        "system_fingerprint": "fp_abc",
    }


def sent_bodies(flavour: str) -> dict[str, Any]:
    sent: list[tuple[str, dict[str, Any]]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        assert request.headers["authorization"] == "Bearer sk-test"
        sent.append((request.url.path, json.loads(request.content)))
        if request.url.path == "/api/chat":
            return httpx.Response(200, json={"message": {"role": "assistant", "content": "{}"}, "done": True})
        return httpx.Response(200, json=chat_answer("{}"))

    backend = backend_for(flavour, handler)
    asked = questions()
    backend.generate(list(asked.values()))
    backend.close()
    assert len({path for path, _ in sent}) == 1 and len(sent) == len(asked)
    # Matched by content, not arrival order: the backend sends a batch concurrently.
    by_user = {_user_text(body): body for _, body in sent}
    return {"path": sent[0][0], **{name: by_user[req.user] for name, req in asked.items()}}


def _user_text(body: dict[str, Any]) -> str:
    return str(next(m["content"] for m in body["messages"] if m["role"] == "user"))


def test_request_bodies_are_the_recorded_ones() -> None:
    now = {flavour: sent_bodies(flavour) for flavour in FLAVOURS}
    if os.environ.get("FINBRIEF_RECORD_BODIES"):  # set it to record anew, then read the diff
        RECORDED.write_text(json.dumps(now, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    assert now == json.loads(RECORDED.read_text(encoding="utf-8"))


def test_each_flavour_gets_the_constraint_it_understands() -> None:
    asked = questions()
    claim, line = asked["claim"].answer, asked["line"].answer
    assert isinstance(claim, JsonAnswer) and isinstance(line, PlainLine)
    llama, vllm, sglang = sent_bodies("llama-server"), sent_bodies("vllm"), sent_bodies("sglang")
    ollama, generic = sent_bodies("ollama"), sent_bodies("generic")
    assert llama["claim"]["grammar"] == claim.gbnf() and llama["line"]["grammar"] == line.gbnf()
    assert llama["claim"]["cache_prompt"] is True
    assert vllm["claim"]["structured_outputs"] == {"json": claim.json_schema()}
    # A one-word answer: one token, its alternatives asked for, constrained as each engine can.
    assert vllm["yes_no"]["structured_outputs"] == {"choice": ["yes", "no"]}
    assert llama["yes_no"]["grammar"] == 'root ::= "yes" | "no"\n' and sglang["yes_no"]["regex"] == "(yes|no)"
    assert ollama["yes_no"]["format"] == {"type": "string", "enum": ["yes", "no"]}
    assert "response_format" not in generic["yes_no"]  # strict schemas are objects: read by prefix
    for body in (llama, vllm, sglang, generic):
        assert body["yes_no"]["max_tokens"] == 1
        assert (body["yes_no"]["logprobs"], body["yes_no"]["top_logprobs"]) == (True, 10)
        assert "logprobs" not in body["claim"]
    assert vllm["line"]["structured_outputs"] == {"regex": line.regex()}
    assert sglang["claim"]["ebnf"] == claim.gbnf() and sglang["line"]["regex"] == line.regex()
    assert ollama["path"] == "/api/chat" and ollama["claim"]["format"] == claim.json_schema()
    assert ollama["claim"]["options"] == {"temperature": 0.0, "seed": 0, "num_predict": 90}
    assert "format" not in ollama["line"] and ollama["line"]["options"]["stop"] == ["\n"]
    schema = generic["claim"]["response_format"]["json_schema"]
    assert schema == {"name": "claim", "schema": claim.json_schema(), "strict": True}
    assert "response_format" not in generic["line"]  # free text: the checks and repair stand
    for body in (llama, vllm, sglang, generic):
        assert body["claim"]["messages"][0] == {"role": "system", "content": SYSTEM}
        assert body["claim"]["model"] == "served-model" and body["claim"]["max_tokens"] == 90


@pytest.mark.parametrize(
    ("flavour", "payload", "expected"),
    [
        (
            "llama-server",
            chat_answer('{"answer": "no"}')
            | {"timings": {"cache_n": 80, "prompt_per_second": 50.0, "predicted_per_second": 9.5}},
            ('{"answer": "no"}', "stop", 100, 7, 80),
        ),
        ("vllm", chat_answer('{"answer": "yes"}'), ('{"answer": "yes"}', "stop", 100, 7, 64)),
        (
            "sglang",
            {"choices": [{"message": {"content": "Nvidia fell."}, "finish_reason": "length"}], "usage": {}},
            ("Nvidia fell.", "length", 0, 0, 0),
        ),
        (
            "ollama",
            {
                "message": {"role": "assistant", "content": '{"what": "market value"}'},
                "done_reason": "stop",
                "prompt_eval_count": 321,
                "eval_count": 9,
            },
            ('{"what": "market value"}', "stop", 321, 9, 0),
        ),
        ("generic", chat_answer("") | {"usage": None}, ("", "stop", 0, 0, 0)),
    ],
)
def test_answers_are_read_per_flavour(
    flavour: str, payload: dict[str, Any], expected: tuple[Any, ...]
) -> None:
    backend = backend_for(flavour, lambda request: httpx.Response(200, json=payload))
    [result] = backend.generate([questions()["yes_no"]])
    backend.close()
    tokens = (result.prompt_tokens, result.completion_tokens, result.cached_tokens)
    assert (result.text, result.finish_reason, *tokens) == expected
    if flavour == "llama-server":
        assert result.extra == {"prompt_per_second": 50.0, "predicted_per_second": 9.5}
    if flavour in ("vllm", "llama-server"):
        assert backend.fingerprint == "fp_abc"


def with_logprobs(content: str, alternatives: dict[str, float]) -> dict[str, Any]:
    """A chat answer with OpenAI's logprobs shape (llama-server, vLLM and SGLang all use it)."""
    answer = chat_answer(content)
    top = [{"token": t, "logprob": lp, "bytes": list(t.encode())} for t, lp in alternatives.items()]
    answer["choices"][0]["logprobs"] = {"content": [{"token": content, "logprob": -0.1, "top_logprobs": top}]}
    return answer


@pytest.mark.parametrize("flavour", ["llama-server", "vllm", "sglang", "generic"])
def test_a_one_word_answer_comes_back_with_its_probabilities(flavour: str) -> None:
    payload = with_logprobs("yes", {"yes": math.log(0.6), "no": math.log(0.15), "{": math.log(0.25)})
    backend = backend_for(flavour, lambda request: httpx.Response(200, json=payload))
    reply = Asker(backend, SYSTEM, Usage()).ask("Does it?", answers.yes_no_answer(), 1, "claim:label")
    backend.close()
    assert reply == {"answer": "yes", "probs": {"yes": 0.8, "no": 0.2}}  # "{" is no word


def test_ollama_answers_the_word_without_probabilities() -> None:
    payload = {"message": {"role": "assistant", "content": '"no"'}, "done_reason": "stop"}
    backend = backend_for("ollama", lambda request: httpx.Response(200, json=payload))
    reply = Asker(backend, SYSTEM, Usage()).ask("Does it?", answers.yes_no_answer(), 1, "claim:label")
    backend.close()
    assert reply == {"answer": "no", "probs": {}}


def test_an_answer_without_choices_is_an_error_result() -> None:
    backend = backend_for("vllm", lambda request: httpx.Response(200, json={"object": "error"}))
    [result] = backend.generate([questions()["bullet"]])
    backend.close()
    assert result.finish_reason == "error" and "choices" in (result.error or "")


def engine_at(routes: dict[str, dict[str, Any]], server: str = "") -> Handler:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path in routes:
            return httpx.Response(200, json=routes[request.url.path], headers={"server": server})
        return httpx.Response(404, json={"error": "not found"})

    return handler


def models(owner: str | None) -> dict[str, Any]:
    entry = {"id": "served-model", "object": "model"} | ({"owned_by": owner} if owner else {})
    return {"object": "list", "data": [entry]}


@pytest.mark.parametrize(
    ("routes", "flavour"),
    [
        ({"/v1/models": models("vllm")}, "vllm"),
        ({"/v1/models": models("sglang")}, "sglang"),
        ({"/v1/models": models("llamacpp")}, "llama-server"),
        ({"/v1/models": models(None), "/props": {"default_generation_settings": {}}}, "llama-server"),
        ({"/v1/models": models("library"), "/api/version": {"version": "0.12.1"}}, "ollama"),
        ({"/v1/models": models(None), "/get_server_info": {"model_path": "Qwen/Qwen2.5-7B"}}, "sglang"),
        ({"/v1/models": models(None), "/version": {"version": "0.13.0"}}, "vllm"),
        ({"/v1/models": models("openai")}, "generic"),
    ],
)
def test_the_flavour_is_detected_where_the_server_says_what_it_is(
    routes: dict[str, dict[str, Any]], flavour: str
) -> None:
    backend = backend_for("auto", engine_at(routes))
    assert backend.flavour == flavour and backend.model_id == "served-model"
    backend.close()


def test_the_served_model_defaults_to_the_first_listed() -> None:
    routes = {"/v1/models": {"data": [{"id": "first"}, {"id": "second"}]}}
    http = EngineHTTP(
        "http://engine.test",
        api_key=None,
        timeout_s=5,
        max_connections=1,
        policy=RetryPolicy(budget_s=0, max_attempts=1),
        transport=httpx.MockTransport(engine_at(routes)),
    )
    backend = OpenAIBackend(http, flavour="generic")
    assert backend.model_id == "first" and backend.engine is not None
    assert backend.engine.model_dump() == {
        "flavour": "generic",
        "host": "engine.test",
        "model": "first",
        "fingerprint": None,
    }
    backend.check_ready()
    backend.close()
