"""Typed facts → RDF quads in the source's own named graph (``ontology/README.md``).

Quads are built directly as pyoxigraph terms: the hot ingest path never goes through
rdflib (DESIGN.md §7). ``to_rdflib`` gives an rdflib Dataset for tests and serialization.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal

import pyoxigraph as ox

import ontology

from .facts import Connection, Document, Entity, Observation

__all__ = ["TOOL_VERSION", "content_hash", "document_quads", "source_iri"]

TOOL_VERSION = "0.1.0"

_N = ox.NamedNode


class _Terms:
    """A namespace whose terms are pyoxigraph NamedNodes, made once and then cached as plain
    attributes (``RKG.Observation``) or dict entries (``ID["unit/percent"]``): the quads of one
    document name ~1300 terms, and building each through rdflib's Namespace costs ~4 µs."""

    def __init__(self, ns: object) -> None:
        self._base = str(ns)
        self._items: dict[str, ox.NamedNode] = {}

    def __getattr__(self, name: str) -> ox.NamedNode:
        if name.startswith("_"):
            raise AttributeError(name)
        node = ox.NamedNode(self._base + name)
        setattr(self, name, node)
        return node

    def __getitem__(self, name: str) -> ox.NamedNode:
        node = self._items.get(name)
        if node is None:
            node = self._items[name] = ox.NamedNode(self._base + name)
        return node


DCTERMS, FOAF, ID, OA, ORG, PROV, QB, RDF, RDFS, RKG, SDMX_ATTR, SDMX_DIM, SDMX_MEASURE, SKOS, XSD = (
    _Terms(getattr(ontology, n)) for n in ("DCTERMS", "FOAF", "ID", "OA", "ORG", "PROV", "QB", "RDF", "RDFS", "RKG",
                                          "SDMX_ATTR", "SDMX_DIM", "SDMX_MEASURE", "SKOS", "XSD"))


_TYPE = RDF.type
_XSD_DEC = XSD.decimal
_XSD_INT = XSD.integer
_XSD_NNI = XSD.nonNegativeInteger
_XSD_DATE = XSD.date
_XSD_BOOL = XSD.boolean
_XSD_DT = XSD.dateTime


def source_iri(source_id: str) -> str:
    """IRI (and named graph) of a source.

    >>> source_iri("vinhphuc-2025q1")
    'https://w3id.org/reformkg/id/source/vinhphuc-2025q1'
    """
    return ID._base + "source/" + source_id


def content_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _dec(v: Decimal) -> ox.Literal:
    """An xsd:decimal literal without exponent or trailing zeros (1.880 tỷ → 1880000000000)."""
    s = format(v, "f")
    if "." in s:
        s = s.rstrip("0").rstrip(".")
    return ox.Literal(s if s not in ("", "-0") else "0", datatype=_XSD_DEC)


def _str(v: str, lang: str | None = None) -> ox.Literal:
    return ox.Literal(v, language=lang) if lang else ox.Literal(v)


def document_quads(doc: Document, *, fingerprint: str | None = None,
                   started: datetime | None = None) -> list[ox.Quad]:
    """All quads of one source, in its named graph. The ingest run's IRI comes from the
    source's fingerprint (tool version, text, metadata), so re-ingesting is recognisable."""
    src = _N(source_iri(doc.source_id))
    g = src
    h = content_hash(doc.text)
    fp = fingerprint or hashlib.sha256((TOOL_VERSION + h).encode()).hexdigest()
    run = _N(ID._base + "run/" + fp[:16])
    started = started or datetime.now(UTC)
    out: list[ox.Quad] = []

    def add(s: ox.NamedNode | ox.BlankNode, p: ox.NamedNode, o: ox.NamedNode | ox.Literal | ox.BlankNode) -> None:
        out.append(ox.Quad(s, p, o, g))

    for cls in (RKG.Source, PROV.Entity, FOAF.Document):
        add(src, RDF.type, cls)
    add(src, DCTERMS.identifier, _str(doc.source_id))
    add(src, DCTERMS.language, _str("vi"))
    add(src, RKG.text, _str(doc.text))
    add(src, RKG.contentHash, _str(h))
    add(src, PROV.wasGeneratedBy, run)
    if doc.title:
        add(src, DCTERMS.title, _str(doc.title))
    if doc.publisher:
        add(src, DCTERMS.publisher, _str(doc.publisher))
    if doc.author:
        add(src, DCTERMS.creator, _str(doc.author))
    if doc.date:
        add(src, DCTERMS.date, ox.Literal(doc.date, datatype=_XSD_DATE))
    if doc.url:
        add(src, FOAF.page, _N(doc.url) if _iri_safe(doc.url) else _str(doc.url))
    if doc.file_name:
        add(src, RKG.fileName, _str(doc.file_name))
    if doc.main_place:
        add(src, RKG.mainPlace, _N(doc.main_place))
    for cls in (RKG.IngestRun, PROV.Activity):
        add(run, RDF.type, cls)
    add(run, PROV.used, src)
    add(run, PROV.startedAtTime, ox.Literal(started.strftime("%Y-%m-%dT%H:%M:%SZ"), datatype=_XSD_DT))
    add(run, RKG.toolVersion, _str(TOOL_VERSION))

    spans: set[tuple[int, int]] = set()
    for o in doc.observations:
        _span(add, doc, src, o.start, o.end, o.sentence_start, o.sentence_end, spans)
        _observation(add, src, run, o)
    for c in doc.connections:
        _span(add, doc, src, c.start, c.end, c.sentence_start, c.sentence_end, spans)
        _connection(add, src, run, c)
    for e in doc.entities.values():
        _entity(add, e)
    return out


