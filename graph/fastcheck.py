"""Fast SHACL: ``ontology/shapes.ttl`` evaluated as SPARQL directly on the store.

:func:`graph.validate.validate` copies the data into rdflib and runs pySHACL (about 120 µs a
triple). This module reads the *same* shapes file and translates it, once, into SPARQL that
pyoxigraph evaluates over all focus nodes at once:

* targets (``sh:targetClass`` with ``rdfs:subClassOf*``, ``sh:targetSubjectsOf``,
  ``sh:targetObjectsOf``, ``sh:targetNode``) become a ``SELECT DISTINCT ?this`` subquery;
* SHACL Core constraints of a shape's property shapes become a few queries per shape:
  ``sh:minCount``/``sh:maxCount``/``sh:hasValue``/qualified counts as grouped counts (one
  subquery per property, so values of different properties never multiply), value constraints
  (``sh:datatype``, ``sh:nodeKind``, ``sh:class``, ``sh:node``, ``sh:pattern``, ``sh:in``, ranges,
  lengths, ``sh:or``/``sh:and``/``sh:not``/``sh:xone``) as one filter over the focus nodes'
  values, ``sh:lessThan``/``sh:lessThanOrEquals`` as pairs; shapes used through ``sh:node`` and
  friends become filter expressions;
* SHACL-SPARQL constraints (``sh:sparql``/``sh:select``) run as written, with the prefixes of
  their ``sh:prefixes``: ``$this`` pre-bound for batches of focus nodes (``VALUES``) on the whole
  store, joined with the focus subquery otherwise; messages are filled in from each solution
  (``{?var}``, ``{$var}``) as pySHACL does.

Nothing is hand-copied: change the shapes and the fast path changes with them. A constraint the
translator does not know raises :class:`~graph.errors.ShapesLoadError` naming it (use
:func:`graph.validate.validate` for it), never a silent pass.

The data is pySHACL's: every source graph plus the reference graph (:func:`check`), or the
given sources plus the reference graph (``check(store, sources=…)`` and :func:`check_quads`,
evaluated in a new small in-memory store holding them and the part of the reference graph the
queries can match, so that the cost does not grow with the rest of the store). The report is
the same :class:`~graph.validate.ValidationReport` with the same
:class:`~graph.validate.Finding` objects (severity, focus, path, value, shape, component,
message, and the provenance of the focus node); ``tests/graph/test_fastcheck.py`` checks that
both report the same findings on every SHACL test case and on the example store.

Known difference: numbers that a SHACL-SPARQL constraint *computes* (``SUM``, division) are
written by pyoxigraph in canonical form (``4``, at most 18 decimal places) where rdflib keeps
Python's ``Decimal`` form (``4.0``, 28 significant digits), so a message built from such a
number can differ in those digits (``28/34 = 82.352941176470588235`` against
``…58823529411765``); stored values print identically.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from collections.abc import Collection as Collection_
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import rdflib
from rdflib import BNode, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, SH

from ontology import REFERENCE_GRAPH, RKG, SHAPES

from .corecheck import Builder, CoreShape, Index, Unsupported, term_of
from .errors import ShapesLoadError
from .store import Store
from .validate import (
    _ORDER,
    Finding,
    ValidationReport,
    _compact,
    _load_shapes,
    _path_text,
    _shape_name,
    _term,
)

__all__ = ["CompiledShapes", "check", "compile_shapes"]

_RDF_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
_SUBCLASS = "<http://www.w3.org/2000/01/rdf-schema#subClassOf>"
_XSD = "http://www.w3.org/2001/XMLSchema#"
_SEVERITY = {SH.Violation: "Violation", SH.Warning: "Warning", SH.Info: "Info"}
#: Datatypes whose lexical form pySHACL checks (an ill-typed "abc"^^xsd:decimal fails).
_CHECKED_DATATYPES = {
    f"{_XSD}{t}"
    for t in ("integer", "decimal", "float", "double", "boolean", "date", "dateTime", "time")
}
_VALUE_COMPONENTS = {
    SH.datatype: "Datatype",
    SH.nodeKind: "NodeKind",
    SH["class"]: "Class",
    SH.node: "Node",
    SH.pattern: "Pattern",
    SH["in"]: "In",
    SH.minInclusive: "MinInclusive",
    SH.maxInclusive: "MaxInclusive",
    SH.minExclusive: "MinExclusive",
    SH.maxExclusive: "MaxExclusive",
    SH.minLength: "MinLength",
    SH.maxLength: "MaxLength",
    SH["or"]: "Or",
    SH["and"]: "And",
    SH["not"]: "Not",
    SH.xone: "Xone",
    SH.languageIn: "LanguageIn",
}
#: Parameters that are part of another component, or carry no constraint.
_IGNORED = {
    RDF.type,
    SH.path,
    SH.message,
    SH.severity,
    SH.name,
    SH.description,
    SH.order,
    SH.group,
    SH.defaultValue,
    SH.deactivated,
    SH.targetClass,
    SH.targetNode,
    SH.targetSubjectsOf,
    SH.targetObjectsOf,
    SH.property,
    SH.sparql,
    SH.qualifiedMinCount,
    SH.qualifiedMaxCount,
    SH.qualifiedValueShapesDisjoint,
    SH.flags,
    SH.declare,
    SH.prefixes,
    URIRef("http://www.w3.org/2000/01/rdf-schema#label"),
    URIRef("http://www.w3.org/2000/01/rdf-schema#comment"),
}


# -- compiled form ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Check:
    """What a result of one constraint of one shape looks like."""

    key: int
    severity: str
    shape: str | None  # Finding.shape
    component: str | None  # Finding.component
    path: str | None  # Finding.path
    messages: tuple[Literal, ...]  # the shape's own sh:message
    constraint_messages: tuple[Literal, ...] = ()  # a SPARQL constraint's sh:message templates
    node_shape: bool = True  # a node shape's SPARQL constraint: ?value defaults to ?this


@dataclass(frozen=True, slots=True)
class _Query:
    """One SPARQL query and how its solutions become results.

    ``kind``: ``counts`` (one row per focus node with ``?_n<i>`` counts; ``tests`` lists
    ``(i, op, bound, check key)``: a result when ``count op bound``), ``values`` (rows
    ``?_k ?this ?value``: a result of check ``?_k``), or ``sparql`` (a SHACL-SPARQL constraint,
    ``check`` its key).
    """

    kind: str
    text: str
    tests: tuple[tuple[int, str, int, int], ...] = ()
    check: int = -1
    shape: str = ""  # the shape with targets it belongs to (compact IRI)
    focus: str = ""  # sparql: SELECT DISTINCT ?this … (the shape's focus nodes)
    bound: str = ""  # sparql: the query with "%VALUES%" where $this is pre-bound, or ""
    block: str = ""  # the focus subquery ({ SELECT DISTINCT ?this … }) as it occurs in text
    whole: str = ""  # sparql: the constraint's rkg:wholeGraphSelect (all focus nodes at once;
    # its solutions are kept for the focus nodes of ``focus``, in Python: pyoxigraph joined the
    # two sub-selects in 5 s more than both take alone at 1M quads)


@dataclass(slots=True)
class CompiledShapes:
    """The shapes as SPARQL: a few queries per shape with targets."""

    checks: list[_Check] = field(default_factory=list)
    queries: list[_Query] = field(default_factory=list)
    graph: rdflib.Graph | None = None
    #: The Core constraints of each shape with targets as Python (see graph/corecheck.py),
    #: for checks of a few sources; a shape missing here is checked with its SPARQL only.
    core: dict[str, CoreShape] = field(default_factory=dict)
    #: the predicates the Python programs look up by object (see corecheck.Index)
    inverse: frozenset[str] = frozenset()
    #: what a check of a few sources reads from the reference graph with SPARQL (see
    #: :func:`_reads`); ``None``: it may read anything
    scoped_reads: _Reads | None = None


_COMPILED: dict[tuple[str, float], CompiledShapes] = {}
_LOCK = threading.Lock()


def compile_shapes(path: Path | str = SHAPES) -> CompiledShapes:
    """Translate a shapes file into SPARQL (cached per file and modification time).

    Raises:
        ShapesLoadError: the file does not parse, or uses a constraint the translator does not
            support.
    """
    p = Path(path)
    try:
        key = (str(p), p.stat().st_mtime)
    except OSError as exc:
        raise ShapesLoadError(f"{p.name}: cannot load the shapes: {exc}") from None
    with _LOCK:
        if key not in _COMPILED:
            _COMPILED[key] = _Compiler(_load_shapes(p)).compile()
        return _COMPILED[key]


class _Compiler:
    def __init__(self, g: rdflib.Graph) -> None:
        self.g = g
        self.checks: list[_Check] = []
        self.queries: list[_Query] = []
        self._n = 0
        self.py = Builder(g, _CHECKED_DATATYPES)
        self.core: dict[str, CoreShape] = {}

    # -- helpers ----------------------------------------------------------------------------------
    def fresh(self) -> str:
        self._n += 1
        return f"?_v{self._n}"

    def term(self, node: Any) -> str:
        if isinstance(node, BNode):
            raise ShapesLoadError(f"shapes: a blank node cannot be a constraint value ({node})")
        return node.n3()

    def path(self, node: Any) -> str:
        """A SHACL property path as a SPARQL property path."""
        g = self.g
        if isinstance(node, URIRef):
            return node.n3()
        if g.value(node, RDF.first) is not None:
            return "(" + "/".join(self.path(x) for x in Collection(g, node)) + ")"
        for pred, op in ((SH.inversePath, "^"),):
            inner = g.value(node, pred)
            if inner is not None:
                return f"({op}{self.path(inner)})"
        alt = g.value(node, SH.alternativePath)
        if alt is not None:
            return "(" + "|".join(self.path(x) for x in Collection(g, alt)) + ")"
        for pred, op in (
            (SH.zeroOrMorePath, "*"),
            (SH.oneOrMorePath, "+"),
            (SH.zeroOrOnePath, "?"),
        ):
            inner = g.value(node, pred)
            if inner is not None:
                return f"({self.path(inner)}){op}"
        raise ShapesLoadError(f"shapes: unsupported property path {node}")

    def severity(self, shape: Any) -> str:
        sev = self.g.value(shape, SH.severity)
        return _SEVERITY.get(sev, "Violation") if sev is not None else "Violation"

    def messages(self, shape: Any) -> tuple[Literal, ...]:
        return tuple(m for m in self.g.objects(shape, SH.message) if isinstance(m, Literal))

    def deactivated(self, shape: Any) -> bool:
        v = self.g.value(shape, SH.deactivated)
        return isinstance(v, Literal) and v.toPython() is True

    def add(self, **kw: Any) -> int:
        self.checks.append(_Check(key=len(self.checks), **kw))
        return len(self.checks) - 1

    # -- targets ----------------------------------------------------------------------------------
    def target(self, shape: Any) -> str | None:
        g = self.g
        parts = []
        for c in g.objects(
            shape, SH.targetClass
        ):  # the class closure first: few classes, many instances
            parts.append(f"?_c {_SUBCLASS}* {self.term(c)} . ?this {_RDF_TYPE} ?_c .")
        for n in g.objects(shape, SH.targetNode):
            parts.append(f"VALUES ?this {{ {self.term(n)} }}")
        for p in g.objects(shape, SH.targetSubjectsOf):
            parts.append(f"?this {self.term(p)} ?_t .")
        for p in g.objects(shape, SH.targetObjectsOf):
            parts.append(f"?_t {self.term(p)} ?this .")
        if (shape, RDF.type, URIRef("http://www.w3.org/2000/01/rdf-schema#Class")) in g:
            parts.append(f"?_c {_SUBCLASS}* {self.term(shape)} . ?this {_RDF_TYPE} ?_c .")
        if not parts:
            return None
        body = " UNION ".join(f"{{ {p} }}" for p in parts)
        return f"{{ SELECT DISTINCT ?this WHERE {{ {body} }} }}"

    # -- conformance of a value to a shape, as a filter expression --------------------------------
    def conforms(self, shape: Any, var: str) -> str:
        """A SPARQL expression true when ``var`` conforms to ``shape`` (no result of its own)."""
        g = self.g
        conds: list[str] = []
        for p, o in g.predicate_objects(shape):
            if p in _VALUE_COMPONENTS:
                conds.append(self.value_cond(p, o, var, shape))
            elif p == SH.hasValue:
                conds.append(f"sameTerm({var}, {self.term(o)})")
            elif p == SH.property:
                conds.extend(self.property_conds(o, var))
            elif p in (SH.sparql,):
                raise ShapesLoadError(
                    f"shapes: sh:sparql inside a shape used as a value shape ({shape}) "
                    "is not supported by the fast path"
                )
            elif p in _IGNORED or p in (SH.closed, SH.ignoredProperties):
                if p == SH.closed and isinstance(o, Literal) and o.toPython():
                    raise ShapesLoadError("shapes: sh:closed is not supported by the fast path")
            elif str(p).startswith(str(SH)):
                raise ShapesLoadError(f"shapes: {_compact(p)} is not supported by the fast path")
        return "(" + " && ".join(conds) + ")" if conds else "true"

    def property_conds(self, ps: Any, var: str) -> list[str]:
        g = self.g
        path = self.path(g.value(ps, SH.path))
        out: list[str] = []
        for p, o in g.predicate_objects(ps):
            if p == SH.minCount:
                n = int(o)
                if n == 1:
                    out.append(f"EXISTS {{ {var} {path} {self.fresh()} }}")
                elif n > 1:
                    raise ShapesLoadError(
                        "shapes: sh:minCount above 1 in a value shape is not supported"
                    )
            elif p == SH.maxCount:
                n = int(o)
                a, b = self.fresh(), self.fresh()
                if n == 0:
                    out.append(f"NOT EXISTS {{ {var} {path} {a} }}")
                elif n == 1:
                    out.append(
                        f"NOT EXISTS {{ {var} {path} {a}, {b} FILTER (!sameTerm({a}, {b})) }}"
                    )
                else:
                    raise ShapesLoadError(
                        "shapes: sh:maxCount above 1 in a value shape is not supported"
                    )
            elif p == SH.hasValue:
                out.append(f"EXISTS {{ {var} {path} {self.term(o)} }}")
            elif p in _VALUE_COMPONENTS:
                v = self.fresh()
                out.append(
                    f"NOT EXISTS {{ {var} {path} {v} FILTER (!{self.value_cond(p, o, v, ps)}) }}"
                )
            elif p in _IGNORED:
                continue
            elif str(p).startswith(str(SH)):
                raise ShapesLoadError(
                    f"shapes: {_compact(p)} in a value shape is not supported by the fast path"
                )
        return out

    def value_cond(self, p: Any, o: Any, v: str, shape: Any) -> str:
        """The condition one value node must meet for value component ``p`` with value ``o``."""
        g = self.g
        if p == SH.datatype:
            cond = f"isLiteral({v}) && DATATYPE({v}) = {self.term(o)}"
            if str(o) in _CHECKED_DATATYPES:  # well-formed: the cast of a valid literal succeeds
                cond += f" && COALESCE(sameTerm({self.term(o)}({v}), {self.term(o)}({v})), false)"
            return f"({cond})"
        if p == SH.nodeKind:
            kinds = {
                SH.IRI: "isIRI({v})",
                SH.BlankNode: "isBlank({v})",
                SH.Literal: "isLiteral({v})",
                SH.BlankNodeOrIRI: "(isBlank({v}) || isIRI({v}))",
                SH.BlankNodeOrLiteral: "(isBlank({v}) || isLiteral({v}))",
                SH.IRIOrLiteral: "(isIRI({v}) || isLiteral({v}))",
            }
            if o not in kinds:
                raise ShapesLoadError(f"shapes: unknown sh:nodeKind {o}")
            return kinds[o].format(v=v)
        if p == SH["class"]:
            # the class and its subclasses are listed when the query runs (_with_classes):
            # a rdfs:subClassOf* path inside EXISTS is evaluated again for every value
            t = self.fresh()
            return (f"EXISTS {{ {v} {_RDF_TYPE} {t} "
                    f"FILTER ({t} IN ({_CLASSES_OF}{self.term(o)}{_CLASSES_END})) }}")
        if p == SH.node:
            return self.conforms(o, v)
        if p == SH.pattern:
            flags = g.value(shape, SH.flags)
            pat = _string(str(o))
            return (
                f"(!isBlank({v}) && REGEX(STR({v}), {pat}"
                + (f", {_string(str(flags))}" if flags else "")
                + "))"
            )
        if p == SH["in"]:
            items = [f"sameTerm({v}, {self.term(x)})" for x in Collection(g, o)]
            return "(" + " || ".join(items or ["false"]) + ")"
        ops = {
            SH.minInclusive: ">=",
            SH.maxInclusive: "<=",
            SH.minExclusive: ">",
            SH.maxExclusive: "<",
        }
        if p in ops:
            return f"COALESCE({v} {ops[p]} {self.term(o)}, false)"
        if p == SH.minLength:
            return f"(!isBlank({v}) && STRLEN(STR({v})) >= {int(o)})"
        if p == SH.maxLength:
            return f"(!isBlank({v}) && STRLEN(STR({v})) <= {int(o)})"
        if p == SH["or"]:
            return "(" + " || ".join(self.conforms(s, v) for s in Collection(g, o)) + ")"
        if p == SH["and"]:
            return "(" + " && ".join(self.conforms(s, v) for s in Collection(g, o)) + ")"
        if p == SH["not"]:
            return f"(!{self.conforms(o, v)})"
        if p == SH.xone:
            terms = [f"IF({self.conforms(s, v)}, 1, 0)" for s in Collection(g, o)]
            return f"(({' + '.join(terms)}) = 1)"
        if p == SH.languageIn:
            langs = [f"LANGMATCHES(LANG({v}), {_string(str(x))})" for x in Collection(g, o)]
            return f"(isLiteral({v}) && ({' || '.join(langs) or 'false'}))"
        raise ShapesLoadError(f"shapes: {_compact(p)} is not supported by the fast path")

    # -- shapes with targets ---------------------------------------------------------------------
    def compile(self) -> CompiledShapes:
        g = self.g
        shapes = set(g.subjects(RDF.type, SH.NodeShape))
        for pred in (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf):
            shapes |= set(g.subjects(pred, None))
        for shape in sorted(shapes, key=str):
            if self.deactivated(shape):
                continue
            focus = self.target(shape)
            if focus is None:
                continue  # used only through sh:node and friends
            first = len(self.queries)
            core = self.shape(shape, focus)
            name = _compact(shape) if not isinstance(shape, BNode) else str(shape)
            self.queries[first:] = [
                replace(q, shape=name or "", block=focus) for q in self.queries[first:]
            ]
            if core is not None:
                self.core[name or ""] = core
        inverse = set(self.py.inverse)
        for c in self.core.values():
            inverse.update(c.subjects_of, c.objects_of)
        # a check of a few sources runs the queries of shapes without a Python program, the
        # SPARQL constraints joined with their focus nodes as VALUES (given by the programs;
        # _Scratch.read_all when one is a blank node), and the provenance lookups
        scoped = [q.text for q in self.queries if q.shape not in self.core] + [
            q.text.replace(q.block, "VALUES ?this { <urn:focus> }", 1) if q.block else q.text
            for q in self.queries if q.kind == "sparql" and q.shape in self.core
        ]
        reads = _reads([*scoped, _PROVENANCE % "<urn:focus>"])
        return CompiledShapes(self.checks, self.queries, g, self.core, frozenset(inverse), reads)

    def shape(self, shape: Any, focus: str) -> CoreShape | None:
        """The queries of one shape with targets: its counts (one grouped query), its value
        constraints (one query), its property pairs, and its SPARQL constraints. Returns the
        same Core constraints as Python (``None`` when a construct is not supported there)."""
        g = self.g
        #: (property shape or None for the node itself, parameter, value, check key(s)): what
        #: the Python program of the shape is built from (corecheck.Builder.shape)
        records: list[tuple[Any, Any, Any, Any]] = []
        rec = records.append
        counts: list[str] = []  # patterns binding ?this and ?_c<i>, one per counted variable
        tests: list[tuple[int, str, int, int]] = []
        values: list[tuple[str, int, str]] = []  # (predicate, check key, failing condition)
        other: list[str] = []  # separate value queries (non-IRI paths, pairs, node-level)

        def count(pattern: str) -> int:
            counts.append(pattern)
            return len(counts) - 1

        sev = self.severity(shape)
        for p, o in g.predicate_objects(shape):  # constraints on the focus node itself
            if p in _VALUE_COMPONENTS:
                k = self.add(
                    severity=sev,
                    shape=_compact(shape),
                    path=None,
                    messages=self.messages(shape),
                    component=f"sh:{_VALUE_COMPONENTS[p]}ConstraintComponent",
                )
                other.append(
                    f"SELECT ({k} AS ?_k) ?this (?this AS ?value) WHERE {{ {focus} "
                    f"FILTER (!{self.value_cond(p, o, '?this', shape)}) }}"
                )
                rec((None, p, o, k))
        for ps in g.objects(shape, SH.property):
            if self.deactivated(ps):
                continue
            path_node = g.value(ps, SH.path)
            if path_node is None:
                raise ShapesLoadError(
                    f"shapes: property shape {ps} of {_compact(shape)} has no sh:path"
                )
            path = self.path(path_node)
            simple = isinstance(path_node, URIRef)
            meta = dict(
                severity=self.severity(ps),
                shape=_shape_name(g, ps),
                path=_path_text(g, path_node),
                messages=self.messages(ps),
            )

            def k_for(component: str) -> int:
                return self.add(component=f"sh:{component}ConstraintComponent", **meta)  # noqa: B023

            n_all: int | None = None
            for p, o in g.predicate_objects(ps):
                if p in (SH.minCount, SH.maxCount):
                    if n_all is None:
                        n_all = count(f"?this {path} ?_c{len(counts)}")
                    lo = p == SH.minCount
                    if lo and int(o) == 0:
                        continue
                    k = k_for("MinCount" if lo else "MaxCount")
                    tests.append((n_all, "<" if lo else ">", int(o), k))
                    rec((ps, p, o, k))
                elif p == SH.hasValue:
                    i = count(
                        f"?this {path} ?_c{len(counts)} "
                        f"FILTER (sameTerm(?_c{len(counts)}, {self.term(o)}))"
                    )
                    k = k_for("HasValue")
                    tests.append((i, "<", 1, k))
                    rec((ps, p, o, k))
                elif p == SH.qualifiedValueShape:
                    if (ps, SH.qualifiedValueShapesDisjoint, Literal(True)) in g:
                        raise ShapesLoadError(
                            "shapes: sh:qualifiedValueShapesDisjoint is not supported "
                            "by the fast path"
                        )
                    var = f"?_c{len(counts)}"
                    i = count(f"?this {path} {var} FILTER ({self.conforms(o, var)})")
                    lo_n, hi_n = (
                        g.value(ps, SH.qualifiedMinCount),
                        g.value(ps, SH.qualifiedMaxCount),
                    )
                    klo = khi = None
                    if lo_n is not None:
                        klo = k_for("QualifiedMinCount")
                        tests.append((i, "<", int(lo_n), klo))
                    if hi_n is not None:
                        khi = k_for("QualifiedMaxCount")
                        tests.append((i, ">", int(hi_n), khi))
                    rec((ps, p, o, (klo, khi)))
                elif p in _VALUE_COMPONENTS:
                    k = k_for(_VALUE_COMPONENTS[p])
                    cond = self.value_cond(p, o, "?value", ps)
                    rec((ps, p, o, k))
                    if simple:
                        values.append((path, k, f"!{cond}"))
                    else:
                        other.append(
                            f"SELECT DISTINCT ({k} AS ?_k) ?this ?value WHERE {{ {focus} "
                            f"?this {path} ?value FILTER (!{cond}) }}"
                        )
                elif p in (SH.lessThan, SH.lessThanOrEquals):
                    k = k_for("LessThan" if p == SH.lessThan else "LessThanOrEquals")
                    op = "<" if p == SH.lessThan else "<="
                    rec((ps, p, o, k))
                    # one result per failing pair, like pySHACL
                    other.append(
                        f"SELECT ({k} AS ?_k) ?this ?value WHERE {{ {focus} {{ SELECT DISTINCT "
                        f"?this ?value ?_w WHERE {{ ?this {path} ?value . "
                        f"?this {self.term(o)} ?_w }} }} "
                        f"FILTER (!COALESCE(?value {op} ?_w, false)) }}"
                    )
                elif p in _IGNORED:
                    continue
                elif str(p).startswith(str(SH)):
                    raise ShapesLoadError(
                        f"shapes: {_compact(p)} is not supported by the fast path "
                        "(use graph.validate.validate)"
                    )
            if g.value(ps, SH.sparql) is not None:
                raise ShapesLoadError(
                    "shapes: sh:sparql on a property shape is not supported by the fast path"
                )
        # Each count is its own grouped subquery joined to the focus nodes: a chain of OPTIONALs
        # would multiply the values of different properties, and the union default graph repeats
        # a triple once per source graph that holds it (shared entities: k sources, k^n rows).
        for part in _parts(list(range(len(counts))), _CHUNK):
            mine = tuple(t for t in tests if t[0] in part)
            if not mine:
                continue
            subs = " ".join(
                f"OPTIONAL {{ SELECT ?this (COUNT(DISTINCT ?_c{i}) AS ?_m{i}) "
                f"WHERE {{ {counts[i]} }} "
                f"GROUP BY ?this }} BIND (COALESCE(?_m{i}, 0) AS ?_n{i})"
                for i in part
            )
            cond = " || ".join(f"?_n{i} {op} {n}" for i, op, n, _k in mine)
            text = f"SELECT * WHERE {{ {focus} {subs} FILTER ({cond}) }}"
            self.queries.append(_Query("counts", text, mine))
        for part in _parts(values, _CHUNK):
            rows = " ".join(f"({pred} {k})" for pred, k, _c in part)
            # IF, not ||: pyoxigraph evaluates every operand of ||, so each value would run the
            # EXISTS lookups of all the constraints in the chunk (6 s against 1.8 s at 1M)
            cond = "false"
            for _pred, k, c in reversed(part):
                cond = f"IF(?_k = {k}, {c}, {cond})"
            # A value meets these constraints or not whatever node holds it: each distinct
            # value of the properties is tested once (the tests can be EXISTS lookups, costly
            # per row), and only the failing ones are joined with the focus nodes.
            text = (
                f"SELECT DISTINCT ?_k ?this ?value WHERE {{ "
                f"{{ SELECT ?_p ?_k ?value WHERE {{ {{ SELECT DISTINCT ?_p ?_k ?value WHERE {{ "
                f"VALUES (?_p ?_k) {{ {rows} }} ?_x ?_p ?value }} }} FILTER ({cond}) }} }} "
                f"{focus} ?this ?_p ?value }}"
            )
            self.queries.append(_Query("values", text))
        for text in other:
            self.queries.append(_Query("values", text))
        for c in g.objects(shape, SH.sparql):
            self.sparql_constraint(shape, c, focus)
        try:
            return self.py.shape(shape, records)
        except Unsupported:
            return None

    def sparql_constraint(self, shape: Any, c: Any, focus: str) -> None:
        g = self.g
        if self.deactivated(c):
            return
        select = g.value(c, SH.select)
        if select is None:
            raise ShapesLoadError(
                f"shapes: SPARQL constraint {c} of {_compact(shape)} has no sh:select"
            )
        text = str(select)
        for banned in ("$currentShape", "$shapesGraph", "$PATH", "$value"):
            if banned in text:
                raise ShapesLoadError(
                    f"shapes: {banned} in a SPARQL constraint is not supported by the fast path"
                )
        prefixes = []
        for decl_holder in g.objects(c, SH.prefixes):
            for d in g.objects(decl_holder, SH.declare):
                prefixes.append(f"PREFIX {g.value(d, SH.prefix)}: <{g.value(d, SH.namespace)}>")
        body = re.sub(r"\$this\b", "?this", text)
        head = "\n".join(prefixes)
        query = head + f"\nSELECT * WHERE {{ {focus} {{ {body} }} }}"
        k = self.add(
            severity=self.severity(shape),
            shape=_compact(shape) if not isinstance(shape, BNode) else None,
            component="sh:SPARQLConstraintComponent",
            path=None,
            messages=self.messages(shape),
            constraint_messages=self.messages(c),
        )
        bound = _prebind(text)
        whole = g.value(c, RKG.wholeGraphSelect)
        self.queries.append(
            _Query(
                "sparql",
                query,
                check=k,
                focus=focus.strip()[1:-1],
                bound=head + "\n" + bound if bound else "",
                whole=(head + "\n" + re.sub(r"\$this\b", "?this", str(whole))
                       if whole is not None else ""),
            )
        )


@dataclass(frozen=True, slots=True)
class _Reads:
    """The quads some queries can match: any quad with a predicate of ``predicates``, and the
    quads ``(p, o)`` of ``pairs`` (a pattern with a constant predicate and a constant IRI
    object)."""

    predicates: frozenset[str]
    pairs: frozenset[tuple[str, str]]

    def keeps(self, q: ox.Quad) -> bool:
        p = q.predicate.value
        return p in self.predicates or (
            isinstance(q.object, ox.NamedNode) and (p, q.object.value) in self.pairs
        )


def _reads(texts: list[str]) -> _Reads | None:
    """Which quads the queries ``texts`` can match, from their algebra (rdflib's parser): a
    triple pattern with a constant predicate (or a property path of constant IRIs) matches only
    quads with that predicate. ``None`` when some pattern could match any predicate (a variable
    predicate, a negated property set) or a query does not parse: all quads are needed."""
    from rdflib.paths import AlternativePath, InvPath, MulPath, NegatedPath, SequencePath
    from rdflib.plugins.sparql import prepareQuery
    from rdflib.plugins.sparql.parserutils import CompValue

    from ontology import PREFIXES

    predicates: set[str] = set()
    pairs: set[tuple[str, str]] = set()

    def path(p: Any) -> bool:
        if isinstance(p, URIRef):
            predicates.add(str(p))
            return True
        if isinstance(p, (SequencePath, AlternativePath)):
            return all(path(a) for a in p.args)
        if isinstance(p, MulPath):
            return path(p.path)
        if isinstance(p, InvPath):
            return path(p.arg)
        return False  # a variable, or NegatedPath: any predicate but some

    def walk(node: Any) -> bool:
        if isinstance(node, CompValue):
            for key, value in node.items():
                if key == "triples":
                    # BGPs hold (s, p, o); an EXISTS block as parsed holds flat term lists
                    flat = [t for item in value for t in item]
                    if len(flat) % 3:
                        return False
                    for p, o in zip(flat[1::3], flat[2::3], strict=True):
                        if isinstance(p, URIRef) and isinstance(o, URIRef):
                            pairs.add((str(p), str(o)))
                        elif isinstance(p, NegatedPath) or not path(p):
                            return False
                elif not walk(value):
                    return False
        elif isinstance(node, (list, tuple)):
            return all(walk(v) for v in node)
        return True

    for text in texts:
        if _CLASSES_OF in text:  # the class and its subclasses, read from the data
            predicates.update((str(RDF.type), str(rdflib.RDFS.subClassOf)))
            text = _CLASS_RE.sub(r"\1", text)
        try:
            algebra = prepareQuery(text, initNs=PREFIXES).algebra
        except Exception:  # noqa: BLE001 - a query rdflib cannot read: keep every quad
            return None
        if not walk(algebra):
            return None
    return _Reads(frozenset(predicates), frozenset(pairs))


def _prebind(select: str) -> str:
    """The SELECT with ``%VALUES%`` opening every group that starts with ``$this`` (outside
    ``EXISTS``), and ``?this`` for ``$this``: filled with ``VALUES ?this { … }`` it is SHACL's
    pre-binding of ``$this`` for a batch of focus nodes. "" when there is no such group, or when
    one is inside a subquery: pyoxigraph evaluates a subquery once for each batch over the whole
    store (rkgsh:ObservationPartsSum: 6 s a batch of 32, 500 s for the 1M-quad store, against
    5 s for the query joined with its focus nodes once)."""
    out, last, found = [], 0, False
    for m in re.finditer(r"\{(\s*)\$this\b", select):
        if select[: m.start()].rstrip().upper().endswith("EXISTS"):
            continue
        if len(re.findall(r"\bSELECT\b", select[: m.start()], re.IGNORECASE)) > 1:
            return ""
        out.append(select[last : m.start()] + "{ %VALUES%" + m.group(1))
        last = m.start() + len(m.group(0)) - len("$this")
        found = True
    if not found:
        return ""
    out.append(select[last:])
    return re.sub(r"\$this\b", "?this", "".join(out))


#: Focus nodes per pre-bound query. pyoxigraph plans a constraint that compares each focus node
#: with the rest of the data (rkgsh:SourcesAgreeShape) badly when ?this is free (19 s on 168k
#: triples) and well for a few bound values (0.6 ms a focus node); large VALUES lists lose it.
_BATCH = 32

#: Patterns per query: pyoxigraph's planning time grows faster than linearly with the number of
#: OPTIONALs or filter terms in one query (17 OPTIONALs: 3.6 ms; 3 × 6: 1 ms).
_CHUNK = 6
#: A placeholder in compiled queries, ``%CLASSES<iri>%``: the class and its subclasses
#: (``rdfs:subClassOf*``) in the data being checked, filled in by :func:`_with_classes`.
_CLASSES_OF = "%CLASSES"
_CLASSES_END = "%"
_CLASS_RE = re.compile(r"%CLASSES(<[^>]*>)%")


def _with_classes(text: str, run: Callable[[str], Any], cache: dict[str, str]) -> str:
    """``text`` with every ``%CLASSES<iri>%`` replaced by that class and its subclasses in the
    data (one query per class, kept in ``cache`` for the check)."""

    def fill(m: re.Match[str]) -> str:
        c = m.group(1)
        if c not in cache:
            query = f"SELECT DISTINCT ?c WHERE {{ ?c {_SUBCLASS}* {c} }}"
            found = {str(r["c"]) for r in run(query)}
            cache[c] = ", ".join(sorted(found | {c}))
        return cache[c]

    return _CLASS_RE.sub(fill, text) if _CLASSES_OF in text else text


def _parts(items: list[Any], size: int) -> list[list[Any]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


def _string(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


# -- running ---------------------------------------------------------------------------------------


def check(
    store: Store,
    *,
    sources: list[str] | None = None,
    shapes: Path | str | None = None,
    exclude: Collection_[str] = (),
    on_query: Callable[[str, str, float, int], None] | None = None,
) -> ValidationReport:
    """Validate the store (or some of its sources) with the shapes, as SPARQL on the store.

    Args:
        store: the store to read (embedded, or a SPARQL server).
        sources: source IRIs (named graphs) to validate, together with the reference graph;
            ``None`` validates every source. The same data :func:`graph.validate.validate` reads.
            Their quads are copied into a small in-memory store with the part of the reference
            graph the queries can match (see :func:`check_quads`), so the cost does not grow
            with the rest of the store.
        shapes: the shapes file (default ``ontology/shapes.ttl``).
        exclude: shapes (compact names, ``rkgsh:SourcesAgreeShape``) not to check.
        on_query: called after each query with the shape, the kind of query (``counts``,
            ``values``, ``sparql``), its seconds and its result rows (profiling).

    Returns:
        The report (``results_graph`` holds the SHACL results, built from the findings).

    Raises:
        ShapesLoadError: the shapes cannot be translated, a requested source is not in the
            store, or the store cannot be read.
    """
    compiled = compile_shapes(shapes if shapes is not None else SHAPES)
    if sources is not None:
        wanted = list(dict.fromkeys(sources))
        present = store.present_graphs(wanted)
        missing = [s for s in wanted if s not in present]
        if missing:
            raise ShapesLoadError(
                f"not in the store: {', '.join(sorted(missing))}; run `reformkg ingest`"
            )
        if not wanted:
            return ValidationReport(conforms=True)
        try:
            quads = [q for s in wanted for q in store.quads(s)]
        except OSError as exc:
            raise ShapesLoadError(f"store {store.path}: cannot read the data: {exc}") from None
        return check_quads(quads, shapes=shapes, reference=store, exclude=exclude)
    return _evaluate(
        store,
        compiled,
        {"use_default_graph_as_union": True},
        whole=True,
        exclude=exclude,
        on_query=on_query,
    )


def check_quads(
    quads: list[ox.Quad],
    *,
    shapes: Path | str | None = None,
    reference: Store | None = None,
    exclude: Collection_[str] = (),
) -> ValidationReport:
    """Validate the given source quads (one or more named graphs) with the reference graph.

    The quads go into a new in-memory store with the part of the reference graph (from
    ``reference``, the store they belong to, or from the ontology files) that the check's
    queries can match; the Core constraints read an index of the quads over an index of the
    whole reference graph, both kept per thread. What :func:`check` does for ``sources=``,
    and what ingest workers run on a source they just built, before it is written.
    """
    compiled = compile_shapes(shapes if shapes is not None else SHAPES)
    state = _reference_state(reference)
    # A new store for each check: 1.8 ms a source, where adding it to a kept copy of the whole
    # reference graph and removing it again cost 5.4 ms (Oxigraph's in-memory store keeps
    # removed quads as versions, so that copy had to be built again every few sources).
    scratch = _Scratch(state, compiled.scoped_reads)
    scratch._ox.extend(quads)
    # the graphs checked, as the store lists them (reading each quad's graph_name from Python
    # cost 0.25 ms a source)
    graphs = set(scratch._ox.named_graphs())
    graphs.discard(ox.NamedNode(str(REFERENCE_GRAPH)))
    if not graphs:
        return ValidationReport(conforms=True)
    return _evaluate(
        scratch, compiled, {"use_default_graph_as_union": True}, whole=False, exclude=exclude,
        # the quads as the store holds them: Oxigraph writes literals in canonical form
        # (xsd:nonNegativeInteger "05" is xsd:integer "5"), and so the checks see them
        index=Index.of_graphs(scratch._ox, graphs, state.index(), compiled.inverse),
    )


_LOCAL = threading.local()


@dataclass(slots=True)
class _ReferenceState:
    """A copy of a reference graph, kept per thread: its quads, its index, and the part of it
    a check's queries can match."""

    reference: list[ox.Quad]
    version: str | None = None
    _index: Index | None = None
    _kept: tuple[_Reads, list[ox.Quad]] | None = None

    def index(self) -> Index:
        """The reference graph as an :class:`~graph.corecheck.Index` (built once)."""
        if self._index is None:
            self._index = Index.of_quads(self.reference)
        return self._index

    def kept(self, reads: _Reads | None) -> list[ox.Quad]:
        """The reference quads that ``reads`` keeps (all of them for ``None``)."""
        if reads is None:
            return self.reference
        if self._kept is None or self._kept[0] != reads:
            self._kept = (reads, [q for q in self.reference if reads.keeps(q)])
        return self._kept[1]


class _Scratch(Store):
    """A new in-memory store for one check: the sources checked and the part of the reference
    graph that the check's queries can match (``CompiledShapes.scoped_reads``; all of it when
    that is ``None``). ``Store.__init__`` is not called (it would load the ontology files): the
    attributes ``Store``'s reading methods use are set here."""

    def __init__(self, state: _ReferenceState, reads: _Reads | None) -> None:
        self.path, self.read_only, self.unfinished, self.recovered = None, False, [], []
        self._ox = ox.Store()
        self._ox.extend(state.kept(reads))
        self._rest: list[ox.Quad] | None = state.reference if reads is not None else None

    def read_all(self) -> None:
        """Add the rest of the reference graph (for a query the analysis did not cover)."""
        if self._rest is not None:
            self._ox.extend(self._rest)
            self._rest = None


def _reference_state(reference: Store | None) -> _ReferenceState:
    """This thread's copy of the reference graph of ``reference`` (kept while that store lives
    and its reference version stays the same), or of the ontology files when no store is
    given."""
    import weakref

    cache = getattr(_LOCAL, "cache", None)
    if cache is None:
        cache = _LOCAL.cache = weakref.WeakKeyDictionary()
        _LOCAL.files = None
    if reference is None:
        if _LOCAL.files is None:
            _LOCAL.files = _ReferenceState(list(Store(None)._ox))  # from the ontology files
        return _LOCAL.files  # type: ignore[no-any-return]
    version = reference._stored_reference_version()
    got = cache.get(reference)
    if got is not None and got.version == version:
        return got  # type: ignore[no-any-return]
    state = _ReferenceState(list(reference.quads(str(REFERENCE_GRAPH))), version)
    cache[reference] = state
    return state


def warm_up(reference: Store | None = None) -> None:
    """Build what checks of a few sources keep per process and thread: the translated shapes
    and the reference graph of ``reference`` (the ontology files when ``None``) with its index.
    For a process about to check many sources (ingest workers, through their forkserver)."""
    compile_shapes()
    _reference_state(reference).index()


def _evaluate(
    store: Store,
    compiled: CompiledShapes,
    kwargs: dict[str, Any],
    *,
    whole: bool,
    exclude: Collection_[str] = (),
    on_query: Callable[[str, str, float, int], None] | None = None,
    index: Index | None = None,
) -> ValidationReport:
    """Run the compiled shapes on ``store``. With ``index`` (the same data as the store, for
    a check of a few sources), the Core constraints of shapes that have a Python program are
    evaluated over the index instead of by their queries, and the focus nodes of their SPARQL
    constraints are read from it."""
    from .errors import QuerySyntaxError, StoreError

    sources = None if whole else ["scoped"]
    findings: list[Finding] = []
    checks = compiled.checks

    classes: dict[str, str] = {}

    def raw(query: str) -> Any:
        try:
            return store.query(query, **kwargs)
        except (QuerySyntaxError, StoreError) as exc:
            raise ShapesLoadError(f"fast SHACL check failed: {exc}") from None

    def run(query: str) -> Any:
        return raw(_with_classes(query, raw, classes))

    blank: dict[str, ox.BlankNode] = {}  # focus nodes that are blank nodes (selectors)
    focus_of: dict[str, tuple[list[str], str | None]] = {}  # focus subquery: nodes, VALUES

    def focus(block: str, nodes: list[str] | None = None) -> tuple[list[str], str | None]:
        """The focus nodes of a shape (N-Triples), listed once a check: given (by the shape's
        Python program) or by its focus subquery; and as VALUES, ``None`` when one of them
        is not an IRI (a query cannot name a blank node)."""
        if block not in focus_of:
            if nodes is None:
                nodes = [str(r["this"]) for r in run(block.strip()[1:-1])]
            named = all(n[0] == "<" for n in nodes)
            focus_of[block] = (nodes, "VALUES ?this { " + " ".join(nodes) + " }" if named else None)
        return focus_of[block]

    block_of = {q.shape: q.block for q in compiled.queries}
    ops = {"<": int.__lt__, ">": int.__gt__}
    core = compiled.core if index is not None and sources is not None else {}
    for name, program in core.items():
        if name in exclude:
            continue
        started = time.perf_counter()
        nodes = program.focus(index)  # type: ignore[arg-type]
        results = program.evaluate(nodes, index)  # type: ignore[arg-type]
        for k, this_nt, value in results:
            this = term_of(this_nt)
            value_term = None if value is None else term_of(value)
            findings.append(_core_finding(checks[k], this, value_term))
            if isinstance(this, ox.BlankNode):
                blank[this.value] = this
        if on_query is not None:
            on_query(name, "core", time.perf_counter() - started, len(results))
        if block_of.get(name):
            focus(block_of[name], sorted(nodes))
    for q in compiled.queries:
        if q.shape in exclude or (q.kind != "sparql" and q.shape in core):
            continue
        started = time.perf_counter()
        if q.kind == "sparql" and sources is None and q.whole:
            # whole store: the constraint's set-at-a-time form, kept for the shape's focus nodes
            focus_set = set(focus(q.block)[0])
            solutions = _Rows.of(run(q.whole))
            kept = _Rows(r for r in solutions if str(r.get("this")) in focus_set)
            kept.variables = solutions.variables
            solutions = kept
        elif q.kind == "sparql" and sources is None and q.bound:
            solutions = _batched(run, q)  # whole store: $this pre-bound, a batch at a time
        elif sources is None or not q.block:
            solutions = run(q.text)
        else:
            # A few sources: the focus nodes of each shape are listed once (a cheap query), the
            # shape's queries are skipped when there are none, and otherwise joined with them
            # as VALUES (the same bindings as the subquery, without evaluating it again).
            nodes, listed = focus(q.block)
            if not nodes:
                solutions = _Rows.empty()
            elif listed is None:  # blank nodes or literals: the subquery
                if isinstance(store, _Scratch):
                    store.read_all()  # the subquery may read any of the reference graph
                solutions = run(q.text)
            else:
                solutions = run(q.text.replace(q.block, listed, 1))
        if on_query is not None:
            solutions = _Rows.of(solutions)
            on_query(q.shape, q.kind, time.perf_counter() - started, len(solutions))
        if q.kind == "counts":
            for row in solutions:
                this = row["this"]
                for i, op, bound, k in q.tests:
                    if ops[op](int(row[f"_n{i}"].value), bound):
                        findings.append(_core_finding(checks[k], this, None))
                if isinstance(this, ox.BlankNode):
                    blank[this.value] = this
        elif q.kind == "values":
            for row in solutions:
                this = row["this"]
                findings.append(_core_finding(checks[int(row["_k"].value)], this, row["value"]))
                if isinstance(this, ox.BlankNode):
                    blank[this.value] = this
        else:
            c = checks[q.check]
            names = _names(solutions)
            seen: set[tuple[Any, ...]] = set()
            for row in solutions:
                got = row if isinstance(row, dict) else {n: row[n] for n in names}
                values = {n: v for n, v in got.items() if v is not None}
                key = tuple(sorted((k, str(v)) for k, v in values.items()))
                if key in seen:  # pySHACL drops repeated solutions of one focus node
                    continue
                seen.add(key)
                findings.append(_sparql_finding(c, values))
                if isinstance(values.get("this"), ox.BlankNode):
                    blank[values["this"].value] = values["this"]
    _add_provenance(store, findings, kwargs, blank)
    findings.sort(
        key=lambda f: (_ORDER.get(f.severity, 9), f.source_id or "", f.start or 0, f.message)
    )
    return _FastReport(conforms=not findings, findings=findings)


class _Rows(list):  # type: ignore[type-arg]
    """Solutions of several queries, with their variables."""

    variables: list[str]

    @classmethod
    def empty(cls) -> _Rows:
        rows = cls()
        rows.variables = []
        return rows

    @classmethod
    def of(cls, solutions: Any) -> _Rows:
        """Every solution read (so a query's time includes producing its answer)."""
        if isinstance(solutions, _Rows):
            return solutions
        rows = cls()
        rows.variables = [v.value for v in solutions.variables]
        rows.extend({n: r[n] for n in rows.variables} for r in solutions)
        return rows


def _names(solutions: Any) -> list[str]:
    if isinstance(solutions, _Rows):
        return solutions.variables
    return [v.value for v in solutions.variables]


def _batched(run: Any, q: _Query) -> _Rows:
    """A SPARQL constraint over every focus node, ``_BATCH`` pre-bound focus nodes a query
    (blank focus nodes, which a query cannot name, with the focus subquery instead)."""
    rows = _Rows()
    rows.variables = []
    focus = [r["this"] for r in run(q.focus)]
    named = [f for f in focus if isinstance(f, ox.NamedNode)]
    if len(named) < len(focus):
        sol = run(q.text)
        rows.variables = [v.value for v in sol.variables]
        rows.extend({n: r[n] for n in rows.variables} for r in sol)
        return rows
    for i in range(0, len(named), _BATCH):
        values = "VALUES ?this { " + " ".join(str(f) for f in named[i : i + _BATCH]) + " } "
        sol = run(q.bound.replace("%VALUES%", values))
        names = [v.value for v in sol.variables]
        for n in names:
            if n not in rows.variables:
                rows.variables.append(n)
        rows.extend({n: r[n] for n in names} for r in sol)
    return rows


# -- findings --------------------------------------------------------------------------------------


def _rdf(term: Any) -> Any:
    """A pyoxigraph term as the equal rdflib term (``None`` for an unbound variable or an
    RDF-star triple, which findings do not name)."""
    return _term(term) if isinstance(term, (ox.NamedNode, ox.BlankNode, ox.Literal)) else None


def _choose(messages: list[Literal]) -> str:
    """The message validate.Finding shows: the English one, else the first."""
    en = next((str(m) for m in messages if getattr(m, "language", None) == "en"), None)
    if en is not None:
        return en
    return str(messages[0]) if messages else "constraint not met"


def _core_finding(c: _Check, this: Any, value: Any) -> Finding:
    return Finding(
        severity=c.severity,
        message=_choose(list(c.messages)),
        focus=str(_rdf(this)),
        path=c.path,
        value=None if value is None else str(_rdf(value)),
        shape=c.shape,
        component=c.component,
    )


def _sparql_finding(c: _Check, values: dict[str, Any]) -> Finding:
    this = values.get("this")
    value = values.get("value", this if c.node_shape else None)
    path = values.get("path")
    bound = {k: str(_rdf(v)) for k, v in values.items()}
    formatted = []
    for m in c.constraint_messages:
        if m in c.messages:
            continue
        text = str(m)
        for var, val in bound.items():  # as pySHACL does: re.sub of {?var} and {$var}
            text = re.sub(f"{{[?$]{var}}}", lambda _m, val=val: val, text)
        formatted.append(Literal(text))
    return Finding(
        severity=c.severity,
        message=_choose(list(c.messages) + formatted),
        focus=str(_rdf(this)),
        path=None if path is None else _compact(_rdf(path)),
        value=None if value is None else str(_rdf(value)),
        shape=c.shape,
        component=c.component,
    )


_PROVENANCE = """
SELECT ?focus ?span ?source ?sid ?start ?end ?exact ?surface ?sentence WHERE {
  VALUES ?focus { %s }
  OPTIONAL { ?focus a rkg:TextSpan . BIND (?focus AS ?s1) }
  OPTIONAL { ?focus prov:wasDerivedFrom ?s2 }
  OPTIONAL { ?s3 oa:hasSelector ?focus }
  OPTIONAL { ?c4 rkg:to ?focus . ?c4 prov:wasDerivedFrom ?s4 }
  BIND (COALESCE(?s1, ?s2, ?s3, ?s4) AS ?span)
  OPTIONAL { ?span oa:hasSource ?src1 }
  OPTIONAL { FILTER (!BOUND(?span)) ?focus a rkg:Source . BIND (?focus AS ?src2) }
  BIND (COALESCE(?src1, ?src2) AS ?source)
  OPTIONAL { ?source dcterms:identifier ?sid }
  OPTIONAL { ?span oa:hasSelector ?ps .
             ?ps a oa:TextPositionSelector ; oa:start ?start ; oa:end ?end }
  OPTIONAL { ?span oa:hasSelector ?qs . ?qs a oa:TextQuoteSelector ; oa:exact ?exact }
  OPTIONAL { ?focus rkg:surface ?surface }
  OPTIONAL { ?span rkg:sentence ?sentence }
}
"""


_P = {k: ox.NamedNode(v) for k, v in {
    "type": "http://www.w3.org/1999/02/22-rdf-syntax-ns#type",
    "TextSpan": "https://w3id.org/reformkg/def#TextSpan",
    "Source": "https://w3id.org/reformkg/def#Source",
    "derived": "http://www.w3.org/ns/prov#wasDerivedFrom",
    "selector": "http://www.w3.org/ns/oa#hasSelector",
    "to": "https://w3id.org/reformkg/def#to",
    "hasSource": "http://www.w3.org/ns/oa#hasSource",
    "identifier": "http://purl.org/dc/terms/identifier",
    "Position": "http://www.w3.org/ns/oa#TextPositionSelector",
    "Quote": "http://www.w3.org/ns/oa#TextQuoteSelector",
    "start": "http://www.w3.org/ns/oa#start",
    "end": "http://www.w3.org/ns/oa#end",
    "exact": "http://www.w3.org/ns/oa#exact",
    "surface": "https://w3id.org/reformkg/def#surface",
    "sentence": "https://w3id.org/reformkg/def#sentence",
}.items()}


def _provenance_of(store: ox.Store, graphs: list[Any], key: str) -> dict[str, Any]:
    """What ``_PROVENANCE`` gives for one focus node, read from the embedded store's indexes:
    its span (itself, what it was derived from, the span holding it as a selector, or the span
    of a connection reaching it — in that order), the span's source, offsets, quote, sentence,
    and the node's surface."""

    def first(s: Any, p: str, o: Any) -> ox.Quad | None:
        for g in graphs:
            for q in store.quads_for_pattern(s, _P[p], o, g):
                return q
        return None

    def obj(s: Any, p: str) -> Any:
        q = first(s, p, None) if s is not None else None
        return None if q is None else q.object

    node = ox.NamedNode(key)
    span: Any = None
    if first(node, "type", _P["TextSpan"]) is not None:
        span = node
    elif (q := first(node, "derived", None)) is not None:
        span = q.object
    elif (q := first(None, "selector", node)) is not None:
        span = q.subject
    else:
        for g in graphs:
            for q in store.quads_for_pattern(None, _P["to"], node, g):
                span = obj(q.subject, "derived")
                if span is not None:
                    break
            if span is not None:
                break
    source = obj(span, "hasSource") if span is not None else (
        node if first(node, "type", _P["Source"]) is not None else None)
    start = end = exact = None
    if span is not None:
        for g in graphs:
            for q in store.quads_for_pattern(span, _P["selector"], None, g):
                sel = q.object
                if start is None and first(sel, "type", _P["Position"]) is not None:
                    start, end = obj(sel, "start"), obj(sel, "end")
                    if start is None or end is None:
                        start = end = None
                if exact is None and first(sel, "type", _P["Quote"]) is not None:
                    exact = obj(sel, "exact")

    def value(term: Any) -> Any:
        return None if term is None else term.value

    return {"source": value(source), "sid": value(obj(source, "identifier")), "start": value(start),
            "end": value(end), "exact": value(exact), "surface": value(obj(node, "surface")),
            "sentence": value(obj(span, "sentence")), "span": value(span)}


def _add_provenance(
    store: Store, findings: list[Finding], kwargs: dict[str, Any], blank: dict[str, ox.BlankNode]
) -> None:
    """Source, offsets, surface and sentence of each focus node (as graph.validate does), with
    one query for up to 500 focus nodes. A blank focus node (a selector) cannot be named in a
    query: its span is looked up by pattern on the embedded store, and stands in for it."""
    alias: dict[str, str] = {}
    ox_store = getattr(store, "_ox", None)
    if blank and ox_store is not None:
        has_selector = ox.NamedNode("http://www.w3.org/ns/oa#hasSelector")
        graphs = kwargs.get("default_graph") or [None]
        for key, node in blank.items():
            for g in graphs:
                holder = next(iter(ox_store.quads_for_pattern(None, has_selector, node, g)), None)
                if holder is not None:
                    alias[key] = holder.subject.value
                    break
    focus = sorted(
        {alias.get(f.focus, f.focus) for f in findings if f.focus not in blank or f.focus in alias}
    )
    info: dict[str, dict[str, Any]] = {}
    if ox_store is not None:  # index lookups: ~40 µs a focus node, against ~27 ms in the query
        graphs = kwargs.get("default_graph") or [None]
        info = {key: _provenance_of(ox_store, graphs, key) for key in focus}
        focus = []
    for i in range(0, len(focus), 500):
        values = " ".join(f"<{x}>" for x in focus[i : i + 500])
        for row in store.query(_PROVENANCE % values, **kwargs):
            key = row["focus"].value
            if key in info:
                continue
            info[key] = {
                k: (None if row[k] is None else row[k].value)
                for k in ("source", "sid", "start", "end", "exact", "surface", "sentence", "span")
            }
    for f in findings:
        got = info.get(alias.get(f.focus, f.focus))
        if not got:
            continue
        f.source, f.source_id = got["source"], got["sid"]
        if got["span"] is None:
            continue
        f.start = int(got["start"]) if got["start"] is not None else None
        f.end = int(got["end"]) if got["end"] is not None else None
        f.surface = got["surface"] if got["surface"] is not None else got["exact"]
        f.sentence = got["sentence"]


class _FastReport(ValidationReport):
    """A report whose SHACL results graph is built from the findings when first read."""

    @property  # type: ignore[override]
    def results_graph(self) -> rdflib.Graph:
        g = _RESULTS_SLOT.__get__(self)
        if len(g) == 0:
            _results_graph(g, self.conforms, self.findings)
        return g

    @results_graph.setter
    def results_graph(self, value: rdflib.Graph) -> None:
        _RESULTS_SLOT.__set__(self, value)


_RESULTS_SLOT = ValidationReport.__dict__["results_graph"]


def _results_graph(g: rdflib.Graph, conforms: bool, findings: list[Finding]) -> None:
    """An ``sh:ValidationReport`` with one ``sh:ValidationResult`` per finding."""
    from .validate import _COMPACT

    def expand(text: str | None) -> URIRef | None:
        if text is None:
            return None
        prefix, _, local = text.partition(":")
        for ns, p in _COMPACT:
            if p == prefix and local and "/" not in local:
                return URIRef(ns + local)
        return URIRef(text)

    report = BNode()
    g.add((report, RDF.type, SH.ValidationReport))
    g.add((report, SH.conforms, Literal(conforms)))
    sev = {v: k for k, v in _SEVERITY.items()}
    for f in findings:
        r = BNode()
        g.add((report, SH.result, r))
        g.add((r, RDF.type, SH.ValidationResult))
        g.add((r, SH.resultSeverity, sev.get(f.severity, SH.Violation)))
        g.add(
            (r, SH.focusNode, BNode(f.focus[2:]) if f.focus.startswith("_:") else URIRef(f.focus))
        )
        g.add((r, SH.resultMessage, Literal(f.message)))
        if f.component:
            g.add((r, SH.sourceConstraintComponent, expand(f.component)))
        if f.path and "/" not in f.path and not f.path.startswith("^"):
            g.add((r, SH.resultPath, expand(f.path)))
        if f.value is not None:
            g.add((r, SH.value, Literal(f.value)))
