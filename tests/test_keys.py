"""API keys and per-key quotas (FINBRIEF_AUTH=keys): 401 without a valid key, 429 with Retry-After over
a quota and back after it resets, the key file never holding a key, and `finbrief keys`."""

from __future__ import annotations

import json
import logging
import stat
from pathlib import Path

import pytest

from finbrief import cli
from finbrief.api.access import Access
from finbrief.keys.quotas import QuotaBook
from finbrief.keys.store import KeyRecord, KeyStore, digest, key_file
from finbrief.logs import JsonFormatter
from finbrief.settings import Settings

from .app_client import Clock, ready_client
from .conftest import seed


@pytest.fixture
def keyed(settings: Settings, tmp_path: Path) -> Settings:
    return settings.model_copy(update={"auth": "keys", "keys_path": tmp_path / "keys.json"})


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def with_clock(access: Access, clock: Clock) -> None:
    access.quotas = QuotaBook(clock)


def test_keys_are_off_by_default(settings: Settings) -> None:
    assert settings.auth == "none"
    with ready_client(settings) as client:
        assert client.get("/v1/labels").status_code == 200
        assert not hasattr(client.app.state, "access")  # type: ignore[attr-defined]
        assert "401" not in json.dumps(client.get("/openapi.json").json()["paths"]["/v1/brief"])


def test_no_key_or_a_bad_key_is_401_a_good_key_200(keyed: Settings, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="finbrief.access")
    key = KeyStore(key_file(keyed)).add("desk")
    with ready_client(keyed) as client:
        for headers in ({}, bearer("fb_not-a-key"), {"Authorization": f"Basic {key}"}, bearer("")):
            r = client.post("/v1/brief", json={"text": seed("004")}, headers=headers)
            assert r.status_code == 401, headers
            assert r.json()["error"] == "unauthorized" and set(r.json()) == {"error", "message", "detail"}
            assert r.headers["www-authenticate"].startswith("Bearer")
        assert client.get("/v1/labels").status_code == 401
        r = client.post("/v1/brief", json={"text": seed("004")}, headers=bearer(key))
        assert r.status_code == 200, r.text
        assert client.get("/v1/labels", headers=bearer(key)).status_code == 200
        # Probes and the scrape need no key; the schema says what a keyed route can answer.
        assert client.get("/healthz").status_code == 200 and client.get("/readyz").status_code == 200
        assert client.get("/metrics").status_code == 200
        documented = client.get("/openapi.json").json()["paths"]["/v1/brief"]["post"]["responses"]
        assert {"401", "429"} <= set(documented)
    # The log line names the key's holder, never the key.
    assert any(getattr(r, "api_key", None) == "desk" for r in caplog.records)
    assert all(key not in JsonFormatter().format(r) for r in caplog.records)


def test_metrics_can_be_put_behind_a_key(keyed: Settings) -> None:
    key = KeyStore(key_file(keyed)).add("prometheus")
    with ready_client(keyed.model_copy(update={"metrics_require_key": True})) as client:
        assert client.get("/metrics").status_code == 401
        assert client.get("/metrics", headers=bearer(key)).status_code == 200


def test_a_revoked_key_is_refused_without_a_restart(keyed: Settings) -> None:
    store = KeyStore(key_file(keyed))
    key = store.add("leaver")
    with ready_client(keyed) as client:
        assert client.get("/v1/labels", headers=bearer(key)).status_code == 200
        assert store.revoke("leaver")
        r = client.get("/v1/labels", headers=bearer(key))
        assert r.status_code == 401 and r.json()["detail"]["reason"] == "invalid"


def test_over_the_rate_is_429_with_retry_after_then_it_resets(keyed: Settings) -> None:
    key = KeyStore(key_file(keyed)).add("burst", rate_per_min=2)
    clock = Clock()
    with ready_client(keyed) as client:
        with_clock(client.app.state.access, clock)  # type: ignore[attr-defined]
        assert [client.get("/v1/labels", headers=bearer(key)).status_code for _ in range(2)] == [200, 200]
        r = client.get("/v1/labels", headers=bearer(key))
        assert r.status_code == 429 and r.headers["retry-after"] == "60"
        assert r.json()["error"] == "rate_limited" and r.json()["detail"]["limit"] == 2
        clock.advance(45)
        r = client.get("/v1/labels", headers=bearer(key))  # refused requests do not count
        assert r.status_code == 429 and r.headers["retry-after"] == "15"
        clock.advance(15)
        assert client.get("/v1/labels", headers=bearer(key)).status_code == 200
        # Another key has its own window.
        other = KeyStore(key_file(keyed)).add("other", rate_per_min=1)
        assert client.get("/v1/labels", headers=bearer(other)).status_code == 200


