"""Versioned prompt files (prompts/<version>/*.md) rendered with string.Template."""

from __future__ import annotations

import hashlib
from pathlib import Path
from string import Template

from ..text.taxonomy import definitions


class PromptSet:
    def __init__(self, root: Path, version: str) -> None:
        folder = Path(root) / version
        if not folder.is_dir():
            raise FileNotFoundError(f"prompt set {folder} does not exist")
        self.templates = {p.stem: p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.md"))}
        # The system prompt may define the cause labels ($cause_labels, from the taxonomy), so the
        # version hashes what the model is shown, not only the files.
        self.system = Template(self.templates["system"].strip()).safe_substitute(cause_labels=definitions())
        digest = hashlib.sha256()
        for name, text in sorted(self.templates.items()):
            digest.update(name.encode() + b"\0" + text.encode() + b"\0")
        digest.update(self.system.encode())
        self.version = f"{version}+{digest.hexdigest()[:8]}"

    def render(self, name: str, **values: object) -> str:
        if "article" in values and "article_block" not in values:
            values["article_block"] = Template(self.templates["article"]).substitute(
                article=values["article"]
            )
        return Template(self.templates[name]).substitute(**values).strip()
