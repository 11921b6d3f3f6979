"""Wiring: settings -> model store -> backend -> pipeline. The one place that picks implementations."""

from __future__ import annotations

from dataclasses import dataclass

from .model.backends.base import Backend
from .model.prompts import PromptSet
from .model.store import ModelStore
from .pipeline.brief import BriefPipeline
from .pipeline.translation import Translator
from .schemas import Brief, BriefRequest
from .settings import Settings
from .text.glossary import Glossary


def make_backend(settings: Settings) -> Backend:
    if settings.backend == "scripted":  # no model file: tests drive subprocesses and Ray workers with it
        from .model.backends.scripted import ScriptedBackend

        return ScriptedBackend(delay_s=settings.scripted_delay_s)
    path, model_id, digest = ModelStore(settings).resolve(settings.model, auto_pull=settings.auto_pull)
    if settings.backend == "llamacpp":
        from .model.backends.llamacpp import LlamaCppBackend

        return LlamaCppBackend(
            path,
            model_id,
            digest,
            n_ctx=settings.n_ctx,
            n_threads=settings.n_threads,
            parallel=settings.parallel,
            gpu_layers=settings.gpu_layers,
        )
    from .model.backends.transformers_backend import TransformersBackend

    return TransformersBackend(path, model_id, digest, device=settings.device)


@dataclass
class Runtime:
    settings: Settings
    backend: Backend
    glossary: Glossary
    prompts: PromptSet
    pipeline: BriefPipeline
    translator: Translator

    def brief(self, req: BriefRequest, *, queue_s: float = 0.0) -> Brief:
        """The brief of one article, with where it came from (url, source, published_at, as the
        request gave them) in its provenance. Every front end briefs through here."""
        brief = self.pipeline.run(req, queue_s=queue_s)
        origin = {"url": req.url, "source": req.source, "published_at": req.published_at}
        brief.provenance = brief.provenance.model_copy(update=origin)
        return brief


def build_runtime(settings: Settings, backend: Backend | None = None) -> Runtime:
    backend = backend if backend is not None else make_backend(settings)
    glossary = Glossary.load(settings.glossary_path)
    prompts = PromptSet(settings.prompts_dir, settings.prompt_version)
    translator = Translator(
        backend,
        glossary,
        prompts,
        repair_attempts=settings.repair_attempts,
        samples=settings.translate_samples,
        sample_temperature=settings.translate_temperature,
    )
    pipeline = BriefPipeline(backend, settings, glossary, prompts, translator)
    return Runtime(settings, backend, glossary, prompts, pipeline, translator)