def test_the_daily_token_quota_runs_out_and_resets_at_midnight_utc(keyed: Settings) -> None:
    key = KeyStore(key_file(keyed)).add("reader", daily_tokens=1000, rate_per_min=100)
    clock = Clock()
    with ready_client(keyed) as client:
        with_clock(client.app.state.access, clock)  # type: ignore[attr-defined]
        # A request that starts under the quota finishes; its tokens are charged after it.
        r = client.post("/v1/brief", json={"text": seed("004")}, headers=bearer(key))
        assert r.status_code == 200, r.text
        tokens = r.json()["provenance"]["tokens"]
        assert tokens["prompt"] + tokens["completion"] > 1000
        r = client.post("/v1/brief", json={"text": "标记。" + seed("004")}, headers=bearer(key))
        assert r.status_code == 429 and r.json()["error"] == "quota_exceeded"
        assert r.json()["detail"]["used"] == tokens["prompt"] + tokens["completion"]
        midnight = (clock.now // 86_400 + 1) * 86_400
        assert int(r.headers["retry-after"]) == midnight - clock.now
        assert client.get("/v1/labels", headers=bearer(key)).status_code == 429  # every route
        clock.now = midnight
        r = client.post("/v1/brief", json={"text": "标记。" + seed("004")}, headers=bearer(key))
        assert r.status_code == 200, r.text


def test_keys_given_as_hashes_in_the_environment(
    keyed: Settings, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    records = [{"name": "ops", "sha256": digest("fb_from-a-secret-manager"), "rate_per_min": 5}]
    monkeypatch.setenv("FINBRIEF_API_KEYS", json.dumps(records))
    monkeypatch.setenv("FINBRIEF_AUTH", "keys")
    from_env = Settings(model_dir=tmp_path / "models", auto_pull=False, warmup=False)
    assert from_env.auth == "keys" and from_env.api_keys == [KeyRecord.model_validate(records[0])]
    with ready_client(from_env) as client:
        assert client.get("/v1/labels", headers=bearer("fb_from-a-secret-manager")).status_code == 200
        assert client.get("/v1/labels", headers=bearer("fb_something-else")).status_code == 401


def keys_cli(*argv: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = cli.main(["keys", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_add_list_revoke_round_trip(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "finbrief" / "keys.json"
    monkeypatch.setenv("FINBRIEF_KEYS_PATH", str(path))
    code, out, err = keys_cli("add", "desk", "--rate-per-min", "5", "--daily-tokens", "200000", capsys=capsys)
    key = out.strip()
    assert code == 0 and key.startswith("fb_") and len(key) > 40 and "copy it now" in err
    stored = path.read_text(encoding="utf-8")
    assert key not in stored and key[3:] not in stored and digest(key) in stored  # hashed, never plain
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert keys_cli("add", "desk", capsys=capsys)[0] == 2  # an active key of that name exists
    assert keys_cli("add", "no spaces", capsys=capsys)[0] == 2
    assert keys_cli("add", "wiki", capsys=capsys)[0] == 0

    code, out, _ = keys_cli("list", capsys=capsys)
    lines = {line.split()[0]: line.split() for line in out.splitlines()[1:]}
    assert code == 0 and lines["desk"][1:5] == ["active", "file", "5", "200,000"]
    assert lines["wiki"][1:5] == ["active", "file", "60", "-"]  # the settings' defaults
    assert key not in out and digest(key) not in out

    assert keys_cli("revoke", "desk", capsys=capsys)[0] == 0
    assert keys_cli("revoke", "desk", capsys=capsys)[0] == 2  # nothing active left to revoke
    code, out, _ = keys_cli("list", capsys=capsys)
    assert "revoked" in next(line for line in out.splitlines() if line.startswith("desk"))
    assert [r.name for r in KeyStore(path).load() if r.active] == ["wiki"]
    assert keys_cli("add", "desk", capsys=capsys)[0] == 0  # a revoked name can be given a new key
