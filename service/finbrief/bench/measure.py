"""`finbrief bench`: one run, side by side on the same articles. For each article:

- finbrief's brief (seconds, calls, prompt/cached/completion tokens, where the model time went per
  kind of question, split by the engine's own timings into prefill and decode);
- the engine floor for the same work, measured in the same run: one uncached prefill of the article
  plus the brief's completion tokens at the engine's raw decode speed (no grammar, cached prefix), so
  finbrief / floor says how much the pipeline adds over the least the engine could do;
- optionally, the naive baseline a user tries first: transformers + torch fp32 on the same weights
  (the GGUF dequantized) with one JSON prompt for the whole brief.

Variants (`--compare KEY=VALUE`: a setting changed, everything else the same) run in the same process
after the defaults, so their ratios are measured side by side. Timings never go into tests: they live
here and in docs/PERFORMANCE.md, which `--doc` regenerates.
"""

from __future__ import annotations

import statistics
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import FinbriefError
from ..model.backends.base import Backend, GenerationRequest, GenerationResult
from ..runtime import Runtime, build_runtime
from ..schemas import BriefRequest
from ..settings import Settings

FLOOR_DECODE_TOKENS = 128
NAIVE_MAX_TOKENS = 512
NAIVE_PROMPT = """Read this Chinese financial news article and write an English brief of it as JSON:
{"headline": "...", "bullets": ["3 to 5 short bullets"], "key_figures": [{"value": "...", "what": "..."}],
"entities": ["people and organizations named"], "causes": [{"label": "what moved the market",
"stance": "supported or rejected", "claimant": "who says so", "evidence_zh": "the exact Chinese sentence"}]}

Article:
{article}"""


@dataclass
class Article:
    name: str
    text: str
    group: str  # "seed" or "short": the targets are per article for seeds, a p50 for the short set


@dataclass
class Floor:
    """The engine's least time for one article's brief: measured prefill plus decode at raw speed."""

    article_tokens: int
    prefill_s: float
    decode_tps: float

    def seconds(self, completion_tokens: int) -> float:
        return self.prefill_s + completion_tokens / self.decode_tps


@dataclass
class BriefRun:
    article: str
    group: str
    chars: int
    variant: str
    seconds: float
    ok: bool
    error: str | None = None
    calls: int = 0
    prompt: int = 0
    cached: int = 0
    completion: int = 0
    steps: dict[str, Any] = field(default_factory=dict)
    primary: str | None = None
    floor_s: float | None = None

    def row(self) -> dict[str, Any]:
        return self.__dict__ | {"vs_floor": round(self.seconds / self.floor_s, 2) if self.floor_s else None}


def read_articles(seeds: list[Path], short_list: Path | None) -> list[Article]:
    """Seed articles by path, and the short set: a file listing article paths, one per line
    (relative to the list's folder; # comments allowed)."""
    out = [Article(p.stem, p.read_text(encoding="utf-8"), "seed") for p in seeds]
    if short_list is not None:
        for line in short_list.read_text(encoding="utf-8").splitlines():
            name = line.split("#", 1)[0].strip()
            if name:
                path = (short_list.parent / name).resolve()
                out.append(Article(path.stem, path.read_text(encoding="utf-8"), "short"))
    return out


def _probe(backend: Backend, system: str, user: str, max_tokens: int) -> GenerationResult:
    [res] = backend.generate(
        [GenerationRequest(system=system, user=user, max_tokens=max_tokens, tag="bench:floor")]
    )
    if res.finish_reason == "error":
        raise RuntimeError(f"engine probe failed: {res.error}")
    return res


def _pieces(article: str, max_chars: int) -> list[str]:
    """The article in pieces of at most max_chars at line breaks: a long article does not fit one
    context (seed 002 is ~12k tokens), and its floor is the prefill of all of it, piece by piece."""
    pieces = [""]
    for line in article.splitlines(keepends=True):
        if pieces[-1] and len(pieces[-1]) + len(line) > max_chars:
            pieces.append("")
        pieces[-1] += line
    return [p for p in pieces if p.strip()]


def measure_floor(backend: Backend, article: str, max_chars: int = 3600) -> Floor:
    """Each piece's prefill is made uncached by a system line no brief uses; then free text (no
    grammar) over the cached last piece gives the raw decode speed."""
    prefill_s, tokens, system, last = 0.0, 0, "", ""
    for piece in _pieces(article, max_chars):
        system, last = f"Engine floor probe {uuid.uuid4().hex}.", piece
        res = _probe(backend, system, piece, 1)
        prefill_s += res.extra.get("prompt_ms", res.seconds * 1000) / 1000
        tokens += res.prompt_tokens
    second = _probe(
        backend, system, last + "\n\nSummarize the text in English at length.", FLOOR_DECODE_TOKENS
    )
    if "predicted_per_second" in second.extra:
        tps = second.extra["predicted_per_second"]
    else:  # engines without timings: the wall clock (an upper bound on the floor)
        tps = second.completion_tokens / max(second.seconds, 1e-6)
    return Floor(tokens, round(prefill_s, 2), round(tps, 2))


