"""A bounded schemathesis run against the app's own OpenAPI schema, through a real uvicorn server on
loopback with the scripted backend: valid and invalid requests alike get no 5xx, and every answer
conforms to the schema (status, content type, headers, body).

`positive_data_acceptance` is left out on purpose: the schema can say how long an article is, not
that it is Chinese, so most schema-valid texts are rightly refused (422 not_chinese, documented)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.generation.modes import GenerationMode
from schemathesis.schemas import APIOperation
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from finbrief.api.app import create_app
from finbrief.errors import UrlRefused
from finbrief.model.backends.scripted import ScriptedBackend
from finbrief.settings import Settings

from .fake_slack import serving_ready

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    negative_data_rejection,
]
EXAMPLES = 150  # per operation and generation mode: the whole run takes ~20 s
SENT: Counter[str] = Counter()  # cases sent, by operation: reported by the last test


class NoFetch:
    """Generated urls are never fetched (no network in tests; the fetcher has its own tests)."""

    def fetch(self, url: str) -> object:
        raise UrlRefused("not fetched in this test", detail={"url": url[:100]})


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    cfg = Settings(model_dir=tmp_path_factory.mktemp("models"), auto_pull=False, warmup=False, queue_size=64)
    app = create_app(cfg, ScriptedBackend())
    app.state.fetcher = NoFetch()
    with serving_ready(app) as base:
        yield base


def operations(base: str) -> list[APIOperation]:
    loaded = schemathesis.openapi.from_url(base + "/openapi.json")
    # A text over the schema's maxLength is refused with its own documented 413 (text_too_large).
    rejection = loaded.config.checks.negative_data_rejection
    rejection.expected_statuses = [*rejection.expected_statuses, "413"]
    return [result.ok() for result in loaded.get_all_operations()]


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_the_api_honours_its_schema(served: str, mode: GenerationMode) -> None:
    ops = operations(served)
    assert {f"{op.method.upper()} {op.path}" for op in ops} >= {"POST /v1/brief", "POST /v1/translate"}
    for op in ops:
        if mode is GenerationMode.NEGATIVE and not (op.body or op.query):
            continue  # a GET without parameters has nothing that can be made invalid

        @given(case=op.as_strategy(generation_mode=mode))
        @settings(max_examples=EXAMPLES, deadline=None,
                  suppress_health_check=list(HealthCheck), database=None)
        def run(case: schemathesis.Case) -> None:
            SENT[f"{mode} {case.method} {case.path}"] += 1
            case.call_and_validate(base_url=served, checks=CHECKS, timeout=30)

        run()


def test_zz_the_run_was_real() -> None:
    """Runs after the generated tests (file order): they covered every operation, not a handful."""
    print(f"\nschemathesis cases sent: {sum(SENT.values())} {dict(SENT)}")
    assert {"positive POST /v1/brief", "negative POST /v1/translate"} <= set(SENT)
    assert sum(SENT.values()) >= 500
