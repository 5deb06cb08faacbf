"""What the extractor carries from number to number and sentence to sentence.

Kept apart from ``extract.py`` so the helpers that read it (``subjects.py``, ``meaning.py``)
do not import the extractor itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .connect import Carry
from .context import DocContext
from .facts import Document, Observation, Period
from .tokens import Candidate

__all__ = ["Fact", "State"]


@dataclass(slots=True)
class Fact:
    """An observation with the candidate it came from, where its unit ends and its indicator."""

    obs: Observation
    cand: Candidate
    unit_end: int
    ind: str


@dataclass(slots=True)
class State:
    """Document-wide extraction state: the locality in focus, the paragraph's period and
    subject (they carry over to sentences that do not restate them)."""

    ctx: DocContext
    doc: Document
    locality: str | None = None  # administrative unit IRI in focus
    para_period: Period | None = None
    para_subject: str | None = None
    facts: list[Fact] = field(default_factory=list)
    carry: Carry = field(default_factory=Carry)  # a grouped connection total awaiting its breakdown
    index: str | None = None  # the index (PAR INDEX, SIPAS, 766 …) last named, for scores and ranks after it
