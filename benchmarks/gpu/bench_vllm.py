"""GPU benchmark, ready to run on a machine with one GPU: vLLM serving a 7B-class model, and N
concurrent briefs of the seed articles through finbrief's `openai` backend.

    pip install vllm                       # in this venv, or give another with --vllm-python
    python benchmarks/gpu/bench_vllm.py    # Qwen/Qwen2.5-7B-Instruct, 40 briefs, 8 at a time

    --model M            hub id or local folder (default Qwen/Qwen2.5-7B-Instruct)
    --weights W          auto (real weights if the hub answers, else dummy) | real | dummy
    --briefs N --concurrency C --seeds DIR --port P --out result.json
    --engine-url URL     skip starting vLLM: measure an engine that is already up
    -- ARGS              passed on to vLLM (e.g. -- --tensor-parallel-size 2)

With dummy weights (no hub) vLLM loads random weights of the same architecture
(`--load-format dummy`, config and an offline tokenizer from offline_model.py): the briefs are noise
and mostly fail their checks, but the engine does a 7B model's work per token, which is what the
throughput numbers measure. Prints articles/s, p50/p95 brief latency and the engine's tokens/s
(prompt and generated, from vLLM's /metrics), plus its prefix-cache hit rate. Not part of CI.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[2]
SERVED = "finbrief-bench"
COUNTERS = (
    "vllm:prompt_tokens_total",
    "vllm:generation_tokens_total",
    "vllm:prefix_cache_queries_total",
    "vllm:prefix_cache_hits_total",
)


def hub_reachable() -> bool:
    endpoint = os.environ.get("HF_ENDPOINT", "https://huggingface.co")
    try:
        return httpx.head(endpoint, timeout=5, follow_redirects=True).status_code < 500
    except httpx.HTTPError:
        return False


def model_source(model: str, weights: str, seeds: list[str], work: Path) -> tuple[str, list[str]]:
    """(what vLLM loads, extra flags): real weights, or random ones of the same architecture."""
    real = weights == "real" or (weights == "auto" and (Path(model).is_dir() or hub_reachable()))
    if real:
        return model, []
    sys.path.insert(0, str(Path(__file__).parent))
    from offline_model import build

    print("no model hub: dummy weights of Qwen2.5-7B's architecture", file=sys.stderr)
    return str(build(work / "qwen2.5-7b-dummy", seeds)), ["--load-format", "dummy"]


def start_vllm(python: str, model: str, port: int, extra: list[str], log: Path) -> subprocess.Popen[bytes]:
    cmd = [
        python, "-m", "vllm.entrypoints.openai.api_server",
        "--model", model, "--served-model-name", SERVED,
        "--host", "127.0.0.1", "--port", str(port),
        "--enable-prefix-caching",  # every question of a brief starts with the same article
        "--max-model-len", "16384",
        *extra,
    ]  # fmt: skip
    print("starting:", " ".join(cmd), file=sys.stderr)
    return subprocess.Popen(cmd, stdout=log.open("wb"), stderr=subprocess.STDOUT)


def wait_ready(url: str, proc: subprocess.Popen[bytes] | None, timeout_s: float = 1800) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise SystemExit(f"vLLM exited with {proc.returncode}: see its log")
        try:
            if httpx.get(url + "/v1/models", timeout=5).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(2)
    raise SystemExit("vLLM did not come up in time")


def engine_counters(url: str) -> dict[str, float]:
    """vLLM's cumulative counters (Prometheus text), summed over their labels."""
    out = dict.fromkeys(COUNTERS, 0.0)
    try:
        text = httpx.get(url + "/metrics", timeout=10).text
    except httpx.HTTPError:
        return out
    for line in text.splitlines():
        name = line.split("{", 1)[0].split(" ", 1)[0]
        if name in out:
            out[name] += float(line.rsplit(" ", 1)[1])
    return out


