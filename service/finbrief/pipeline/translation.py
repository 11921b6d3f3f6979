"""Full-article translation: paragraph- and sentence-aligned zh->en.

Each sentence is one small request (a 1.5B model asked to translate a whole article drops and
merges sentences), with the article's glossary names as hints, decoded under a grammar that
cannot emit Chinese, then checked against its own source (names, numbers, length, loops) and
re-asked once with the problems named. What still fails is kept but flagged in `warnings`.
"""

from __future__ import annotations

import re
import time
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, fields, replace

from .. import checks
from ..checks.translation import translation_problems
from ..model import answers
from ..model.backends.base import Backend, GenerationRequest, GenerationResult
from ..model.call import Usage, generate, provenance
from ..model.prompts import PromptSet
from ..schemas import Provenance, Script, Span, TranslatedSegment, Translation
from ..text.figures import conversions
from ..text.glossary import Glossary
from ..text.normalize import normalize
from ..text.script import has_cjk, to_simplified
from ..text.segments import Segment, lines, split_sentences, trimmed

RAW_PROMPT = "Translate the following Chinese text into English:\n\n{text}"
SPLIT_GROUP_RE = re.compile(r"(?<![\d.])(\d{1,3}), (\d{3})(?![\d])")
# A clause break for sentences too long for one focused request.
CLAUSE_END_RE = re.compile(r"[，,：:、]")


@dataclass(frozen=True)
class Levers:
    """Every quality lever of the translation step, on by default. The eval harness switches them
    off one at a time to measure what each contributes (docs/QUALITY.md); all off = the raw model."""

    prompt: bool = True  # finbrief's translator prompt; off = the plain "Translate ... into English" prompt
    glossary: bool = True  # canonical English names of the glossary terms in the sentence, as hints
    figures: bool = True  # figures with units converted by code (5950亿美元 = $595 billion), as hints
    ban_cjk: bool = True  # a grammar that cannot emit Chinese (where the backend supports grammars)
    to_simplified: bool = True  # zh-Hant -> zh-Hans before prompting
    sentence_split: bool = True  # one request per sentence, not per paragraph
    repair: bool = True  # re-ask once with the failed checks named

    @classmethod
    def raw(cls) -> Levers:
        return cls(**dict.fromkeys((f.name for f in fields(cls)), False))

    def without(self, *names: str) -> Levers:
        return replace(self, **dict.fromkeys(names, False))


@dataclass(frozen=True)
class Piece:
    """One unit of translation: a sentence (or a clause run of an overlong one) of one paragraph."""

    paragraph: int
    seg: Segment


