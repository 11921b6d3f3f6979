"""`finbrief batch --engine ray` with backend openai: the driver's identity is the engine's served
model, and a Ray worker (ArticleWorker, called here without Ray) briefs through the shared engine
URL instead of loading a model."""

from __future__ import annotations

import json

from finbrief.batch.article import Identity
from finbrief.batch.inputs import InputRecord
from finbrief.batch.ray_runner import ArticleWorker
from finbrief.settings import Settings

from .conftest import seed
from .engine_fakes import FakeEngine, serving


def test_ray_workers_share_one_engine_url(settings: Settings) -> None:
    fake = FakeEngine(model="served-7b")
    with serving(fake.handler()) as url:
        s = settings.model_copy(update={"backend": "openai", "engine_url": url, "warmup": False})
        identity = Identity.of_settings(s)  # the driver: asks the engine, loads nothing
        assert (identity.model_id, identity.model_sha256) == ("served-7b", None)
        worker = ArticleWorker(s, identity)  # refuses to start if the engine served another model
        rec = InputRecord(id="a1", where="test", content_sha256="x", text=seed("004"))
        out = worker({"record": [rec.to_json()]})
        worker.runtime.backend.close()
    assert out["id"] == ["a1"] and out["ok"] == [True], out["payload"]
    record = json.loads(out["payload"][0])
    assert record["brief"]["provenance"]["engine"]["model"] == "served-7b"
    assert len(fake.bodies) == record["provenance"]["tokens"]["calls"] + 1  # + the worker's warmup
