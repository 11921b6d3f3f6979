"""llama-server's HTTP API, as xllamacpp ships it, in a process of its own (tests' real engine).

    python tests/engine_server.py MODEL.gguf ALIAS [--parallel N] [--ctx N] [--threads N]

Prints the base URL on stdout once the model is loaded, then serves until stdin closes.
"""

from __future__ import annotations

import argparse
import os
import sys


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("model")
    parser.add_argument("alias")
    parser.add_argument("--parallel", type=int, default=2)
    parser.add_argument("--ctx", type=int, default=8192, help="tokens per slot")
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()

    import xllamacpp as xlc

    params = xlc.CommonParams()
    params.model.path = args.model
    params.model_alias = {args.alias}  # the served model name /v1/models lists
    params.n_parallel = args.parallel
    params.n_ctx = args.ctx * args.parallel  # llama-server splits the context across its slots
    params.cpuparams.n_threads = args.threads
    params.cpuparams_batch.n_threads = args.threads
    params.warmup = False
    params.verbosity = -1
    server = xlc.Server(params)  # listens on an ephemeral loopback port
    print(server.listening_address, flush=True)
    sys.stdin.read()  # until the test closes our stdin (or dies)


if __name__ == "__main__":
    main()