class Translator:
    def __init__(
        self,
        backend: Backend,
        glossary: Glossary,
        prompts: PromptSet,
        *,
        levers: Levers | None = None,
        repair_attempts: int = 1,
        max_piece_chars: int = 240,
        batch_size: int = 8,
        samples: int = 1,
        sample_temperature: float = 0.7,
    ) -> None:
        self.backend, self.glossary, self.prompts = backend, glossary, prompts
        self.levers = levers or Levers()
        self.repair_budget = repair_attempts  # what variant() passes on; the repair lever may zero it
        self.max_piece_chars, self.batch_size = max_piece_chars, batch_size
        # samples > 1: the greedy draft plus sampled ones, one picked by agreement (see pick_mbr).
        self.samples, self.sample_temperature = samples, sample_temperature

    @property
    def repair_attempts(self) -> int:
        return self.repair_budget if self.levers.repair else 0

    def variant(self, *, levers: Levers | None = None, samples: int | None = None) -> Translator:
        """This translator with other levers or another sample count (the eval harness's systems)."""
        return Translator(
            self.backend,
            self.glossary,
            self.prompts,
            levers=levers or self.levers,
            repair_attempts=self.repair_budget,
            max_piece_chars=self.max_piece_chars,
            batch_size=self.batch_size,
            samples=samples or self.samples,
            sample_temperature=self.sample_temperature,
        )

    # --- whole articles ---------------------------------------------------------------------
    def translate(self, text: str, *, skip_boilerplate: bool = True, queue_s: float = 0.0) -> Translation:
        *_, result = self.events(self.plan(text, skip_boilerplate), queue_s=queue_s)
        assert isinstance(result, Translation)
        return result

    def events(self, plan: Plan, *, queue_s: float = 0.0) -> Iterator[TranslatedSegment | Translation]:
        """Each segment as soon as its batch is done, then the whole Translation (for streaming)."""
        started = time.perf_counter()
        usage = Usage()
        segments = []
        for seg in self.stream(plan.items, usage):
            segments.append(seg)
            yield seg
        flagged = sum(1 for s in segments if s.warnings)
        warnings = [f"{flagged} of {len(segments)} segments failed a check after repair"] if flagged else []
        yield Translation(
            segments=segments,
            skipped=plan.skipped,
            source_script=plan.script,
            warnings=warnings,
            provenance=self.provenance(usage, time.perf_counter() - started, queue_s),
        )

    def plan(self, text: str, skip_boilerplate: bool = True) -> Plan:
        """Validate the text and cut it into pieces: paragraphs (title first), then sentences."""
        doc = normalize(text, min_chars=1)
        if skip_boilerplate:
            paragraphs = ([doc.title] if doc.title else []) + doc.body
            skipped = [Span(zh=s.text, start=s.start, end=s.end) for s, _ in doc.dropped]
        else:
            paragraphs = lines(text)
            skipped = []
        paragraphs.sort(key=lambda s: s.start)
        items = [Piece(i, seg) for i, para in enumerate(paragraphs) for seg in self._split(text, para)]
        return Plan(items, skipped, doc.script)

    def stream(self, pieces: Sequence[Piece], usage: Usage) -> Iterator[TranslatedSegment]:
        """Translate in batches, yielding segments in order as each batch completes (long texts are
        never one giant request, and a caller can forward progress)."""
        for i in range(0, len(pieces), self.batch_size):
            batch = pieces[i : i + self.batch_size]
            for piece, (en, problems) in zip(
                batch, self.sentences([p.seg.text for p in batch], usage), strict=True
            ):
                yield TranslatedSegment(
                    zh=piece.seg.text,
                    en=en,
                    start=piece.seg.start,
                    end=piece.seg.end,
                    paragraph=piece.paragraph,
                    warnings=problems,
                )

    # --- sentences --------------------------------------------------------------------------
    def sentences(self, sentences: Sequence[str], usage: Usage) -> list[tuple[str, list[str]]]:
        """(English, remaining problems) per sentence. Text with no Chinese passes through as is."""
        out: list[tuple[str, list[str]] | None] = [None] * len(sentences)
        todo = []
        for i, zh in enumerate(sentences):
            if has_cjk(zh):
                todo.append(i)
            else:
                out[i] = (zh.strip(), [])
        pools = self.drafts([sentences[i] for i in todo], usage)
        answers = dict(zip(todo, map(pick_mbr, pools), strict=True))
        for _ in range(self.repair_attempts):
            failing = [i for i in todo if answers[i][1]]
            if not failing:
                break
            for problem_list in (answers[i][1] for i in failing):
                checks.record(usage.checks, problem_list)
            retries = self._generate(
                [self._request(sentences[i], draft=answers[i][0], problems=answers[i][1]) for i in failing],
                usage,
            )
            for i, (en, res) in zip(failing, retries, strict=True):
                problems = self.problems(sentences[i], en, res)
                if len(problems) < len(answers[i][1]):  # keep whichever draft fails fewer checks
                    answers[i] = (en, problems)
        for i in todo:
            out[i] = answers[i]
        return [o for o in out if o is not None]

    def drafts(self, sentences: Sequence[str], usage: Usage) -> list[list[tuple[str, list[str]]]]:
        """Per (Chinese) sentence, its candidate translations with their failed checks: the greedy
        draft first, then `samples - 1` sampled ones (consecutive, so each reuses its prompt's cache)."""
        n = max(1, self.samples)
        requests = [
            replace(req, temperature=self.sample_temperature, seed=k) if k else req
            for zh in sentences
            for req in [self._request(zh)]
            for k in range(n)
        ]
        done = self._generate(requests, usage)
        return [
            [(en, self.problems(zh, en, res)) for en, res in done[j * n : (j + 1) * n]]
            for j, zh in enumerate(sentences)
        ]

    def problems(self, zh: str, en: str, result: GenerationResult | None = None) -> list[str]:
        cut_off = result is not None and result.finish_reason == "length"
        return translation_problems(zh, en, self.glossary, cut_off=cut_off)

    def _request(self, zh: str, *, draft: str = "", problems: Sequence[str] = ()) -> GenerationRequest:
        lv = self.levers
        source = to_simplified(zh) if lv.to_simplified else zh
        max_tokens = min(1024, 3 * len(zh) + 48)
        line = answers.english_line(4 * len(zh) + 200) if lv.ban_cjk else None
        if not lv.prompt:
            user, system = RAW_PROMPT.format(text=source), ""
        else:
            values = {"context_block": "", "hints_block": self._hints(zh), "sentence": source}
            if draft:
                user = self.prompts.render(
                    "translate_repair", **values, draft=draft, problems="; ".join(problems)
                )
            else:
                user = self.prompts.render("translate_sentence", **values)
            system = self.prompts.templates["translator"].strip()
        return GenerationRequest(
            system=system,
            user=user,
            max_tokens=max_tokens,
            grammar=line.gbnf() if line else None,
            answer=line,
            ban_cjk=lv.ban_cjk,
            stop=("\n",) if lv.prompt else (),
            tag="translate:repair" if draft else "translate",
        )

    def _hints(self, zh: str) -> str:
        return source_hints(self.glossary, zh, names=self.levers.glossary, figures=self.levers.figures)

    def _generate(self, batch: list[GenerationRequest], usage: Usage) -> list[tuple[str, GenerationResult]]:
        out = []
        for req, res in zip(batch, generate(self.backend, batch, usage), strict=True):
            out.append((clean(res.text, req.user) if res.finish_reason != "error" else "", res))
        return out

    def split_line(self, line: str) -> list[Segment]:
        """How one paragraph is cut into pieces (offsets into `line`)."""
        para = trimmed(line, 0, len(line))
        return self._split(line, para) if para else []

    def _split(self, text: str, para: Segment) -> list[Segment]:
        if not self.levers.sentence_split:
            return [para]
        out = []
        for sent in split_sentences(text, para.start, para.end):
            out += _clauses(text, sent, self.max_piece_chars)
        return out

    def provenance(self, usage: Usage, total_s: float, queue_s: float = 0.0) -> Provenance:
        return provenance(self.backend, self.prompts.version, usage, total_s=total_s, queue_s=queue_s)


