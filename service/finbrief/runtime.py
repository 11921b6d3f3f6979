"""Wiring: settings -> model store -> backend -> pipeline. The one place that picks implementations."""

from __future__ import annotations

from dataclasses import dataclass

from .backends.base import Backend
from .glossary import Glossary
from .pipeline.brief import BriefPipeline
from .pipeline.prompts import PromptSet
from .provision import ModelStore
from .settings import Settings


def make_backend(settings: Settings) -> Backend:
    path, model_id, digest = ModelStore(settings).resolve(settings.model, auto_pull=settings.auto_pull)
    if settings.backend == "llamacpp":
        from .backends.llamacpp import LlamaCppBackend

        return LlamaCppBackend(
            path,
            model_id,
            digest,
            n_ctx=settings.n_ctx,
            n_threads=settings.n_threads,
            parallel=settings.parallel,
            gpu_layers=settings.gpu_layers,
        )
    from .backends.transformers_backend import TransformersBackend

    return TransformersBackend(path, model_id, digest, device=settings.device)


@dataclass
class Runtime:
    settings: Settings
    backend: Backend
    pipeline: BriefPipeline


def build_runtime(settings: Settings, backend: Backend | None = None) -> Runtime:
    backend = backend if backend is not None else make_backend(settings)
    pipeline = BriefPipeline(
        backend,
        settings,
        Glossary.load(settings.glossary_path),
        PromptSet(settings.prompts_dir, settings.prompt_version),
    )
    return Runtime(settings, backend, pipeline)