def run_briefs(
    runtime: Runtime,
    articles: list[Article],
    variant: str,
    floors: dict[str, Floor],
    save_briefs: Path | None = None,
) -> list[BriefRun]:
    """Each article briefed once; with save_briefs, each brief kept as <dir>/<variant>/<article>.json
    (what `finbrief eval causes --briefs` scores)."""
    runs = []
    for a in articles:
        started = time.perf_counter()
        run = BriefRun(a.name, a.group, len(a.text), variant, 0.0, True)
        try:
            brief = runtime.pipeline.run(BriefRequest(text=a.text))
        except FinbriefError as exc:
            run.ok, run.error = False, exc.code
        else:
            if save_briefs is not None:
                (save_briefs / variant).mkdir(parents=True, exist_ok=True)
                (save_briefs / variant / f"{a.name}.json").write_text(brief.model_dump_json(indent=1))
            tokens, floor = brief.provenance.tokens, floors.get(a.name)
            run.calls, run.prompt, run.cached = tokens.calls, tokens.prompt, tokens.cached
            run.completion, run.primary = tokens.completion, brief.primary_cause
            run.steps = {k: v.model_dump() for k, v in brief.provenance.steps.items()}
            run.floor_s = round(floor.seconds(tokens.completion), 1) if floor else None
        run.seconds = round(time.perf_counter() - started, 1)
        runs.append(run)
        print(_line(run), flush=True)
    return runs


def naive_baseline(settings: Settings, article: Article) -> dict[str, Any]:
    """transformers + torch fp32 on the same GGUF (dequantized on load), one JSON prompt, greedy."""
    from ..model.backends.transformers_backend import TransformersBackend
    from ..model.store import ModelStore

    path, model_id, digest = ModelStore(settings).resolve(settings.model, auto_pull=settings.auto_pull)
    backend = TransformersBackend(path, model_id, digest, device="cpu")
    started = time.perf_counter()
    backend.warmup()
    load_s = time.perf_counter() - started
    req = GenerationRequest(
        system="You are a careful financial news editor. Output JSON only.",
        user=NAIVE_PROMPT.replace("{article}", article.text),
        max_tokens=NAIVE_MAX_TOKENS,
        ban_cjk=False,  # the evidence is Chinese by design
        tag="bench:naive",
    )
    [res] = backend.generate([req])
    backend.close()
    return {
        "article": article.name,
        "load_s": round(load_s, 1),
        "seconds": round(res.seconds, 1),
        "prompt": res.prompt_tokens,
        "completion": res.completion_tokens,
        "finish": res.finish_reason,
        "text": res.text,
    }


def _line(r: BriefRun) -> str:
    if not r.ok:
        return f"{r.variant} {r.article}: failed ({r.error}) after {r.seconds}s"
    floor = f", floor {r.floor_s}s (x{r.seconds / r.floor_s:.1f})" if r.floor_s else ""
    tokens = f"{r.prompt} prompt tok ({r.cached} cached), {r.completion} completion"
    return f"{r.variant} {r.article}: {r.seconds}s, {r.calls} calls, {tokens}{floor}"


def summarize(runs: list[BriefRun]) -> dict[str, Any]:
    """Per variant: each seed's seconds, and the short set's p50, with the ratio to the floor."""
    out: dict[str, Any] = {}
    for variant in dict.fromkeys(r.variant for r in runs):
        mine = [r for r in runs if r.variant == variant and r.ok]
        short = [r.seconds for r in mine if r.group == "short"]
        out[variant] = {
            "seeds": {r.article: r.seconds for r in mine if r.group == "seed"},
            "short_p50_s": round(statistics.median(short), 1) if short else None,
            "vs_floor_median": round(statistics.median(r.seconds / r.floor_s for r in mine if r.floor_s), 2)
            if any(r.floor_s for r in mine)
            else None,
            "failed": [r.article for r in runs if r.variant == variant and not r.ok],
        }
    return out


def bench(
    settings: Settings,
    articles: list[Article],
    variants: dict[str, dict[str, Any]],
    *,
    naive: int = 0,
    save_briefs: Path | None = None,
) -> dict[str, Any]:
    """Defaults first on every article, then each variant (settings overrides) on the seed articles
    (a lever's on/off ratio needs no more), then the naive baseline on the first `naive` articles.
    One model is loaded per variant; nothing else should run beside this."""
    runs: list[BriefRun] = []
    floors: dict[str, Floor] = {}
    for name, overrides in {"default": {}, **variants}.items():
        runtime = build_runtime(settings.model_copy(update=overrides))
        runtime.backend.warmup()
        if not floors:
            floors = {a.name: measure_floor(runtime.backend, a.text, settings.chunk_chars) for a in articles}
        mine = articles if name == "default" else [a for a in articles if a.group == "seed"]
        runs += run_briefs(runtime, mine, name, floors, save_briefs)
        runtime.backend.close()
    baseline = []
    for a in articles[:naive]:
        try:
            baseline.append(naive_baseline(settings, a))
        except Exception as exc:  # a baseline that cannot run (no gguf package) must not lose the run
            baseline.append({"article": a.name, "error": f"{type(exc).__name__}: {exc}"})
    return {
        "summary": summarize(runs),
        "floors": {k: v.__dict__ for k, v in floors.items()},
        "runs": [r.row() for r in runs],
        "naive": baseline,
        "variants": variants,
    }