def source_hints(glossary: Glossary, zh: str, *, names: bool = True, figures: bool = True) -> str:
    """Names from the glossary and figures converted by code ("240万 = 2.4 million") for one source
    sentence: the model copies a given rendering far more reliably than it scales 万 and 亿 itself."""
    out = ""
    if names:
        found: dict[str, str] = {}
        for hit in glossary.find(to_simplified(zh)):
            found.setdefault(zh[hit.start : hit.end], hit.term.english)
        out += ("Names: " + "; ".join(f"{k} = {v}" for k, v in found.items()) + "\n") if found else ""
    if figures:
        converted = conversions(zh, limit=100)
        out += f"Numbers: {converted}\n" if converted else ""
    return out


@dataclass
class Plan:
    items: list[Piece]
    skipped: list[Span]
    script: Script


def pick_mbr(pool: Sequence[tuple[str, list[str]]]) -> tuple[str, list[str]]:
    """Minimum-Bayes-risk pick: among the candidates failing the fewest checks, the one that agrees
    most (chrF++) with all the others, the consensus rendering; ties go to the earliest (greedy)."""
    if len(pool) == 1:
        return pool[0]
    from sacrebleu.metrics import CHRF

    chrf = CHRF(word_order=2)
    texts = [en for en, _ in pool if en]
    fewest = min(len(problems) for _, problems in pool)
    eligible = [c for c in pool if len(c[1]) == fewest]

    def agreement(en: str) -> float:
        return sum(chrf.sentence_score(en, [other]).score for other in texts) if en else -1.0

    return max(eligible, key=lambda c: agreement(c[0]))


def clean(text: str, source: str = "") -> str:
    """The translation itself: first line, without a label or wrapping quotes the model may add, and
    with digit groups the tokenizer split apart ("16, 700") joined where the source writes them joined."""
    text = text.strip().split("\n")[0].strip() if text.strip() else ""
    text = re.sub(r"^(English|Translation)\s*:\s*", "", text, flags=re.I)
    if len(text) > 1 and text[0] in '"“«' and text[-1] in '"”»':
        text = text[1:-1].strip()
    digits = re.sub(r"[,，\s]", "", unicodedata.normalize("NFKC", source))
    return SPLIT_GROUP_RE.sub(lambda m: f"{m[1]},{m[2]}" if m[1] + m[2] in digits else m[0], text)


def _clauses(text: str, sent: Segment, limit: int) -> list[Segment]:
    """An overlong sentence cut at clause breaks into runs of at most ~limit characters."""
    if len(sent.text) <= limit:
        return [sent]
    out, start = [], sent.start
    cuts = [m.end() for m in CLAUSE_END_RE.finditer(text, sent.start, sent.end)]
    last = start
    for cut in cuts:
        if cut - start > limit and last > start:
            seg = trimmed(text, start, last)
            if seg:
                out.append(seg)
            start = last
        last = cut
    seg = trimmed(text, start, sent.end)
    if seg:
        out.append(seg)
    return out
