"""SHACL validation of the store against ``ontology/shapes.ttl``, with the source of every finding.

The data graph is the union of the source graphs (all of them, or the ones asked for) and the
reference triples near the nodes they mention, copied from pyoxigraph quads into an rdflib graph:
rdflib stays at this edge, because pySHACL needs it. Non-conformance is a result
(:class:`ValidationReport`), never an exception; only "could not validate" raises
:class:`~graph.errors.ShapesLoadError`.

SHACL's own meaning of ``conforms`` is kept: any result, warnings included, means the data does
not conform. :attr:`ValidationReport.violations` tells the two apart (the command line exits 1
on violations only if it wants to).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import rdflib
from rdflib import BNode, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import DCTERMS, PROV, RDF, SH

from ontology import OA, PREFIXES, REFERENCE_GRAPH, RKG, SHAPES

from .errors import ShapesLoadError
from .store import Store

__all__ = ["Finding", "ValidationReport", "validate"]

_SEVERITIES = {SH.Violation: "Violation", SH.Warning: "Warning", SH.Info: "Info"}
_ORDER = {"Violation": 0, "Warning": 1, "Info": 2}


@dataclass(slots=True)
class Finding:
    """One validation result, with the provenance of its focus node.

    ``source`` is the source IRI and ``source_id`` its ``dcterms:identifier``; ``start``/``end``
    are code-point offsets (end exclusive) of the span the focus node was derived from, and
    ``sentence`` the sentence around it. They are ``None`` when the focus node has no span
    (e.g. a reference entity).
    """

    severity: str
    message: str
    focus: str
    path: str | None = None
    value: str | None = None
    shape: str | None = None
    component: str | None = None
    source: str | None = None
    source_id: str | None = None
    surface: str | None = None
    start: int | None = None
    end: int | None = None
    sentence: str | None = None

    def to_text(self) -> str:
        """The finding as a text block: message, where it was read, and the sentence."""
        lines = [f"{self.severity}  {self.message}"]
        if self.source_id is not None or self.start is not None:
            where = self.source_id or self.source or ""
            if self.start is not None and self.end is not None:
                where += f" [{self.start}:{self.end}]"
            if self.surface:
                where += f" «{self.surface}»"
            lines.append("  " + where.strip())
        else:
            lines.append(f"  focus: {self.focus}")
        if self.sentence:
            lines.append(f"  sentence: {self.sentence}")
        return "\n".join(lines)


@dataclass(slots=True)
class ValidationReport:
    """The outcome of :func:`validate`.

    Attributes:
        conforms: SHACL's verdict: ``False`` as soon as there is any result, warnings included.
        findings: the results, violations first, then by source and offset.
        results_graph: pySHACL's ``sh:ValidationReport`` graph.
    """

    conforms: bool
    findings: list[Finding] = field(default_factory=list)
    results_graph: rdflib.Graph = field(default_factory=rdflib.Graph)

    def count(self, severity: str) -> int:
        """How many findings have ``severity`` ("Violation", "Warning" or "Info")."""
        return sum(1 for f in self.findings if f.severity == severity)

    @property
    def violations(self) -> int:
        return self.count("Violation")

    @property
    def warnings(self) -> int:
        return self.count("Warning")

    def summary(self) -> str:
        """``conforms: yes/no — N violations, M warnings``."""
        verdict = "yes" if self.conforms else "no"
        line = f"conforms: {verdict} — {self.violations} violations, {self.warnings} warnings"
        infos = self.count("Info")
        return line + (f", {infos} infos" if infos else "")

    def to_text(self) -> str:
        """The summary line, then one block per finding, separated by blank lines."""
        return "\n\n".join([self.summary(), *(f.to_text() for f in self.findings)]) + "\n"

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict: verdict, counts and the findings."""
        return {
            "conforms": self.conforms,
            "violations": self.violations,
            "warnings": self.warnings,
            "infos": self.count("Info"),
            "findings": [asdict(f) for f in self.findings],
        }

    def to_turtle(self) -> str:
        """The SHACL results graph as Turtle."""
        return self.results_graph.serialize(format="turtle")


