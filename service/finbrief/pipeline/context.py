"""What one brief's steps share: the document, the model asker and its accounting, the names the
article has, and the warnings the reader will see. One object per request, passed to every step."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from ..model.call import Asker, Usage
from ..schemas import Entity, WithheldText
from ..text.normalize import Document


@dataclass
class BriefContext:
    doc: Document
    ask: Asker
    usage: Usage
    present: set[str]  # English names of the glossary terms the article has
    entities: list[Entity]
    warnings: list[str] = field(default_factory=list)
    withheld: list[WithheldText] = field(default_factory=list)  # renderings the checks held back

    @property
    def counters(self) -> Counter[str]:
        """How often each check fired: every step records here."""
        return self.usage.checks
