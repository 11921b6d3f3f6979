"""The brief pipeline, front to back: what `run` reads is the order of the steps. Pure Python over a
Backend: no web framework, no threads."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .. import checks
from ..checks.translation import meaning_changed
from ..errors import GenerationFailed, VerificationFailed
from ..model import answers
from ..model.backends.base import Backend
from ..model.call import Asker, Usage, provenance
from ..model.prompts import PromptSet
from ..schemas import Brief, BriefRequest, BriefStepName, CauseClaim, KeyFigure, Span, WithheldText
from ..settings import Settings
from ..text.candidates import Candidate, find_candidates
from ..text.entities import extract_entities
from ..text.figures import Figure, find_figures
from ..text.glossary import Glossary
from ..text.normalize import Document, normalize
from ..text.salience import headline_source, key_sentences
from ..text.segments import Segment, split_sentences
from . import claims as claim_steps
from .context import BriefContext
from .summary import Draft, GroundedSummary
from .translation import Translator

log = logging.getLogger(__name__)
RATIO_UNITS = {"%", "x", "percentage points", "bp"}
Pending = list[tuple[claim_steps.ClaimQuestion, dict[str, Any] | None]]
# Told the name of each step as the run starts it, with the chunk's number and the number of chunks
# for the steps asked chunk by chunk (1, 1 for the others): how a front end shows a brief's progress
# (POST /v1/brief?stream=true). Whatever it raises ends the run there: a client that went away.
Progress = Callable[[BriefStepName, int, int], None]


def _unreported(step: BriefStepName, part: int, parts: int) -> None:
    pass


@dataclass
class Chunk:
    paragraphs: list[Segment]
    prompt_text: str  # what the model reads: glossary-annotated, optionally converted to Simplified

    @property
    def start(self) -> int:
        return self.paragraphs[0].start

    @property
    def end(self) -> int:
        return self.paragraphs[-1].end

    def holds(self, pos: int) -> bool:
        return any(p.start <= pos < p.end for p in self.paragraphs)


class BriefPipeline:
    def __init__(
        self,
        backend: Backend,
        settings: Settings,
        glossary: Glossary,
        prompts: PromptSet,
        translator: Translator,
    ) -> None:
        self.backend, self.settings, self.glossary, self.prompts = backend, settings, glossary, prompts
        self.translator = translator
        self.summary = GroundedSummary(glossary, prompts)

    # --- public ---------------------------------------------------------------------------
    def run(self, req: BriefRequest, *, queue_s: float = 0.0, progress: Progress | None = None) -> Brief:
        step = progress or _unreported
        started = time.perf_counter()
        step("normalize", 1, 1)
        doc = normalize(req.text, req.title, min_chars=self.settings.min_text_chars)
        normalize_s = time.perf_counter() - started
        ctx = self._context(doc)
        paragraphs = list(doc.units)
        candidates = find_candidates(
            doc, self._candidate_limit(len(self._groups(paragraphs))), open_denials=self.settings.open_denials
        )
        figures = self._pick_figures(doc)
        drafts = self._drafts(doc, candidates)
        asked = [c.span.start for c in candidates] + [f.start for f in figures]
        asked += [d.span.start for d in drafts]
        chunks = self._chunks(doc, self._read_paragraphs(doc, paragraphs, asked))
        # Chunk by chunk, every question about a part of the article is asked with that part as the
        # prompt's prefix, so the model's prefix cache serves them all.
        pending: Pending = []
        whats: dict[int, str] = {}
        for i, chunk in enumerate(chunks):
            article = (f"标题: {req.title}\n" if req.title and i == 0 else "") + chunk.prompt_text
            step("claims", i + 1, len(chunks))
            pending += self._ask_claims(ctx, article, [c for c in candidates if chunk.holds(c.span.start)])
            step("figures", i + 1, len(chunks))
            whats.update(self._figure_whats(ctx, article, [f for f in figures if chunk.holds(f.start)]))
            step("summary", i + 1, len(chunks))
            in_chunk = [d for d in drafts if chunk.holds(d.span.start)]
            for d in in_chunk:
                d.article = article
            self.summary.render(ctx, in_chunk)
        step("checks", 1, 1)
        claims = self._build_claims(ctx, pending)
        # Bullets are checked after the claims: a bullet may state a cause only where a claim backs it.
        headline, bullets = self.summary.verify(ctx, claims, drafts)
        key_figures = self._key_figures(ctx, figures, whats)
        # Evidence is translated last: the translator's prompt differs from the brief's, and switching
        # earlier would evict the article from the prefix cache between steps.
        step("evidence", 1, 1)
        causes = self._evidence_english(ctx, claim_steps.dedupe(claims))
        if headline is None and not bullets and not causes and not key_figures:
            if not any(d.text for d in drafts) and not claims and not whats:
                raise GenerationFailed(
                    "the model produced no usable answer", detail={"warnings": ctx.warnings}
                )
            raise VerificationFailed(
                "nothing in the brief passed its faithfulness checks", detail={"warnings": ctx.warnings}
            )
        lead = doc.body[0].end if doc.title is None else doc.title.end
        return Brief(
            headline_en=headline.text if headline else "",
            summary_en=[b.text for b in bullets],
            headline=headline,
            summary=bullets,
            key_figures=key_figures,
            entities=ctx.entities,
            causes=causes,
            primary_cause=claim_steps.primary_cause(claims, lead),
            source_script=doc.script,
            skipped=[Span(zh=line.text, start=line.start, end=line.end) for line, _ in doc.dropped],
            warnings=ctx.warnings,
            withheld=_unique(ctx.withheld),
            provenance=provenance(
                self.backend,
                self.prompts.version,
                ctx.usage,
                total_s=time.perf_counter() - started,
                normalize_s=normalize_s,
                queue_s=queue_s,
            ),
        )

    # --- preparation ----------------------------------------------------------------------
    def _context(self, doc: Document) -> BriefContext:
        usage = Usage()
        return BriefContext(
            doc=doc,
            ask=Asker(self.backend, self.prompts.system, usage),
            usage=usage,
            present={h.term.english for h in self.glossary.find(doc.simplified)},
            entities=extract_entities(doc, self.glossary),
        )

    def _candidate_limit(self, chunks: int) -> int:
        """Long articles hold more causes: two more candidates per extra chunk, within a bound."""
        limit = self.settings.max_claim_candidates
        return min(2 * limit, limit + 2 * (chunks - 1))

    def _drafts(self, doc: Document, candidates: list[Candidate]) -> list[Draft]:
        """The headline's sentence and the key sentences the bullets render, chosen by code."""
        spans = key_sentences(doc, self.settings.summary_bullets, [c.span for c in candidates])
        return [Draft("headline", headline_source(doc)), *(Draft("bullet", s) for s in spans)]

    def _display(self, doc: Document, seg: Segment) -> str:
        simp = doc.simplified[seg.start : seg.end]
        shown = simp if self.settings.to_simplified else doc.text[seg.start : seg.end]
        return self.glossary.annotate(shown, simp)

    def _read_paragraphs(self, doc: Document, paragraphs: list[Segment], asked: list[int]) -> list[Segment]:
        """The paragraphs the model reads: all of them, or (prompt_paragraphs="asked") the title, the
        lead and every paragraph some question is about, in article order."""
        if self.settings.prompt_paragraphs == "all":
            return paragraphs
        always = {id(p) for p in (doc.title, doc.body[0] if doc.body else None) if p is not None}
        return [p for p in paragraphs if id(p) in always or any(p.start <= pos < p.end for pos in asked)]

    def _groups(self, paragraphs: list[Segment]) -> list[list[Segment]]:
        """Paragraphs in article order, grouped into chunks of at most chunk_chars (one map step each)."""
        groups: list[list[Segment]] = [[]]
        size = 0
        for p in paragraphs:
            if groups[-1] and size + len(p.text) > self.settings.chunk_chars:
                groups.append([])
                size = 0
            groups[-1].append(p)
            size += len(p.text)
        return groups

    def _chunks(self, doc: Document, paragraphs: list[Segment]) -> list[Chunk]:
        """A "……" line stands where paragraphs were left out, so the model knows the text jumps."""
        order = {id(p): i for i, p in enumerate(doc.units)}
        out = []
        for group in self._groups(paragraphs):
            lines = []
            for prev, p in zip([None, *group], group, strict=False):
                if prev is not None and order[id(p)] != order[id(prev)] + 1:
                    lines.append("……")
                lines.append(self._display(doc, p))
            out.append(Chunk(group, "\n".join(lines)))
        return out

    def _pick_figures(self, doc: Document) -> list[Figure]:
        """Money and ratio figures, lead first, one per distinct value."""
        found: list[Figure] = []
        for rank, para in enumerate(doc.units):
            for f in find_figures(doc.text, para.start, para.end):
                if f.unit != "count" and all(f.english() != g.english() for g in found):
                    found.append(f)
            if rank >= 60:
                break
        money = [f for f in found if f.unit not in RATIO_UNITS]
        ratios = [f for f in found if f.unit in RATIO_UNITS]
        n = self.settings.max_key_figures
        picked = money[: (n + 1) // 2] + ratios[: n // 2]
        picked += [f for f in found if f not in picked][: n - len(picked)]
        return sorted(picked, key=lambda f: f.start)

    # --- steps ----------------------------------------------------------------------------
    def _english_ok(self, ctx: BriefContext, texts: list[str]) -> bool:
        return not checks.record(ctx.counters, checks.english_problems(texts, self.glossary, ctx.present))

    def _ask_claims(self, ctx: BriefContext, article: str, candidates: list[Candidate]) -> Pending:
        doc = ctx.doc
        questions = [q for c in candidates for q in claim_steps.questions_for(doc, self.glossary, c)]
        shown = {id(c): self._display(doc, c.span) for c in candidates}
        items = [
            claim_steps.render_question(self.prompts, article, shown[id(q.candidate)], q) for q in questions
        ]
        pending = list(zip(questions, ctx.ask.ask_many(items), strict=True))
        if self.settings.claim_label_followups:
            followups = claim_steps.label_followups(doc, pending)
            asked = [
                claim_steps.render_label_question(self.prompts, article, shown[id(q.candidate)], label)
                for q, _, label in followups
            ]
            pending += claim_steps.confirmed(followups, ctx.ask.ask_many(asked))
        return pending

    def _build_claims(self, ctx: BriefContext, pending: Pending) -> list[CauseClaim]:
        out = []
        for q, answer in pending:
            built, problems = claim_steps.build_claim(
                ctx.doc, self.glossary, ctx.present, q, answer, ctx.counters
            )
            out += built
            if problems:
                where = q.candidate.span.start
                ctx.warnings.append(f"dropped a {q.side} claim at {where}: {'; '.join(problems)}")
        return out

    def _evidence_english(self, ctx: BriefContext, claims: list[CauseClaim]) -> list[CauseClaim]:
        """evidence_en through the shared translator (same checks and repair as /v1/translate). A
        rendering that still says something its Chinese does not (a flipped direction, a lost denial,
        another currency) is withheld: the claim keeps its verbatim Chinese evidence and ships with
        evidence_en "" and a warning. One that only leaves something out is kept, with a warning. An
        empty one drops the claim."""
        spans = list(dict.fromkeys(c.evidence_zh for c in claims))
        english = dict(zip(spans, self.translator.sentences(spans, ctx.usage), strict=True))
        out = []
        for c in claims:
            en, problems = english[c.evidence_zh]
            if not en:
                ctx.warnings.append(f"dropped a {c.stance} claim at {c.evidence_start}: no English rendering")
                continue
            if wrong := meaning_changed(problems):
                ctx.warnings.append(
                    f"evidence_en of the claim at {c.evidence_start} withheld: {'; '.join(wrong)}"
                )
                evidence = [Span(zh=c.evidence_zh, start=c.evidence_start, end=c.evidence_end)]
                ctx.withheld.append(WithheldText(kind="evidence", text=en, evidence=evidence, problems=wrong))
                en = ""
            elif problems:
                ctx.warnings.append(f"evidence_en of the claim at {c.evidence_start}: {'; '.join(problems)}")
            out.append(c.model_copy(update={"evidence_en": en}))
        return out

    def _figure_whats(self, ctx: BriefContext, article: str, figures: list[Figure]) -> dict[int, str]:
        if not figures:
            return {}
        doc, items = ctx.doc, []
        for f in figures:
            window = split_sentences(doc.text, max(0, f.start - 300), f.end + 300)
            sent = next((s for s in window if s.start <= f.start < s.end), None)
            context = self._display(doc, sent) if sent else f.surface
            user = self.prompts.render("figures", article=article, sentence=context[:200], figure=f.surface)
            items.append((user, answers.figure_answer(), 40, "figure"))
        out = {}
        for f, answer in zip(figures, ctx.ask.ask_many(items), strict=True):
            what = str(answer.get("what", "")).strip() if answer else ""
            if what and self._english_ok(ctx, [what]):
                out[f.start] = what
        return out

    def _key_figures(
        self, ctx: BriefContext, figures: list[Figure], whats: dict[int, str]
    ) -> list[KeyFigure]:
        key_figures = [
            KeyFigure(
                value=f.english(),
                unit=f.unit,
                what=whats[f.start],
                evidence=Span(zh=f.surface, start=f.start, end=f.end),
            )
            for f in figures
            if f.start in whats
        ]
        if len(key_figures) < len(figures):
            dropped = len(figures) - len(key_figures)
            ctx.warnings.append(f"{dropped} key figure(s) dropped: no verified description")
        return key_figures


def _unique(withheld: list[WithheldText]) -> list[WithheldText]:
    """One entry per rendering: claims that share an evidence span share its translation."""
    seen: dict[tuple[str, str, int], WithheldText] = {}
    for w in withheld:
        seen.setdefault((w.kind, w.text, w.evidence[0].start), w)
    return list(seen.values())