def validate(store: Store, *, sources: list[str] | None = None) -> ValidationReport:
    """Validate the store (or some of its sources) against ``ontology/shapes.ttl``.

    Args:
        store: the store to read.
        sources: source IRIs (named graphs) to validate, together with the reference triples
            within two hops of the nodes they mention; ``None`` validates every source.

    Returns:
        The report; ``conforms`` is ``False`` as soon as there is any finding.

    Raises:
        ShapesLoadError: the shapes cannot be parsed or loaded by pySHACL, a requested source
            is not in the store, or the store cannot be read.
    """
    import pyshacl  # imported here: it is slow to import and only this function needs it
    from pyparsing import ParseException
    from pyshacl.errors import ReportableRuntimeError

    _remember_sparql_checks()
    shapes = _load_shapes(Path(SHAPES))
    data = _data_graph(store, sources)
    try:
        conforms, results, _ = pyshacl.validate(
            data,
            shacl_graph=shapes,
            inference="none",
            advanced=True,
            allow_warnings=False,
            inplace=True,  # the data graph is our own throw-away copy
        )
    except (ReportableRuntimeError, ParseException, NotImplementedError) as exc:
        results = exc  # pySHACL's load and constraint errors; rdflib's SPARQL parser
    except TypeError as exc:  # pySHACL 0.40 comparing an ill-formed literal in sh:lessThan
        raise ShapesLoadError(
            f"pySHACL failed on the data ({exc}); an ill-formed literal, such as a date "
            "that does not exist? The fast check (graph.fastcheck) reports those"
        ) from None
    if not isinstance(results, rdflib.Graph):  # it returns some failures instead of raising
        raise ShapesLoadError(
            f"{Path(SHAPES).name}: pySHACL could not run the shapes: {type(results).__name__}: "
            f"{results} (see https://www.w3.org/TR/shacl/#sparql-constraints)"
        )
    # Top-level results only: pySHACL also types the sh:detail of a failed sh:node as a result.
    top = [
        r
        for report in results.subjects(RDF.type, SH.ValidationReport)
        for r in results.objects(report, SH.result)
    ]
    findings = sorted(
        (_finding(results, r, data, shapes) for r in top),
        key=lambda f: (_ORDER.get(f.severity, 9), f.source_id or "", f.start or 0, f.message),
    )
    return ValidationReport(conforms=bool(conforms), findings=findings, results_graph=results)


@lru_cache(maxsize=4)
def _load_shapes(path: Path) -> rdflib.Graph:
    try:
        return rdflib.Graph().parse(path, format="turtle")
    except (OSError, SyntaxError, ValueError) as exc:  # rdflib's BadSyntax is a SyntaxError
        raise ShapesLoadError(f"{path.name}: cannot load the shapes: {exc}") from None


def _remember_sparql_checks() -> None:
    """Run pySHACL's syntax check of a SPARQL constraint once per text, not once per focus node.

    ``SPARQLQueryHelper.check_invalid_sparql`` looks for MINUS, VALUES, SERVICE and nested
    SELECTs with regular expressions that are quadratic in the number of lines (13 ms a focus node
    for our longest constraint, most of the validation time). Its verdict depends on the text and
    on which variables may be pre-bound, so passes are remembered; failures still raise each time.
    """
    from pyshacl.helper.sparql_query_helper import SPARQLQueryHelper

    original = SPARQLQueryHelper.check_invalid_sparql
    if getattr(original, "remembers_passes", False):
        return
    passed: set[tuple[str, bool, frozenset[str]]] = set()

    def check_invalid_sparql(
        self: Any, sparql_text: str, valuenode: Any = None, extravars: Any = None
    ) -> bool:
        key = (sparql_text, valuenode is not None, frozenset(extravars or ()))
        if key not in passed:
            original(self, sparql_text, valuenode=valuenode, extravars=extravars)
            passed.add(key)
        return True

    check_invalid_sparql.remembers_passes = True  # type: ignore[attr-defined]
    SPARQLQueryHelper.check_invalid_sparql = check_invalid_sparql  # type: ignore[method-assign]


