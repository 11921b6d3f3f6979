"""The brief's headline and bullets, grounded: code picks the source sentences (text/salience.py),
the model renders each one briefly in English with the article as context, and each rendering is
checked against its own sentence (checks/summary.py). A failing rendering is re-asked once with its
problems named, then dropped with a warning: never shipped unchecked, and never the reason a brief
is refused."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from ..checks.summary import GroundedChecks
from ..model import answers
from ..model.prompts import PromptSet
from ..model.spec import AnswerSpec
from ..schemas import CauseClaim, GroundedText, Span, WithheldText
from ..text.glossary import Glossary
from ..text.segments import Segment
from .context import BriefContext
from .translation import source_hints

Item = tuple[str, AnswerSpec, int, str]  # (user prompt, answer, max tokens, step tag): one Asker question


@dataclass
class Draft:
    """One headline or bullet: the span it renders, the article part it was asked with, its text."""

    kind: str  # "headline" | "bullet": also the prompt file and the answer's JSON key
    span: Segment
    article: str = ""
    text: str = ""
    problems: list[str] = field(default_factory=list)
    failed: list[tuple[str, list[str]]] = field(default_factory=list)  # every rendering that failed

    @property
    def limits(self) -> tuple[int, int]:
        """(minimum words, maximum characters) of a rendering."""
        if self.kind == "headline":
            return 1, answers.HEADLINE_MAX_CHARS
        return 4, answers.BULLET_MAX_CHARS


class GroundedSummary:
    def __init__(self, glossary: Glossary, prompts: PromptSet) -> None:
        self.glossary, self.prompts = glossary, prompts

    def render(self, ctx: BriefContext, drafts: Sequence[Draft]) -> None:
        """Ask for every draft's first rendering, in one batch (they share the article prefix)."""
        answers = ctx.ask.ask_many([self._item(ctx, d) for d in drafts])
        for draft, answer in zip(drafts, answers, strict=True):
            draft.text = str(answer.get(draft.kind, "")).strip() if answer else ""

    def verify(
        self, ctx: BriefContext, claims: Sequence[CauseClaim], drafts: Sequence[Draft]
    ) -> tuple[GroundedText | None, list[GroundedText]]:
        """Check every draft against its span, repair the failing ones once, drop what still fails."""
        checker = GroundedChecks(self.glossary, ctx.doc, claims, ctx.counters)
        self._check(checker, drafts)
        failing = [d for d in drafts if d.problems]
        if failing:
            repairs = ctx.ask.ask_many([self._item(ctx, d, repair=True) for d in failing])
            for draft, answer in zip(failing, repairs, strict=True):
                retry = str(answer.get(draft.kind, "")).strip() if answer else ""
                if retry:
                    self._retry(checker, drafts, draft, retry)
        return self._kept(ctx, drafts)

    # --- internals --------------------------------------------------------------------------
    def _item(self, ctx: BriefContext, draft: Draft, *, repair: bool = False) -> Item:
        sentence = ctx.doc.text[draft.span.start : draft.span.end]
        hints = source_hints(self.glossary, sentence)
        user = self.prompts.render(
            draft.kind, article=draft.article, sentence=sentence, hints_block=hints.strip()
        )
        if repair:
            user += "\n\n" + self.prompts.render(
                "grounded_repair",
                draft=draft.text,
                sentence=sentence,
                problems="; ".join(draft.problems),
                hints_block=hints.strip(),
                field=draft.kind,
            )
        gram = answers.headline_answer() if draft.kind == "headline" else answers.bullet_answer()
        tokens = 60 if draft.kind == "headline" else 110
        return user, gram, tokens, f"{draft.kind}:repair" if repair else draft.kind

    def _check(self, checker: GroundedChecks, drafts: Sequence[Draft]) -> None:
        earlier: list[str] = []
        for d in drafts:
            min_words, max_chars = d.limits
            d.problems = checker.problems(
                d.text, d.span, min_words=min_words, max_chars=max_chars, earlier=earlier
            )
            if d.problems and d.text:
                d.failed.append((d.text, d.problems))
            if d.kind == "bullet" and not d.problems:
                earlier.append(d.text)

    def _retry(self, checker: GroundedChecks, drafts: Sequence[Draft], draft: Draft, text: str) -> None:
        """A retry replaces the draft only if it fails fewer checks."""
        min_words, max_chars = draft.limits
        others = [d.text for d in drafts if d is not draft and d.kind == "bullet" and not d.problems]
        found = checker.problems(text, draft.span, min_words=min_words, max_chars=max_chars, earlier=others)
        if found:
            draft.failed.append((text, found))
        if len(found) < len(draft.problems):
            draft.text, draft.problems = text, found

    def _kept(
        self, ctx: BriefContext, drafts: Sequence[Draft]
    ) -> tuple[GroundedText | None, list[GroundedText]]:
        def grounded(d: Draft) -> GroundedText:
            return GroundedText(
                text=d.text, evidence=[Span(zh=d.span.text, start=d.span.start, end=d.span.end)]
            )

        bullets = [grounded(d) for d in drafts if d.kind == "bullet" and d.text and not d.problems]
        for d in drafts:
            evidence = grounded(d).evidence
            ctx.withheld += [
                WithheldText(
                    kind=d.kind, text=text, evidence=evidence, problems=problems, repaired=not d.problems
                )
                for text, problems in d.failed
            ]
            if d.problems:
                what = "headline" if d.kind == "headline" else f"bullet from {d.span.start}-{d.span.end}"
                ctx.warnings.append(f"{what} dropped after failing checks: {'; '.join(d.problems)}")
        head = next((d for d in drafts if d.kind == "headline"), None)
        if head is not None and head.text and not head.problems:
            return grounded(head), bullets
        if bullets:  # a verified bullet is a faithful headline; an unverified headline is not
            ctx.warnings.append("the headline is the first bullet: the rendered headline failed its checks")
            return bullets[0], bullets[1:] if len(bullets) > 1 else bullets
        return None, bullets
