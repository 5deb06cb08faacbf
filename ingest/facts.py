"""Typed facts: the contract between extraction (``extract.py``) and RDF (``to_rdf.py``).

Offsets are code points into :attr:`Document.text` (the whole source text after NFC,
boilerplate included), end exclusive.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

UNITS = ("percent", "VND", "dossier", "procedure", "decision", "task", "system",
         "enterprise", "person", "point", "rank", "other")
KINDS = ("rate", "count", "money", "growth", "ratio", "score", "rank", "target", "other")
QUALIFIERS = ("exact", "more_than", "nearly", "about", "estimated", "at_least", "up_to")
LEVELS = ("national", "ministry", "provincial", "district", "commune", "other")
STATUSES = ("operational", "planned")


@dataclass(frozen=True, slots=True)
class Period:
    """A reporting period: an ISO 8601 label and its first and last day (inclusive).

    >>> Period("2025-Q1", "2025-01-01", "2025-03-31").label
    '2025-Q1'
    """

    label: str
    start: str
    end: str


@dataclass(slots=True)
class Entity:
    """Something a fact is about: an administrative unit, agency, system, plan or group."""

    iri: str
    type: str  # "adm" | "agency" | "system" | "plan"
    label_vi: str
    label_en: str
    level: str | None = None
    place: str | None = None  # administrative unit IRI (jurisdiction or province)
    operator: str | None = None  # agency IRI, for systems
    parent: str | None = None  # org:subOrganizationOf, for agencies


@dataclass(slots=True)
class Observation:
    """One number reported in the text."""

    value: Decimal  # base unit: VND not "tỷ", 28.13 for 28,13 %
    unit: str
    kind: str
    qualifier: str
    indicator: str  # indicator slug (id:indicator/{slug})
    subject: str  # entity IRI
    place: str | None  # administrative unit IRI
    period: Period
    surface: str
    start: int
    end: int
    sentence_start: int
    sentence_end: int
    key: str = ""  # "{start}-{end}-{i}", set by the extractor
    resolution: Decimal | None = None  # one unit of the last reported digit
    part_of: str | None = None  # key of the total
    parts_exhaustive: bool = False  # this total's listed parts add up to it
    numerator: str | None = None  # key, for a rate computed from a fraction
    denominator: str | None = None
    scale_max: Decimal | None = None
    compared_to: str | None = None


@dataclass(slots=True)
class Connection:
    """A link between information systems, named or grouped by count and level."""

    from_iri: str
    to_iri: str | None  # None for a grouped connection (the group node is minted in RDF)
    status: str
    surface: str
    start: int
    end: int
    sentence_start: int
    sentence_end: int
    period: Period | None = None
    key: str = ""
    count: int | None = None
    level: str | None = None
    part_of: str | None = None  # key of the grouped connection this group belongs to
    count_observation: str | None = None  # key of the observation holding the count


@dataclass(slots=True)
class Document:
    """A source after ingest: its text, metadata and what was found in it."""

    source_id: str
    text: str
    file_name: str | None = None
    url: str | None = None
    title: str | None = None
    publisher: str | None = None
    author: str | None = None
    date: str | None = None  # ISO date
    main_place: str | None = None
    observations: list[Observation] = field(default_factory=list)
    connections: list[Connection] = field(default_factory=list)
    entities: dict[str, Entity] = field(default_factory=dict)
