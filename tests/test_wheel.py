"""The built wheel serves on its own: prompts, the model manifest and the glossary ship inside it.

Builds the wheel from a copy of the files it is built from, installs it into a fresh venv outside
the checkout, and runs the console script from a directory outside the checkout. Nothing is
downloaded: the wheel is built without build isolation (setuptools from this venv), installed with
--no-deps, and the fresh venv reaches this venv's dependencies through a .pth line (which does not
run this venv's own .pth files, so the editable checkout is not on its path).
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import sysconfig
import time
from pathlib import Path

import httpx
import pytest

from finbrief.model.prompts import PromptSet

from .conftest import ROOT, seed

pytestmark = pytest.mark.wheel
BUILT_FROM = ("pyproject.toml", "setup.py", "README.md", "service", "prompts", "models")


def run(*cmd: str | Path, cwd: Path, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(
        [str(c) for c in cmd], cwd=cwd, env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, f"{cmd}: {done.stdout}\n{done.stderr}"
    return done.stdout


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """bin/ of a fresh venv holding only the wheel (and a path to this venv's dependencies)."""
    tmp = tmp_path_factory.mktemp("wheel")
    src = tmp / "src"
    src.mkdir()
    ignore = shutil.ignore_patterns("__pycache__", "*.egg-info", "build", "dist")
    for name in BUILT_FROM:
        if not (ROOT / name).exists():
            continue
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, src / name, ignore=ignore)
        else:
            shutil.copy2(ROOT / name, src / name)
    pip = (sys.executable, "-m", "pip")
    run(*pip, "wheel", "-q", "--no-deps", "--no-build-isolation", "-w", tmp / "dist", src, cwd=tmp)
    (wheel,) = (tmp / "dist").glob("finbrief-*.whl")
    venv = tmp / "venv"
    run(sys.executable, "-m", "venv", "--without-pip", venv, cwd=tmp)
    python = venv / "bin" / "python"
    run(*pip, "--python", python, "install", "-q", "--no-deps", "--no-index", wheel, cwd=tmp)
    purelib = "import sysconfig; print(sysconfig.get_paths()['purelib'])"
    site = Path(run(python, "-c", purelib, cwd=tmp).strip())
    (site / "project-deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return venv / "bin"


def clean_env(tmp: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FINBRIEF_") and k != "PYTHONPATH"}
    return {**env, "FINBRIEF_MODEL_DIR": str(tmp / "models"), **extra}


def test_the_installed_package_is_the_wheel_with_its_data(installed: Path, tmp_path: Path) -> None:
    code = (
        "import finbrief, json; from finbrief.settings import Settings; s = Settings();"
        "print(json.dumps([finbrief.__file__, str(s.prompts_dir), str(s.manifest_path)]))"
    )
    paths = json.loads(run(installed / "python", "-c", code, cwd=tmp_path, env=clean_env(tmp_path)))
    package = Path(paths[0]).parent
    assert package.is_relative_to(installed.parent) and not package.is_relative_to(ROOT)
    assert Path(paths[1]) == package / "prompts" and Path(paths[2]) == package / "models" / "manifest.json"


def test_models_list_and_serve_a_brief_outside_the_checkout(installed: Path, tmp_path: Path) -> None:
    listed = run(installed / "finbrief", "models", "list", cwd=tmp_path, env=clean_env(tmp_path))
    assert "qwen2.5-coder-1.5b-instruct-q4_k_m" in listed and "absent" in listed

    port = free_port()
    env = clean_env(tmp_path, FINBRIEF_BACKEND="scripted", FINBRIEF_PORT=str(port))
    server = subprocess.Popen(
        [installed / "finbrief", "serve", "--host", "127.0.0.1"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        ready = None
        while time.monotonic() < deadline and server.poll() is None:
            try:
                ready = httpx.get(base + "/readyz", timeout=5)
                if ready.status_code == 200:
                    break
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        assert ready is not None and ready.status_code == 200, server.stderr.read() if server.poll() else ""
        assert ready.json()["backend"] == "scripted"
        r = httpx.post(base + "/v1/brief", json={"text": seed("004")}, timeout=60)
        assert r.status_code == 200, r.text
        brief = r.json()
        assert brief["headline_en"] and brief["source_script"] == "zh-Hans"
        # The wheel's prompts are the checkout's, file for file.
        assert brief["provenance"]["prompt_version"] == PromptSet(ROOT / "prompts", "v2").version
        # The reading page ships inside the wheel too: the page and every file it loads.
        page = httpx.get(base + "/", timeout=10)
        assert page.status_code == 200 and "reading desk" in page.text
        for name in (ROOT / "service" / "finbrief" / "web").iterdir():
            asset = httpx.get(f"{base}/page/{name.name}", timeout=10)
            assert asset.status_code == 200 and asset.content == name.read_bytes(), name.name
    finally:
        server.terminate()
        server.wait(timeout=10)