def _iri_safe(url: str) -> bool:
    return url.startswith(("http://", "https://")) and not any(ch in url for ch in ' <>"{}|\\^`')


def _span_iri(src: ox.NamedNode, a: int, b: int) -> ox.NamedNode:
    return _N(f"{src.value}#char={a},{b}")


def _span(add, doc: Document, src: ox.NamedNode, a: int, b: int, sa: int, sb: int,  # type: ignore[no-untyped-def]
          seen: set[tuple[int, int]]) -> None:
    if (a, b) in seen:
        return
    seen.add((a, b))
    span = _span_iri(src, a, b)
    add(span, RDF.type, RKG.TextSpan)
    add(span, RDF.type, OA.SpecificResource)
    add(span, OA.hasSource, src)
    pos = ox.BlankNode()
    add(span, OA.hasSelector, pos)
    add(pos, RDF.type, OA.TextPositionSelector)
    add(pos, OA.start, ox.Literal(str(a), datatype=_XSD_NNI))
    add(pos, OA.end, ox.Literal(str(b), datatype=_XSD_NNI))
    quote = ox.BlankNode()
    add(span, OA.hasSelector, quote)
    add(quote, RDF.type, OA.TextQuoteSelector)
    add(quote, OA.exact, _str(doc.text[a:b]))
    add(quote, OA.prefix, _str(doc.text[max(0, a - 32):a]))
    add(quote, OA.suffix, _str(doc.text[b:b + 32]))
    add(span, RKG.sentence, _str(doc.text[sa:sb]))
    add(span, RKG.sentenceStart, ox.Literal(str(sa), datatype=_XSD_NNI))
    add(span, RKG.sentenceEnd, ox.Literal(str(sb), datatype=_XSD_NNI))


def obs_iri(src: ox.NamedNode, key: str) -> ox.NamedNode:
    return _N(f"{src.value}/obs/{key}")


def conn_iri(src: ox.NamedNode, key: str) -> ox.NamedNode:
    return _N(f"{src.value}/conn/{key}")


def _observation(add, src: ox.NamedNode, run: ox.NamedNode, o: Observation) -> None:  # type: ignore[no-untyped-def]
    n = obs_iri(src, o.key)
    add(n, RDF.type, RKG.Observation)
    add(n, RDF.type, QB.Observation)
    add(n, SDMX_MEASURE.obsValue, _dec(o.value))
    add(n, SDMX_ATTR.unitMeasure, ID["unit/" + o.unit])
    add(n, RKG.kind, ID["kind/" + o.kind])
    add(n, RKG.qualifier, ID["qualifier/" + o.qualifier])
    add(n, RKG.indicator, ID["indicator/" + o.indicator])
    add(n, RKG.subject, _N(o.subject))
    if o.place:
        add(n, SDMX_DIM.refArea, _N(o.place))
    add(n, SDMX_DIM.refPeriod, _str(o.period.label))
    add(n, RKG.periodStart, ox.Literal(o.period.start, datatype=_XSD_DATE))
    add(n, RKG.periodEnd, ox.Literal(o.period.end, datatype=_XSD_DATE))
    add(n, RKG.surface, _str(o.surface))
    if o.resolution is not None:
        add(n, RKG.resolution, _dec(o.resolution))
    if o.part_of:
        add(n, RKG.partOf, obs_iri(src, o.part_of))
    if o.parts_exhaustive:
        add(n, RKG.partsExhaustive, ox.Literal("true", datatype=_XSD_BOOL))
    if o.numerator:
        add(n, RKG.numerator, obs_iri(src, o.numerator))
    if o.denominator:
        add(n, RKG.denominator, obs_iri(src, o.denominator))
    if o.scale_max is not None:
        add(n, RKG.scaleMax, _dec(o.scale_max))
    if o.compared_to:
        add(n, RKG.comparedTo, _str(o.compared_to, "vi"))
    add(n, PROV.wasDerivedFrom, _span_iri(src, o.start, o.end))
    add(n, PROV.wasGeneratedBy, run)


