"""Does the in-process llama.cpp backend gain from sending a brief's questions to several slots at
once? (issue 12: "the in-process backend gains the same concurrency where it pays")

Loads the model once per configuration with llama.cpp's own server loop (xllamacpp, as the backend
does), primes one slot with a question over a shared article prefix (as a brief's first question
does), then asks N more questions over the same prefix, one after another on one slot, or at once
on several slots. Each slot keeps its own KV cache: a slot that has not seen the prefix prefills it
again, and on a CPU the batched decode of two answers barely beats two in a row.

    .venv/bin/python benchmarks/inprocess_slots.py MODEL.gguf            # 1 slot, then 2, then 2 unified

Prints one JSON line per configuration: wall seconds for the N questions, and per question its
seconds, completion tokens and cached prompt tokens.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "service"))

from finbrief.model import answers

SEED = Path(__file__).resolve().parents[2] / "shared" / "seeds" / "004_6cfe05d7d97b57d2.txt"


def measure(model: str, slots: int, unified: bool, threads: int, questions: int) -> dict[str, Any]:
    import xllamacpp as xlc

    params = xlc.CommonParams()
    params.model.path = model
    params.n_parallel = slots
    params.n_ctx = 4096 * slots
    params.cpuparams.n_threads = threads
    params.cpuparams_batch.n_threads = threads
    params.warmup = False
    params.verbosity = -1
    params.kv_unified = unified
    server = xlc.Server(params)
    article = SEED.read_text(encoding="utf-8")[:1200]
    grammar = answers.claim_answer(["trade_policy", "ai_disruption", "valuation"], ["author"]).gbnf()

    def ask(i: int) -> tuple[float, int, int]:
        body = {
            "messages": [{"role": "user", "content": f"Article:\n{article}\n\nSentence {i}: which cause?"}],
            "max_tokens": 60,
            "temperature": 0,
            "cache_prompt": True,
            "grammar": grammar,
        }
        started = time.perf_counter()
        out = server.handle_chat_completions(body)
        cached = int(out.get("timings", {}).get("cache_n", 0))
        return time.perf_counter() - started, int(out["usage"]["completion_tokens"]), cached

    prime_s = ask(0)[0]
    started = time.perf_counter()
    if slots > 1:
        with ThreadPoolExecutor(slots) as pool:
            results = list(pool.map(ask, range(1, questions + 1)))
    else:
        results = [ask(i) for i in range(1, questions + 1)]
    wall = time.perf_counter() - started
    return {
        "slots": slots,
        "kv_unified": unified,
        "prime_s": round(prime_s, 1),
        "wall_s": round(wall, 1),
        "questions": [{"s": round(s, 1), "completion": c, "cached": k} for s, c, k in results],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("model")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--questions", type=int, default=4)
    args = parser.parse_args()
    for slots, unified in ((1, False), (2, False), (2, True)):
        print(json.dumps(measure(args.model, slots, unified, args.threads, args.questions)), flush=True)


if __name__ == "__main__":
    main()