def run_briefs(url: str, texts: list[str], n: int, concurrency: int) -> tuple[list[float], list[str], int]:
    """(seconds per brief, failures, model calls): N briefs, `concurrency` at a time."""
    from finbrief.runtime import build_runtime
    from finbrief.schemas import BriefRequest
    from finbrief.settings import Settings

    settings = Settings(
        backend="openai",
        engine_url=url,
        engine_model=SERVED,
        engine_flavour="vllm",
        engine_max_concurrency=min(256, concurrency * 16),  # a brief asks ~10-30 questions at once
        cache_enabled=False,
        warmup=False,
    )
    runtime = build_runtime(settings)
    runtime.backend.warmup()

    def one(i: int) -> tuple[float, str | None, int]:
        started = time.perf_counter()
        try:
            brief = runtime.brief(BriefRequest(text=texts[i % len(texts)]), lookup=False)
        except Exception as exc:  # counted and reported: a benchmark runs to the end
            return time.perf_counter() - started, f"{type(exc).__name__}: {exc}", 0
        return time.perf_counter() - started, None, brief.provenance.tokens.calls

    with ThreadPoolExecutor(concurrency) as pool:
        done = list(pool.map(one, range(n)))
    runtime.backend.close()
    return [s for s, _, _ in done], [e for _, e, _ in done if e], sum(c for _, _, c in done)


def report(
    latencies: list[float], failures: list[str], calls: int, wall_s: float, delta: dict[str, float]
) -> dict[str, Any]:
    ordered = sorted(latencies)
    queries = delta["vllm:prefix_cache_queries_total"]
    hit_rate = round(delta["vllm:prefix_cache_hits_total"] / queries, 3) if queries else None
    result = {
        "briefs": len(latencies),
        "failed": len(failures),
        "wall_s": round(wall_s, 1),
        "articles_per_s": round(len(latencies) / wall_s, 3),
        "latency_p50_s": round(statistics.median(ordered), 2),
        "latency_p95_s": round(ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))], 2),
        "model_calls": calls,
        "engine_prompt_tokens_per_s": round(delta["vllm:prompt_tokens_total"] / wall_s, 1),
        "engine_generated_tokens_per_s": round(delta["vllm:generation_tokens_total"] / wall_s, 1),
        "prefix_cache_hit_rate": hit_rate,
        "first_failures": failures[:3],
    }
    for key, value in result.items():
        print(f"{key:32} {value}")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--model", default="Qwen/Qwen2.5-7B-Instruct")
    parser.add_argument("--weights", choices=["auto", "real", "dummy"], default="auto")
    parser.add_argument("--briefs", type=int, default=40)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--seeds", type=Path, default=ROOT.parent / "shared" / "seeds")
    parser.add_argument("--port", type=int, default=8011)
    parser.add_argument("--vllm-python", default=sys.executable)
    parser.add_argument("--engine-url", help="an engine already serving SERVED; nothing is started")
    parser.add_argument("--out", type=Path)
    args, extra = parser.parse_known_args()
    extra = [a for a in extra if a != "--"]
    texts = [p.read_text(encoding="utf-8") for p in sorted(args.seeds.glob("*.txt"))]
    if not texts:
        raise SystemExit(f"no seed articles in {args.seeds}")

    work = Path(tempfile.mkdtemp(prefix="finbrief-gpu-"))
    proc = None
    url = args.engine_url or f"http://127.0.0.1:{args.port}"
    if not args.engine_url:
        model, flags = model_source(args.model, args.weights, texts, work)
        proc = start_vllm(args.vllm_python, model, args.port, [*flags, *extra], work / "vllm.log")
        print(f"vLLM log: {work / 'vllm.log'}", file=sys.stderr)
    try:
        wait_ready(url, proc)
        before, started = engine_counters(url), time.perf_counter()
        latencies, failures, calls = run_briefs(url, texts, args.briefs, args.concurrency)
        wall_s, after = time.perf_counter() - started, engine_counters(url)
        delta = {k: after[k] - before[k] for k in COUNTERS}
        result = report(latencies, failures, calls, wall_s, delta)
        result.update(model=args.model, weights=args.weights, concurrency=args.concurrency)
        if args.out:
            args.out.write_text(json.dumps(result, indent=1))
    finally:
        if proc is not None:
            proc.terminate()
            try:
                proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                proc.kill()


if __name__ == "__main__":
    main()
