from __future__ import annotations

import os
from pathlib import Path

import pytest

from finbrief.schemas import Brief, BriefRequest
from finbrief.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("FINBRIEF_SHARED", ROOT.parent / "shared"))
SEEDS = SHARED / "seeds"
# No result cache unless a test asks for one (tests/test_cache.py): a scripted backend's answers
# depend on its responder, which no cache key sees, and a cache left in ~/.cache by an earlier run
# would answer tests that count model calls or time a job (subprocesses inherit this too).
os.environ["FINBRIEF_CACHE_ENABLED"] = "false"

if not SEEDS.is_dir():  # CI and developers have shared/ beside the checkout; say so instead of 50 failures
    pytest.exit(
        f"seed articles not found at {SEEDS}: put shared/ beside the checkout or set FINBRIEF_SHARED", 2
    )


def seed(prefix: str) -> str:
    return next(SEEDS.glob(f"{prefix}_*.txt")).read_text(encoding="utf-8")


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(model_dir=tmp_path / "models", auto_pull=False, warmup=False, queue_size=4)


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from .tiny_model import build_tiny_model

    corpus = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]
    return build_tiny_model(tmp_path_factory.mktemp("tiny"), corpus)


def scripted_brief(text: str) -> Brief:
    """The brief the default scripted backend gives for `text`: what a surface must show."""
    from finbrief.model.backends.scripted import ScriptedBackend
    from finbrief.runtime import build_runtime

    runtime = build_runtime(Settings(backend="scripted", auto_pull=False, warmup=False), ScriptedBackend())
    return runtime.pipeline.run(BriefRequest(text=text))
