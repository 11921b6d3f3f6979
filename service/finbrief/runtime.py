"""Wiring: settings -> model store -> backend -> pipeline. The one place that picks implementations."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from .cache import CacheStatus, ResultCache
from .model.backends.base import Backend
from .model.prompts import PromptSet
from .model.store import ModelStore
from .pipeline.brief import BriefPipeline, Progress
from .pipeline.translation import Translator
from .schemas import Brief, BriefRequest, TranslatedSegment, Translation
from .settings import Settings
from .text.glossary import Glossary


def make_backend(settings: Settings) -> Backend:
    if settings.backend == "scripted":  # no model file: tests drive subprocesses and Ray workers with it
        from .model.backends.scripted import ScriptedBackend

        return ScriptedBackend(delay_s=settings.scripted_delay_s)
    if settings.backend == "openai":  # a serving engine holds the model: nothing to resolve or pull here
        from .model.backends.openai_backend import OpenAIBackend

        return OpenAIBackend.from_settings(settings)
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
    cache: ResultCache | None = None  # None: switched off, or its file was unusable

    def brief(
        self,
        req: BriefRequest,
        *,
        queue_s: float = 0.0,
        lookup: bool = True,
        progress: Progress | None = None,
    ) -> Brief:
        """The brief of one article, with where it came from (url, source, published_at, as the
        request gave them) in its provenance. Every front end briefs through here. A stored brief
        answers unless `lookup` is off; a fresh one is stored (errors raise and are not). `progress`
        hears each pipeline step as it starts (none for a stored brief)."""
        if lookup and (hit := self.cached_brief(req, queue_s=queue_s)) is not None:
            return hit
        brief = self.pipeline.run(req, queue_s=queue_s, progress=progress)
        if self.cache is not None:
            self.cache.keep_brief(req, brief)
        return self._as_requested(brief, req, self._fresh)

    def cached_brief(self, req: BriefRequest, *, queue_s: float = 0.0) -> Brief | None:
        """The stored brief of this article as this request's answer; None if there is none. Cheap:
        front ends ask before queueing, so a hit never waits for (or takes) a model slot."""
        hit = self.cache.find_brief(req, queue_s=queue_s) if self.cache is not None else None
        return None if hit is None else self._as_requested(hit, req, "hit")

    def translate(
        self, text: str, *, skip_boilerplate: bool = True, queue_s: float = 0.0, lookup: bool = True
    ) -> Translation:
        *_, result = self.translation_events(text, skip_boilerplate, queue_s=queue_s, lookup=lookup)
        assert isinstance(result, Translation)
        return result

    def cached_translation(
        self, text: str, skip_boilerplate: bool = True, *, queue_s: float = 0.0
    ) -> Translation | None:
        """As cached_brief, for a full translation."""
        if self.cache is None:
            return None
        return self.cache.find_translation(text, skip_boilerplate, queue_s=queue_s)

    def translation_events(
        self, text: str, skip_boilerplate: bool = True, *, queue_s: float = 0.0, lookup: bool = True
    ) -> Iterator[TranslatedSegment | Translation]:
        """Translator.events (each segment, then the whole), answered from or kept in the cache."""
        if lookup and (hit := self.cached_translation(text, skip_boilerplate, queue_s=queue_s)) is not None:
            yield from hit.segments
            yield hit
            return
        translator = self.translator
        for event in translator.events(translator.plan(text, skip_boilerplate), queue_s=queue_s):
            if isinstance(event, Translation):  # only a finished translation is kept
                if self.cache is not None:
                    self.cache.keep_translation(text, skip_boilerplate, event)
                event.provenance = event.provenance.model_copy(update={"cache": self._fresh})
            yield event

    @property
    def _fresh(self) -> CacheStatus:
        return "off" if self.cache is None else "miss"

    @staticmethod
    def _as_requested(brief: Brief, req: BriefRequest, cache: CacheStatus) -> Brief:
        origin = {"url": req.url, "source": req.source, "published_at": req.published_at}
        brief.provenance = brief.provenance.model_copy(update={**origin, "cache": cache})
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
    cache = ResultCache.open(settings, backend, prompts.version)
    return Runtime(settings, backend, glossary, prompts, pipeline, translator, cache)
