"""The brief pipeline, front to back. Pure Python over a Backend: no web framework, no threads."""

from __future__ import annotations

import logging
import time
from collections import Counter
from dataclasses import dataclass
from typing import Any

from .. import checks
from ..checks.summary import SummaryChecks
from ..errors import GenerationFailed, VerificationFailed
from ..model import grammar
from ..model.backends.base import Backend
from ..model.call import Asker, Usage, provenance
from ..model.prompts import PromptSet
from ..schemas import Brief, BriefRequest, CauseClaim, KeyFigure, Span
from ..settings import Settings
from ..text.candidates import Candidate, find_candidates
from ..text.entities import extract_entities
from ..text.figures import Figure, conversions, find_figures
from ..text.glossary import Glossary
from ..text.normalize import Document, normalize
from ..text.segments import Segment, split_sentences
from . import claims as claim_steps
from .translation import Translator

log = logging.getLogger(__name__)
RATIO_UNITS = {"%", "x", "percentage points", "bp"}


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

    # --- public ---------------------------------------------------------------------------
    def run(self, req: BriefRequest, *, queue_s: float = 0.0) -> Brief:
        started = time.perf_counter()
        doc = normalize(req.text, req.title, min_chars=self.settings.min_text_chars)
        normalize_s = time.perf_counter() - started
        usage = Usage()
        ask = Asker(self.backend, self.prompts.system, usage)
        warnings: list[str] = []
        present = {h.term.english for h in self.glossary.find(doc.simplified)}
        entities = extract_entities(doc, self.glossary)  # the brief's, and the summary repair's names
        chunks = self._chunks(doc)
        # Long articles hold more causes: two more candidates per extra chunk, within a bound.
        limit = min(
            2 * self.settings.max_claim_candidates, self.settings.max_claim_candidates + 2 * (len(chunks) - 1)
        )
        candidates = find_candidates(doc, limit)
        figures = self._pick_figures(doc)
        counters = usage.checks  # every step records the checks that fired here

        notes: list[str] = []
        headline: str = ""
        bullets: list[str] = []
        pending: list[tuple[claim_steps.ClaimQuestion, dict[str, Any] | None]] = []
        whats: dict[int, str] = {}
        single = ""
        for i, chunk in enumerate(chunks):
            article = (f"标题: {req.title}\n" if req.title and i == 0 else "") + chunk.prompt_text
            if len(chunks) > 1:
                notes += self._part_notes(ask, present, counters, article, i + 1, len(chunks))
            in_chunk = [c for c in candidates if chunk.start <= c.span.start < chunk.end]
            pending += self._ask_claims(ask, doc, article, in_chunk)
            chunk_figures = [f for f in figures if chunk.start <= f.start < chunk.end]
            whats.update(self._figure_whats(ask, doc, present, counters, article, chunk_figures))
            single = article
        claims = self._build_claims(doc, present, counters, warnings, pending)
        # The summary comes after the claims so it can be checked against what the article rejects.
        rejected: set[str] = {str(c.label) for c in claims if c.stance == "rejected"} - {
            c.label for c in claims if c.stance == "supported"
        }
        names = [e.name_en for e in entities]
        if len(chunks) == 1:
            headline, bullets = self._summary(
                ask, doc, present, counters, warnings, rejected, names, article=single
            )
        else:
            if not notes:
                raise GenerationFailed("the model produced no usable notes for any part of the article")
            title = doc.title.text if doc.title else (req.title or "none")
            headline, bullets = self._summary(
                ask, doc, present, counters, warnings, rejected, names, notes=notes, title=title
            )

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
            warnings.append(
                f"{len(figures) - len(key_figures)} key figure(s) dropped: no verified description"
            )
        # Evidence is translated last: the translator's prompt differs from the brief's, and switching
        # earlier would evict the article from the prefix cache between steps.
        causes = self._evidence_english(claim_steps.dedupe(claims), usage, warnings)
        lead = doc.body[0].end if doc.title is None else doc.title.end
        total = time.perf_counter() - started
        return Brief(
            headline_en=headline,
            summary_en=bullets,
            key_figures=key_figures,
            entities=entities,
            causes=causes,
            primary_cause=claim_steps.primary_cause(claims, lead),
            source_script=doc.script,
            warnings=warnings,
            provenance=provenance(
                self.backend,
                self.prompts.version,
                usage,
                total_s=total,
                normalize_s=normalize_s,
                queue_s=queue_s,
            ),
        )

    # --- preparation ----------------------------------------------------------------------
    def _display(self, doc: Document, seg: Segment) -> str:
        simp = doc.simplified[seg.start : seg.end]
        shown = simp if self.settings.to_simplified else doc.text[seg.start : seg.end]
        return self.glossary.annotate(shown, simp)

    def _chunks(self, doc: Document) -> list[Chunk]:
        paras = [doc.title, *doc.body] if doc.title else list(doc.body)
        groups: list[list[Segment]] = [[]]
        size = 0
        for p in paras:
            if groups[-1] and size + len(p.text) > self.settings.chunk_chars:
                groups.append([])
                size = 0
            groups[-1].append(p)
            size += len(p.text)
        return [Chunk(g, "\n".join(self._display(doc, p) for p in g)) for g in groups]

    def _pick_figures(self, doc: Document) -> list[Figure]:
        """Money and ratio figures, lead first, one per distinct value."""
        found: list[Figure] = []
        for rank, para in enumerate([doc.title, *doc.body] if doc.title else doc.body):
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
    def _english_ok(self, texts: list[str], present: set[str], counters: Counter[str]) -> list[str]:
        return checks.record(counters, checks.english_problems(texts, self.glossary, present))

    def _summary(
        self,
        ask: Asker,
        doc: Document,
        present: set[str],
        counters: Counter[str],
        warnings: list[str],
        rejected: set[str],
        names: list[str],
        *,
        article: str | None = None,
        notes: list[str] | None = None,
        title: str = "",
    ) -> tuple[str, list[str]]:
        if article is not None:
            user = self.prompts.render("summary", article=article)
        else:
            user = self.prompts.render("reduce", notes="\n".join(f"- {n}" for n in notes or []), title=title)
        for attempt in range(1 + self.settings.repair_attempts):  # re-asked whole only if unusable
            answer = ask.ask(user + ("\nAnswer with the JSON object only." if attempt else ""),
                             grammar.summary_slots_grammar(), 450, "summary")  # fmt: skip
            if answer is not None and str(answer.get("headline", "")).strip():
                break
        else:
            raise GenerationFailed("the model did not produce a usable summary", detail={"step": "summary"})
        fields = {name: str(answer.get(name, "")).strip() for name in ("headline", *grammar.SUMMARY_SLOTS)}
        checker = SummaryChecks(self.glossary, doc, present, rejected, counters)
        problems = checker.all(fields)
        figures_en = conversions(doc.simplified)
        names_en = "; ".join(names)
        # Targeted repair: each failing field is re-asked on its own, with its problems named and what
        # fixing them needs (the article's figures in English when a number was wrong: 2.2万 came back
        # as "2.2 million"; its names when a name was); a field that passes is never touched, and a
        # retry replaces a draft only if it fails less.
        for _ in range(self.settings.repair_attempts):
            failing = [name for name in fields if problems[name]]
            if not failing:
                break
            items = []
            for name in failing:
                # What the fix needs: a model told only "names Morgan Stanley, which is not in the
                # article" writes Morgan Stanley again; told the names the article has, it picks one.
                hints = []
                if any(p.startswith("number not in the source") for p in problems[name]) and figures_en:
                    hints.append(f"The article's figures in English: {figures_en}")
                if any(p.startswith("names ") for p in problems[name]) and names_en:
                    hints.append(f"The article's names in English: {names_en}")
                fix = self.prompts.render(
                    "summary_repair",
                    field=name,
                    draft=fields[name],
                    problems="; ".join(problems[name]),
                    hints_block="\n".join(hints),
                )
                items.append((f"{user}\n\n{fix}", grammar.summary_field_grammar(name), 120, "summary:repair"))
            for name, retry in zip(failing, ask.ask_many(items), strict=True):
                text = str(retry.get(name, "")).strip() if retry else ""
                if not text:
                    continue
                found = checker.field(name, text, {k: v for k, v in fields.items() if k != name})
                if len(found) < len(problems[name]):
                    fields[name], problems[name] = text, found
        headline = fields["headline"]
        kept = [fields[s] for s in grammar.SUMMARY_SLOTS if fields[s] and not problems[s]]
        if problems["headline"] or len(kept) < 3:
            raise VerificationFailed(
                "the summary failed faithfulness checks after repair",
                detail={"problems": sorted({p for ps in problems.values() for p in ps})},
            )
        dropped = {s: problems[s] for s in grammar.SUMMARY_SLOTS if fields[s] and problems[s]}
        if dropped:
            named = "; ".join(sorted({p for ps in dropped.values() for p in ps}))
            warnings.append(f"{len(dropped)} summary bullet(s) dropped after failing checks: {named}")
        return headline, kept

    def _part_notes(
        self, ask: Asker, present: set[str], counters: Counter[str], article: str, part: int, parts: int
    ) -> list[str]:
        user = self.prompts.render("summary_part", article=article, part=part, parts=parts)
        answer = ask.ask(user, grammar.bullets_grammar(2), 200, "summary_part")
        if answer is None or not isinstance(answer.get("bullets"), list):
            return []
        return [
            b
            for b in map(str, answer["bullets"])
            if b.strip() and not self._english_ok([b], present, counters)
        ]

    def _ask_claims(
        self, ask: Asker, doc: Document, article: str, candidates: list[Candidate]
    ) -> list[tuple[claim_steps.ClaimQuestion, dict[str, Any] | None]]:
        questions = [q for c in candidates for q in claim_steps.questions_for(doc, self.glossary, c)]
        shown = {id(c): self._display(doc, c.span) for c in candidates}
        items = [
            claim_steps.render_question(self.prompts, article, shown[id(q.candidate)], q) for q in questions
        ]
        pending = list(zip(questions, ask.ask_many(items), strict=True))
        if self.settings.claim_label_followups:
            followups = claim_steps.label_followups(doc, pending)
            asked = [
                claim_steps.render_label_question(self.prompts, article, shown[id(q.candidate)], label)
                for q, _, label in followups
            ]
            pending += claim_steps.confirmed(followups, ask.ask_many(asked))
        return pending

    def _build_claims(
        self,
        doc: Document,
        present: set[str],
        counters: Counter[str],
        warnings: list[str],
        pending: list[tuple[claim_steps.ClaimQuestion, dict[str, Any] | None]],
    ) -> list[CauseClaim]:
        out = []
        for q, answer in pending:
            built, problems = claim_steps.build_claim(doc, self.glossary, present, q, answer, counters)
            out += built
            if problems:
                warnings.append(
                    f"dropped a {q.side} claim at {q.candidate.span.start}: {'; '.join(problems)}"
                )
        return out

    def _evidence_english(
        self, claims: list[CauseClaim], usage: Usage, warnings: list[str]
    ) -> list[CauseClaim]:
        """evidence_en through the shared translator (same checks and repair as /v1/translate). A
        rendering that still fails a check is kept, since the claim rests on its verbatim Chinese
        evidence, and the failure is named in warnings; an empty one drops the claim."""
        spans = list(dict.fromkeys(c.evidence_zh for c in claims))
        english = dict(zip(spans, self.translator.sentences(spans, usage), strict=True))
        out = []
        for c in claims:
            en, problems = english[c.evidence_zh]
            if not en:
                warnings.append(f"dropped a {c.stance} claim at {c.evidence_start}: no English rendering")
                continue
            if problems:
                warnings.append(f"evidence_en of the claim at {c.evidence_start}: {'; '.join(problems)}")
            out.append(c.model_copy(update={"evidence_en": en}))
        return out

    def _figure_whats(
        self,
        ask: Asker,
        doc: Document,
        present: set[str],
        counters: Counter[str],
        article: str,
        figures: list[Figure],
    ) -> dict[int, str]:
        if not figures:
            return {}
        items = []
        for f in figures:
            sent = next(
                (
                    s
                    for s in split_sentences(doc.text, max(0, f.start - 300), f.end + 300)
                    if s.start <= f.start < s.end
                ),
                None,
            )
            context = self._display(doc, sent) if sent else f.surface
            user = self.prompts.render("figures", article=article, sentence=context[:200], figure=f.surface)
            items.append((user, grammar.figure_grammar(), 40, "figure"))
        out = {}
        for f, answer in zip(figures, ask.ask_many(items), strict=True):
            what = str(answer.get("what", "")).strip() if answer else ""
            if what and not self._english_ok([what], present, counters):
                out[f.start] = what
        return out
