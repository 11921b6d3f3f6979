"""`finbrief eval translation`: sacreBLEU chrF++ and BLEU of zh->en over any aligned src/ref files.

A system is anything that maps Chinese segments to English ones: the finbrief translator with its
levers, or the raw model with a plain prompt (Levers.raw()). Segments are translated in batches so a
progress bar can move and partial results are never lost to an exception.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sacrebleu

from ..model.call import Usage
from ..pipeline.translation import Translator
from ..text.script import CJK_RE

TranslateFn = Callable[[Sequence[str]], list[tuple[str, list[str]]]]


@dataclass
class TranslationEval:
    metrics: dict[str, Any]
    items: list[dict[str, Any]]


def read_lines(path: Path, limit: int | None = None) -> list[str]:
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    return lines[:limit] if limit else lines


def translator_fn(translator: Translator, usage: Usage) -> TranslateFn:
    """Whole source lines -> English lines: each line is split into pieces the way the translator
    splits paragraphs (sentence_split lever), translated, and the pieces' English joined back."""

    def run(lines: Sequence[str]) -> list[tuple[str, list[str]]]:
        pieces = [[seg.text for seg in translator.split_line(line)] or [line] for line in lines]
        flat = [p for ps in pieces for p in ps]
        done = iter(translator.sentences(flat, usage))
        out = []
        for ps in pieces:
            parts = [next(done) for _ in ps]
            out.append((" ".join(en for en, _ in parts if en), [p for _, probs in parts for p in probs]))
        return out

    return run


def evaluate(
    src: Sequence[str],
    ref: Sequence[str],
    translate: TranslateFn,
    *,
    batch_size: int = 8,
    on_batch: Callable[[int], None] | None = None,
    checkpoint: Path | None = None,
) -> TranslationEval:
    """With `checkpoint`, every finished batch is appended there (one JSON line per segment), and a
    rerun with the same checkpoint picks up where a killed run stopped: an hour of CPU is not lost."""
    if len(src) != len(ref):
        raise ValueError(f"source has {len(src)} lines but reference has {len(ref)}")
    items = _resume(checkpoint, src) if checkpoint else []
    if on_batch and items:
        on_batch(len(items))
    for i in range(len(items), len(src), batch_size):
        t0 = time.perf_counter()
        batch = list(src[i : i + batch_size])
        answers = translate(batch)
        per = (time.perf_counter() - t0) / max(1, len(batch))
        for j, (zh, (en, problems)) in enumerate(zip(batch, answers, strict=True)):
            en = " ".join(en.split())  # one line per segment, whatever the model wrote
            items.append(
                {
                    "index": i + j,
                    "src": zh,
                    "ref": ref[i + j],
                    "hyp": en,
                    "chrf++": round(sacrebleu.sentence_chrf(en, [ref[i + j]], word_order=2).score, 2),
                    "leftover_chinese": bool(CJK_RE.search(en)),
                    "flags": problems,
                    "seconds": round(per, 3),
                }
            )
        if checkpoint:
            with checkpoint.open("a", encoding="utf-8") as f:
                f.writelines(json.dumps(it, ensure_ascii=False) + "\n" for it in items[i:])
        if on_batch:
            on_batch(len(batch))
    return TranslationEval(metrics_of(items), items)


def metrics_of(items: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Corpus metrics of a list of scored segments (also used to re-score a spliced report)."""
    hyps, refs = [it["hyp"] for it in items], [[it["ref"] for it in items]]
    return {
        "segments": len(hyps),
        "chrf++": round(sacrebleu.corpus_chrf(hyps, refs, word_order=2).score, 2),
        "bleu": round(sacrebleu.corpus_bleu(hyps, refs).score, 2),
        "leftover_chinese": sum(1 for it in items if it["leftover_chinese"]),
        "flagged_segments": sum(1 for it in items if it["flags"]),
        "seconds_per_segment": round(sum(it["seconds"] for it in items) / max(1, len(items)), 3),
    }


def _resume(checkpoint: Path, src: Sequence[str]) -> list[dict[str, Any]]:
    """The checkpoint's leading items that still match the source (a changed source starts over)."""
    if not checkpoint.is_file():
        return []
    items: list[dict[str, Any]] = []
    for line in checkpoint.read_text(encoding="utf-8").splitlines():
        try:
            it = json.loads(line)
        except json.JSONDecodeError:
            break  # a line cut by the kill: everything after it is redone
        if it.get("index") != len(items) or len(items) >= len(src) or it.get("src") != src[len(items)]:
            break
        items.append(it)
    checkpoint.write_text(
        "".join(json.dumps(it, ensure_ascii=False) + "\n" for it in items), encoding="utf-8"
    )
    return items
