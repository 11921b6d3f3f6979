"""The backend interface: everything the pipeline needs from a model, and nothing more.

Backends are synchronous and thread-compatible; concurrency and queueing live in engine.py only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable


@dataclass(frozen=True)
class GenerationRequest:
    """One chat-style generation. `grammar` is GBNF; backends that cannot enforce it say so."""

    system: str
    user: str
    max_tokens: int = 256
    grammar: str | None = None
    temperature: float = 0.0
    seed: int = 0  # sampling seed: several samples of one prompt differ only by seed
    stop: tuple[str, ...] = ()
    # English-only output: backends forbid CJK tokens at decoding time (llama.cpp also via grammar).
    ban_cjk: bool = False
    tag: str = ""  # the pipeline step, for logs and metrics


@dataclass
class GenerationResult:
    text: str
    prompt_tokens: int
    completion_tokens: int
    finish_reason: str  # "stop" | "length" | "error"
    cached_tokens: int = 0
    seconds: float = 0.0
    error: str | None = None
    extra: dict[str, float] = field(default_factory=dict)


@runtime_checkable
class Backend(Protocol):
    name: str
    model_id: str
    model_sha256: str | None

    def generate(self, batch: Sequence[GenerationRequest]) -> list[GenerationResult]:
        """Run every request; results in the same order. Never raises for one bad request: its
        result carries finish_reason="error" and `error`."""
        ...

    def count_tokens(self, text: str) -> int: ...

    def warmup(self) -> None:
        """Load weights and run one tiny generation so the first user request is not the slow one."""
        ...

    def close(self) -> None: ...