class _DataGraph(rdflib.Graph):
    """An rdflib graph that parses each SPARQL text once, not once per focus node (0.1 s each).

    The prepared query is evaluated with the same pre-bindings pySHACL passes.
    """

    def query(self, query_object: Any, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        if isinstance(query_object, str):
            query_object = _prepared(query_object)
        return super().query(query_object, *args, **kwargs)


@lru_cache(maxsize=64)
def _prepared(text: str) -> Any:
    from rdflib.plugins.sparql import prepareQuery

    return prepareQuery(text)


#: How far the shapes look into the reference graph from a node a source mentions: a system's
#: level's scheme is two hops away (system -> rkg:level -> skos:inScheme).
_REFERENCE_HOPS = 2


def _data_graph(store: Store, sources: list[str] | None) -> rdflib.Graph:
    """The source graphs plus the reference triples within two hops of the nodes they mention.

    The gazetteer's thousands of triples about units no source mentions are left out: pySHACL
    costs about 0.1 ms per triple, and no shape reaches them.
    """
    try:
        available = store.sources()
        graphs = available if sources is None else list(dict.fromkeys(sources))
        missing = sorted(set(graphs) - set(available))
        if missing:
            raise ShapesLoadError(f"not in the store: {', '.join(missing)}; run `reformkg ingest`")
        data = _DataGraph()
        frontier: set[Any] = set()
        for name in graphs:
            quads = list(store.quads(name))
            for q in quads:
                frontier.add(q.subject)
                if isinstance(q.object, ox.NamedNode | ox.BlankNode):
                    frontier.add(q.object)
            data.addN((_term(q.subject), _term(q.predicate), _term(q.object), data) for q in quads)
        by_subject: dict[Any, list[ox.Quad]] = {}
        for q in store.quads(str(REFERENCE_GRAPH)):
            by_subject.setdefault(q.subject, []).append(q)
        seen: set[Any] = set()
        for _ in range(_REFERENCE_HOPS):
            frontier -= seen
            seen |= frontier
            reached: set[Any] = set()
            for node in frontier:
                for q in by_subject.get(node, ()):
                    data.add((_term(q.subject), _term(q.predicate), _term(q.object)))
                    if isinstance(q.object, ox.NamedNode | ox.BlankNode):
                        reached.add(q.object)
            frontier = reached
    except OSError as exc:
        raise ShapesLoadError(f"store {store.path}: cannot read the data: {exc}") from None
    return data


def _term(term: Any) -> Any:
    """A pyoxigraph term as the equal rdflib term."""
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        return Literal(term.value, datatype=URIRef(term.datatype.value))
    raise ShapesLoadError(f"cannot validate RDF-star terms: {term}")


def _finding(results: rdflib.Graph, r: Any, data: rdflib.Graph, shapes: rdflib.Graph) -> Finding:
    focus = results.value(r, SH.focusNode)
    messages = list(results.objects(r, SH.resultMessage))
    message = next((str(m) for m in messages if getattr(m, "language", None) == "en"), None)
    if message is None:
        message = str(messages[0]) if messages else "constraint not met"
    value = results.value(r, SH.value)
    finding = Finding(
        severity=_SEVERITIES.get(results.value(r, SH.resultSeverity), "Violation"),
        message=message,
        focus=str(focus),
        path=_path_text(results, results.value(r, SH.resultPath)),
        value=None if value is None else str(value),
        shape=_shape_name(shapes, results.value(r, SH.sourceShape)),
        component=_compact(results.value(r, SH.sourceConstraintComponent)),
    )
    _add_provenance(finding, data, focus)
    return finding


def _add_provenance(finding: Finding, g: rdflib.Graph, focus: Any) -> None:
    """Fill source, offsets, surface and sentence from the focus node's text span."""
    span = _span_of(g, focus)
    source = g.value(span, OA.hasSource) if span is not None else None
    if span is None and (focus, RDF.type, RKG.Source) in g:
        source = focus
    if source is not None:
        finding.source, finding.source_id = str(source), _str(g.value(source, DCTERMS.identifier))
    if span is None:
        return
    for selector in g.objects(span, OA.hasSelector):
        types = set(g.objects(selector, RDF.type))
        if OA.TextPositionSelector in types:
            finding.start = _int(g.value(selector, OA.start))
            finding.end = _int(g.value(selector, OA.end))
        elif OA.TextQuoteSelector in types and finding.surface is None:
            finding.surface = _str(g.value(selector, OA.exact))
    surface = g.value(focus, RKG.surface)
    if surface is not None:
        finding.surface = str(surface)
    finding.sentence = _str(g.value(span, RKG.sentence))


def _span_of(g: rdflib.Graph, focus: Any) -> Any:
    """The text span behind a focus node: its own, its connection's, or the span it selects."""
    if focus is None:
        return None
    if (focus, RDF.type, RKG.TextSpan) in g:
        return focus
    span = g.value(focus, PROV.wasDerivedFrom)
    if span is not None:
        return span
    for holder in g.subjects(OA.hasSelector, focus):  # a selector: its span
        return holder
    for conn in g.subjects(RKG.to, focus):  # a system group: its grouped connection
        return g.value(conn, PROV.wasDerivedFrom)
    return None


def _shape_name(shapes: rdflib.Graph, shape: Any) -> str | None:
    """The named shape of a result: the node shape that holds a blank property shape."""
    if shape is None:
        return None
    if isinstance(shape, BNode):
        parent = shapes.value(predicate=SH.property, object=shape)
        if parent is not None and not isinstance(parent, BNode):
            path = _path_text(shapes, shapes.value(shape, SH.path))
            return f"{_compact(parent)} {path}" if path else _compact(parent)
        return None
    return _compact(shape)


def _path_text(g: rdflib.Graph, path: Any) -> str | None:
    if path is None:
        return None
    if isinstance(path, URIRef):
        return _compact(path)
    inverse = g.value(path, SH.inversePath)
    if inverse is not None:
        return f"^{_path_text(g, inverse)}"
    items = list(Collection(g, path)) if g.value(path, RDF.first) else []
    return "/".join(p for p in (_path_text(g, i) for i in items) if p) or None


_COMPACT = sorted(
    ((ns, p) for p, ns in {**PREFIXES, "sh": str(SH), "rkgsh": str(RKG)[:-1] + "/shapes#"}.items()),
    key=lambda x: -len(x[0]),
)


def _compact(iri: Any) -> str | None:
    if iri is None:
        return None
    text = str(iri)
    for ns, prefix in _COMPACT:
        if text.startswith(ns) and "/" not in text[len(ns) :]:
            return f"{prefix}:{text[len(ns) :]}"
    return text


def _str(value: Any) -> str | None:
    return None if value is None else str(value)


def _int(value: Any) -> int | None:
    return int(value) if isinstance(value, Literal) and isinstance(value.value, int) else None