_LEVEL_VI = {"national": "trung ương", "provincial": "của tỉnh", "ministry": "cấp bộ",
             "commune": "cấp xã", "district": "cấp huyện", "other": "khác"}


def _connection(add, src: ox.NamedNode, run: ox.NamedNode, c: Connection) -> None:  # type: ignore[no-untyped-def]
    n = conn_iri(src, c.key)
    add(n, RDF.type, RKG.Connection)
    add(n, RKG["from"], _N(c.from_iri))
    add(n, RKG.status, ID["status/" + c.status])
    if c.period is not None:
        add(n, SDMX_DIM.refPeriod, _str(c.period.label))
    add(n, PROV.wasDerivedFrom, _span_iri(src, c.start, c.end))
    add(n, PROV.wasGeneratedBy, run)
    if c.to_iri is not None:
        add(n, RKG.to, _N(c.to_iri))
        link = RKG.connectsTo if c.status == "operational" else RKG.plannedConnectionTo
        add(_N(c.from_iri), link, _N(c.to_iri))
        return
    add(n, RDF.type, RKG.GroupedConnection)
    group = _N(n.value + "/group")
    add(n, RKG.to, group)
    add(group, RDF.type, RKG.SystemGroup)
    if c.count is not None:
        add(n, RKG["count"], ox.Literal(str(c.count), datatype=_XSD_INT))
        add(group, RKG["count"], ox.Literal(str(c.count), datatype=_XSD_INT))
    if c.level:
        add(n, RKG.level, ID["level/" + c.level])
        add(group, RKG.level, ID["level/" + c.level])
    if c.part_of:
        add(n, RKG.partOf, conn_iri(src, c.part_of))
    if c.count_observation:
        add(n, RKG.countObservation, obs_iri(src, c.count_observation))
    what = f"{c.count} " if c.count is not None else "các "
    lvl = f" {_LEVEL_VI[c.level]}" if c.level else ""
    add(group, RDFS.label, _str(f"{what}hệ thống{lvl}".strip(), "vi"))
    en_what = f"{c.count} " if c.count is not None else ""
    en_lvl = f"{c.level} " if c.level else ""
    add(group, RDFS.label, _str(f"{en_what}{en_lvl}systems".strip(), "en"))


def _entity(add, e: Entity) -> None:  # type: ignore[no-untyped-def]
    n = _N(e.iri)
    if e.type == "system":
        add(n, RDF.type, RKG.InformationSystem)
        if e.place:
            add(n, RKG.province, _N(e.place))
        if e.operator:
            add(n, RKG.operator, _N(e.operator))
    elif e.type == "agency":
        add(n, RDF.type, RKG.Agency)
        add(n, RDF.type, ORG.Organization)
        if e.place:
            add(n, RKG.jurisdiction, _N(e.place))
        if e.parent:
            add(n, ORG.subOrganizationOf, _N(e.parent))
        if e.level:
            add(n, ORG.classification, ID["level/" + e.level])
    if e.type == "system" and e.level:
        add(n, RKG.level, ID["level/" + e.level])
    add(n, RDFS.label, _str(e.label_vi, "vi"))
    add(n, RDFS.label, _str(e.label_en, "en"))
    add(n, SKOS.prefLabel, _str(e.label_vi, "vi"))
    add(n, SKOS.prefLabel, _str(e.label_en, "en"))


def quads_to_nquads(quads: list[ox.Quad]) -> Iterator[str]:
    for q in quads:
        yield f"{q.subject} {q.predicate} {q.object} {q.graph_name} ."
