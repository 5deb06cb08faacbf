"""SHACL Core constraints evaluated in Python over a few sources' quads.

The per-source check (:func:`graph.fastcheck.check_quads`, which ingest runs on every new
source) spent most of its time in pyoxigraph's per-query cost: about twenty small queries for
the Core constraints of ``ontology/shapes.ttl``, each 0.2–5 ms even on 1,300 quads. Over one
source's quads and the reference graph, the same constraints are cheaper as dictionary lookups:
:class:`Index` holds the quads by subject and predicate, and :class:`CoreShape` evaluates one
shape with targets: its focus nodes, cardinalities (``sh:minCount``/``sh:maxCount``,
``sh:hasValue``, qualified counts), value constraints and property pairs.

The programs are built by :class:`graph.fastcheck._Compiler` from the same shapes file, next to
the SPARQL it writes, and give the same results (check keys, focus nodes, values) as those
queries; what this module cannot evaluate (complex property paths with ``*``/``+``/``?``)
raises :class:`Unsupported`, and that shape keeps its SPARQL. SHACL-SPARQL constraints always
run as SPARQL. Semantics follow the SPARQL the compiler writes (and so pySHACL, which
``tests/graph/test_corecheck.py`` compares against on mutated sources): values are compared
with SPARQL's operator rules (numbers with numbers, dates with dates, strings with strings,
anything else is no match), datatypes include a check of the lexical form.

The whole-store check (:func:`graph.fastcheck.check` without ``sources``) stays SPARQL: reading
an on-disk store into Python costs more than the queries (RocksDB decodes every term: 24 s to
read the 740 graphs of a 1M-quad store, against 28 s for all its Core queries).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from typing import Any

import pyoxigraph as ox

__all__ = ["CoreShape", "Index", "Unsupported"]

_XSD = "http://www.w3.org/2001/XMLSchema#"
_RDF_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
_SUBCLASS = "<http://www.w3.org/2000/01/rdf-schema#subClassOf>"
_STRING = f"{_XSD}string"
_LANGSTRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"

Term = str  # an RDF term as N-Triples, see Index
#: A test of one value node against the index: True when the value meets the constraint.
Test = Callable[[Term, "Index"], bool]
#: The values reached from a node by a property path.
Path = Callable[[Term, "Index"], set[Term]]


class Unsupported(Exception):
    """A construct this evaluator does not handle (the shape keeps its SPARQL)."""


# -- the data --------------------------------------------------------------------------------------


class Index:
    """Triples of a few sources (their named graphs) and a reference graph, as one RDF graph:
    the union default graph the SPARQL runs on, so a triple in several graphs counts once.

    Terms are N-Triples strings as Oxigraph writes them (``<iri>``, ``_:id``, ``"5"^^<…#integer>``,
    ``"text"``, ``"text"@vi``): read with one ``dump`` from the store, in the canonical form the
    store keeps (``"05"^^xsd:nonNegativeInteger`` is stored as ``"5"^^xsd:integer``), and hashed
    as strings, several times cheaper than pyoxigraph terms. The reference part (``base``) is
    built once and shared, read-only."""

    __slots__ = ("base", "fwd", "inv", "_sub", "memo")

    def __init__(
        self,
        triples: Iterable[tuple[str, str, str]],
        base: Index | None = None,
        inverse: Collection[str] | None = None,
    ) -> None:
        """``inverse``: the predicates whose subjects are looked up by object (all if
        ``None``); the others are indexed one way only."""
        self.base = base
        fwd: dict[str, dict[str, set[str]]] = {}
        inv: dict[str, dict[str, set[str]]] = {}
        for s, p, o in triples:
            ps = fwd.get(s)
            if ps is None:
                fwd[s] = {p: {o}}
            else:
                vs = ps.get(p)
                if vs is None:
                    ps[p] = {o}
                else:
                    vs.add(o)
            if inverse is not None and p not in inverse:
                continue
            po = inv.get(p)
            if po is None:
                inv[p] = {o: {s}}
            else:
                ss = po.get(o)
                if ss is None:
                    po[o] = {s}
                else:
                    ss.add(s)
        self.fwd = fwd
        self.inv = inv  # predicate -> object -> subjects
        self._sub: dict[str, frozenset[str]] = {}
        #: answers of tests that read the data (sh:class, sh:node, …), for this data
        self.memo: dict[tuple[int, str], bool] = {}

    @classmethod
    def of_graphs(
        cls,
        store: ox.Store,
        graphs: Iterable[Any],
        base: Index | None = None,
        inverse: Collection[str] | None = None,
    ) -> Index:
        """The triples of some named graphs of ``store``."""
        rows: list[list[str]] = []
        for g in graphs:
            # split at "\n" only: a literal may hold U+2028 or U+0085 unescaped
            text = store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=g).decode()
            # subjects and predicates have no spaces; the object is the rest without " ."
            rows += [line.split(" ", 2) for line in text.split("\n")[:-1]]
        for row in rows:
            row[2] = row[2][:-2]
        return cls(rows, base, inverse)  # type: ignore[arg-type]

    @classmethod
    def of_quads(cls, quads: Iterable[ox.Quad]) -> Index:
        return cls((str(q.subject), str(q.predicate), str(q.object)) for q in quads)

    def props(self, s: str) -> dict[str, set[str]]:
        """Predicate -> objects of one subject (read-only)."""
        mine = self.fwd.get(s)
        if self.base is None:
            return mine if mine is not None else _NONE
        theirs = self.base.fwd.get(s)
        if theirs is None:
            return mine if mine is not None else _NONE
        if mine is None:
            return theirs
        merged = dict(theirs)
        for p, vs in mine.items():
            merged[p] = vs | merged[p] if p in merged else vs
        return merged

    def objects(self, s: str, p: str) -> set[str]:
        return self.props(s).get(p, _EMPTY)

    def subjects(self, p: str, o: str) -> set[str]:
        return self.by_predicate(p).get(o, _EMPTY)

    def by_predicate(self, p: str) -> dict[str, set[str]]:
        """Object -> subjects for one predicate (read-only)."""
        mine = self.inv.get(p)
        theirs = self.base.inv.get(p) if self.base is not None else None
        if theirs is None:
            return mine if mine is not None else _NONE
        if mine is None:
            return theirs
        merged = dict(theirs)
        for o, ss in mine.items():
            merged[o] = ss | merged[o] if o in merged else ss
        return merged

    def subclasses(self, c: str) -> frozenset[str]:
        """``c`` and every class below it (``rdfs:subClassOf*``)."""
        got = self._sub.get(c)
        if got is None:
            sub = self.by_predicate(_SUBCLASS)
            seen = {c}
            todo = [c]
            while todo:
                for s in sub.get(todo.pop(), _EMPTY):
                    if s not in seen:
                        seen.add(s)
                        todo.append(s)
            got = self._sub[c] = frozenset(seen)
        return got

    def instances(self, c: str) -> set[str]:
        typed = self.by_predicate(_RDF_TYPE)
        out: set[str] = set()
        for k in self.subclasses(c):
            out |= typed.get(k, _EMPTY)
        return out

    def is_a(self, node: str, c: str) -> bool:
        """``node rdf:type/rdfs:subClassOf* c``."""
        types = self.objects(node, _RDF_TYPE)
        return bool(types) and not types.isdisjoint(self.subclasses(c))


_EMPTY: set[str] = set()  # shared, never written
_NONE: dict[str, set[str]] = {}  # shared, never written


_UNESCAPE = re.compile(r"\\(?:u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8})|(.))")
_CHARS = {"t": "\t", "b": "\b", "n": "\n", "r": "\r", "f": "\f", '"': '"', "'": "'", "\\": "\\"}


_LITERALS: dict[str, tuple[str, str]] = {}


def literal(term: str) -> tuple[str, str] | None:
    """``(lexical form, datatype IRI)`` of a literal term string (``rdf:langString`` for a
    language-tagged one), ``None`` for an IRI or a blank node."""
    if term[0] != '"':
        return None
    got = _LITERALS.get(term)
    if got is None:
        if len(_LITERALS) > 200_000:
            _LITERALS.clear()
        got = _LITERALS[term] = _literal(term)
    return got


def _literal(term: str) -> tuple[str, str]:
    j = term.rfind('"')
    lex = term[1:j]
    if "\\" in lex:
        lex = _UNESCAPE.sub(
            lambda m: chr(int(m.group(1) or m.group(2), 16)) if m.group(3) is None
            else _CHARS.get(m.group(3), m.group(3)), lex)
    rest = term[j + 1:]
    if not rest:
        return lex, _STRING
    if rest[0] == "@":
        return lex, _LANGSTRING
    return lex, rest[3:-1]


def term_of(term: str) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    """An :class:`Index` term as the pyoxigraph term."""
    if term[0] == "<":
        return ox.NamedNode(term[1:-1])
    if term[0] == "_":
        return ox.BlankNode(term[2:])
    lex, dt = literal(term)  # type: ignore[misc]
    if dt == _LANGSTRING:
        return ox.Literal(lex, language=term[term.rfind('"') + 2:])
    return ox.Literal(lex, datatype=ox.NamedNode(dt))


def text_of(term: str) -> str:
    """``STR()`` of an IRI or a literal."""
    if term[0] == "<":
        return term[1:-1]
    got = literal(term)
    return got[0] if got is not None else term


# -- values ----------------------------------------------------------------------------------------

_INTEGER = re.compile(r"[+-]?[0-9]+\Z")
_DECIMAL = re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)\Z")
_DOUBLE = re.compile(r"([+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?|[+-]?INF|NaN)\Z")
_DATE = re.compile(r"(-?[0-9]{4,})-([0-9]{2})-([0-9]{2})(Z|[+-][0-9]{2}:[0-9]{2})?\Z")
_TIME = re.compile(r"([0-9]{2}):([0-9]{2}):([0-9]{2})(\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})?\Z")
#: Integer types derived from xsd:integer, with their bounds (SPARQL compares them as numbers).
_INTEGERS = {
    "integer": (None, None),
    "nonNegativeInteger": (0, None),
    "positiveInteger": (1, None),
    "nonPositiveInteger": (None, 0),
    "negativeInteger": (None, -1),
    "long": (-(2**63), 2**63 - 1),
    "int": (-(2**31), 2**31 - 1),
    "short": (-(2**15), 2**15 - 1),
    "byte": (-128, 127),
    "unsignedLong": (0, 2**64 - 1),
    "unsignedInt": (0, 2**32 - 1),
    "unsignedShort": (0, 2**16 - 1),
    "unsignedByte": (0, 255),
}


def _date(text: str) -> date | None:
    m = _DATE.match(text)
    if m is None or len(m.group(1).lstrip("-")) != 4 or m.group(1).startswith("-"):
        return None
    try:
        return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None


def well_formed(text: str, dt: str) -> bool:
    """The lexical form ``text`` is valid for datatype ``dt`` (for the datatypes whose form the
    SPARQL checks with a cast: numbers, booleans, dates and times)."""
    if not dt.startswith(_XSD):
        return True
    name = dt[len(_XSD):]
    if name in _INTEGERS:
        return _INTEGER.match(text) is not None
    if name == "decimal":
        return _DECIMAL.match(text) is not None
    if name in ("float", "double"):
        return _DOUBLE.match(text) is not None
    if name == "boolean":
        return text in ("true", "false", "1", "0")
    if name == "date":
        return _date(text) is not None
    if name == "dateTime":
        head, _, rest = text.partition("T")
        return _date(head) is not None and _TIME.match(rest) is not None and _time_ok(rest)
    if name == "time":
        return _TIME.match(text) is not None and _time_ok(text)
    return True


def _time_ok(text: str) -> bool:
    m = _TIME.match(text)
    return m is not None and (
        int(m.group(1)) < 24 and int(m.group(2)) < 60 and int(m.group(3)) < 60
        or text.startswith("24:00:00")
    )


_COMPARABLE: dict[str, tuple[str, Any] | None] = {}


def comparable(term: Term) -> tuple[str, Any] | None:
    """A value SPARQL's ``<``/``>`` can order, with its family (numbers compare with numbers,
    dates with dates, strings with strings); ``None`` when it cannot be compared."""
    try:
        return _COMPARABLE[term]
    except KeyError:
        if len(_COMPARABLE) > 200_000:
            _COMPARABLE.clear()
        got = _COMPARABLE[term] = _comparable(term)
        return got


def _comparable(term: Term) -> tuple[str, Any] | None:
    got = literal(term)
    if got is None:
        return None
    text, dt = got
    if dt.startswith(_XSD):
        name = dt[len(_XSD):]
        if name in _INTEGERS or name == "decimal":
            if not (_INTEGER if name in _INTEGERS else _DECIMAL).match(text):
                return None
            try:
                return ("n", Decimal(text))
            except InvalidOperation:
                return None
        if name in ("float", "double"):
            if not _DOUBLE.match(text):
                return None
            return ("n", float(text.replace("INF", "inf")))
        if name == "string":
            return ("s", text)
        if name == "date":
            d = _date(text)
            return None if d is None else ("d", d)
        if name == "dateTime":
            try:
                return ("t", datetime.fromisoformat(text.replace("Z", "+00:00")))
            except ValueError:
                return None
        if name == "time":
            try:
                return ("h", time.fromisoformat(text.replace("Z", "+00:00")))
            except ValueError:
                return None
        if name == "boolean":
            return ("b", text in ("true", "1")) if text in ("true", "false", "1", "0") else None
    return None


_OPS: dict[str, Callable[[Any, Any], bool]] = {
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
}


def compare(a: Term, op: str, b: Term) -> bool:
    """``COALESCE(a op b, false)`` in SPARQL."""
    x, y = comparable(a), comparable(b)
    if x is None or y is None or x[0] != y[0]:
        return False
    try:
        return _OPS[op](x[1], y[1])
    except TypeError:  # e.g. an aware against a naive dateTime: an error in SPARQL too
        return False


# -- programs --------------------------------------------------------------------------------------


@dataclass(slots=True)
class Property:
    """The Core constraints of one property shape."""

    path: Path
    pred: str = ""  # the predicate, when the path is one
    counts: list[tuple[str, int, int]] = field(default_factory=list)  # (op, bound, key)
    has_value: list[tuple[Term, int]] = field(default_factory=list)
    qualified: list[tuple[Test, int | None, int | None, int | None, int | None]] = field(
        default_factory=list
    )  # (test, min, key of min, max, key of max)
    values: list[tuple[Test, int]] = field(default_factory=list)
    pairs: list[tuple[Term, str, int]] = field(default_factory=list)  # (other predicate, op, key)


@dataclass(slots=True)
class CoreShape:
    """The Core constraints of one shape with targets."""

    classes: list[Term] = field(default_factory=list)
    nodes: list[Term] = field(default_factory=list)
    subjects_of: list[Term] = field(default_factory=list)
    objects_of: list[Term] = field(default_factory=list)
    node_values: list[tuple[Test, int]] = field(default_factory=list)  # on the focus node
    properties: list[Property] = field(default_factory=list)

    def focus(self, idx: Index) -> set[Term]:
        out: set[Term] = set(self.nodes)
        for c in self.classes:
            out |= idx.instances(c)
        for p in self.subjects_of:
            for ss in idx.by_predicate(p).values():
                out |= ss
        for p in self.objects_of:
            out.update(o for o, ss in idx.by_predicate(p).items() if ss)
        return out

    def evaluate(self, focus: Iterable[Term], idx: Index) -> list[tuple[int, Term, Term | None]]:
        """Results ``(check key, focus node, value or None)``, as the SPARQL gives them."""
        out: list[tuple[int, Term, Term | None]] = []
        for this in focus:
            for test, k in self.node_values:
                if not test(this, idx):
                    out.append((k, this, this))
            props = idx.props(this)
            for prop in self.properties:
                vals = props.get(prop.pred, _EMPTY) if prop.pred else prop.path(this, idx)
                n = len(vals)
                for op, bound, k in prop.counts:
                    if (n < bound) if op == "<" else (n > bound):
                        out.append((k, this, None))
                for term, k in prop.has_value:
                    if term not in vals:
                        out.append((k, this, None))
                for test, lo, klo, hi, khi in prop.qualified:
                    m = sum(1 for v in vals if test(v, idx))
                    if lo is not None and m < lo:
                        out.append((klo, this, None))  # type: ignore[arg-type]
                    if hi is not None and m > hi:
                        out.append((khi, this, None))  # type: ignore[arg-type]
                if not vals:
                    continue
                for test, k in prop.values:  # loops, not generators: most sets hold one value
                    for v in vals:
                        if not test(v, idx):
                            out.append((k, this, v))
                for other, op, k in prop.pairs:
                    ws = idx.objects(this, other)
                    for v in vals:
                        for w in ws:
                            if not compare(v, op, w):
                                out.append((k, this, v))
        return out


def predicate_path(p: Term) -> Path:
    return lambda node, idx: idx.objects(node, p)


def inverse_path(p: Term | None) -> Path:
    if p is None:
        raise Unsupported("inverse of a complex path")
    return lambda node, idx: idx.subjects(p, node)


def sequence_path(steps: list[Path]) -> Path:
    def walk(node: Term, idx: Index) -> set[Term]:
        now = {node}
        for step in steps:
            nxt: set[Term] = set()
            for n in now:
                nxt |= step(n, idx)
            now = nxt
        return now

    return walk


def alternative_path(options: list[Path]) -> Path:
    def walk(node: Term, idx: Index) -> set[Term]:
        out: set[Term] = set()
        for o in options:
            out |= o(node, idx)
        return out

    return walk


# -- from the shapes graph -------------------------------------------------------------------------


def ox_term(node: Any) -> ox.NamedNode | ox.Literal:
    """An rdflib term of the shapes graph as the equal pyoxigraph term."""
    from rdflib import BNode, Literal, URIRef

    if isinstance(node, URIRef):
        return ox.NamedNode(str(node))
    if isinstance(node, Literal):
        if node.language:
            return ox.Literal(str(node), language=node.language)
        return ox.Literal(str(node), datatype=ox.NamedNode(str(node.datatype or _STRING)))
    if isinstance(node, BNode):
        raise Unsupported(f"a blank node as a constraint value ({node})")
    raise Unsupported(f"term {node!r}")


def nt(node: Any) -> Term:
    """An rdflib term of the shapes graph as an :class:`Index` term: N-Triples, in the
    canonical form the store would keep (written to a store and read back)."""
    term = ox_term(node)
    if isinstance(term, ox.NamedNode):
        return str(term)
    scratch = ox.Store()
    scratch.add(ox.Quad(ox.NamedNode("urn:x:s"), ox.NamedNode("urn:x:p"), term))
    return str(next(iter(scratch)).object)


class Builder:
    """Python tests for the value constraints of a shapes graph (what
    ``graph.fastcheck._Compiler.value_cond`` and ``conforms`` write as SPARQL)."""

    def __init__(self, g: Any, checked_datatypes: set[str]) -> None:
        self.g = g
        self.checked = checked_datatypes
        self._conforms: dict[Any, Test] = {}
        #: predicates of inverse paths: the index must look their subjects up by object
        self.inverse: set[str] = {_RDF_TYPE, _SUBCLASS}

    def shape(self, shape: Any, records: list[tuple[Any, Any, Any, Any]]) -> CoreShape:
        """The Python program of one shape with targets, from the constraints the SPARQL
        compiler recorded: ``(property shape or None, parameter, value, check key)``, the key
        of a qualified value shape being ``(key of min, key of max)``."""
        from rdflib import URIRef
        from rdflib.namespace import RDF, RDFS, SH

        g = self.g
        core = CoreShape(
            classes=[nt(x) for x in g.objects(shape, SH.targetClass)]
            + ([nt(shape)] if (shape, RDF.type, RDFS.Class) in g else []),
            nodes=[nt(x) for x in g.objects(shape, SH.targetNode)],
            subjects_of=[nt(x) for x in g.objects(shape, SH.targetSubjectsOf)],
            objects_of=[nt(x) for x in g.objects(shape, SH.targetObjectsOf)],
        )
        props: dict[Any, Property] = {}
        for ps, p, o, k in records:
            if ps is None:
                core.node_values.append((self.value(p, o, shape), k))
                continue
            prop = props.get(ps)
            if prop is None:
                path_node = g.value(ps, SH.path)
                prop = props[ps] = Property(self.path(path_node))
                prop.pred = nt(path_node) if isinstance(path_node, URIRef) else ""
                core.properties.append(prop)
            if p in (SH.minCount, SH.maxCount):
                prop.counts.append(("<" if p == SH.minCount else ">", int(o), k))
            elif p == SH.hasValue:
                prop.has_value.append((nt(o), k))
            elif p == SH.qualifiedValueShape:
                lo, hi = g.value(ps, SH.qualifiedMinCount), g.value(ps, SH.qualifiedMaxCount)
                prop.qualified.append((
                    self.conforms(o),
                    None if lo is None else int(lo), k[0],
                    None if hi is None else int(hi), k[1],
                ))
            elif p in (SH.lessThan, SH.lessThanOrEquals):
                prop.pairs.append((nt(o), "<" if p == SH.lessThan else "<=", k))
            else:
                prop.values.append((self.value(p, o, ps), k))
        return core

    def path(self, node: Any) -> Path:
        from rdflib import URIRef
        from rdflib.collection import Collection
        from rdflib.namespace import RDF, SH

        g = self.g
        if isinstance(node, URIRef):
            return predicate_path(nt(node))
        if g.value(node, RDF.first) is not None:
            return sequence_path([self.path(x) for x in Collection(g, node)])
        inner = g.value(node, SH.inversePath)
        if inner is not None:
            if isinstance(inner, URIRef):
                self.inverse.add(nt(inner))
            return inverse_path(nt(inner) if isinstance(inner, URIRef) else None)
        alt = g.value(node, SH.alternativePath)
        if alt is not None:
            return alternative_path([self.path(x) for x in Collection(g, alt)])
        raise Unsupported(f"property path {node}")

    def conforms(self, shape: Any) -> Test:
        """True when a value conforms to ``shape`` (used through sh:node, sh:or, …)."""
        got = self._conforms.get(shape)
        if got is not None:
            return got
        from rdflib.namespace import SH

        tests: list[Test] = []
        for p, o in self.g.predicate_objects(shape):
            if p == SH.hasValue:
                want = nt(o)
                tests.append(lambda v, idx, want=want: v == want)
            elif p == SH.property:
                tests.extend(self.property_tests(o))
            elif self.is_value_component(p):
                tests.append(self.value(p, o, shape))
            elif p == SH.sparql:
                raise Unsupported("sh:sparql in a value shape")

        def test(v: Term, idx: Index) -> bool:
            for t in tests:
                if not t(v, idx):
                    return False
            return True

        # most shapes used through sh:or and sh:qualifiedValueShape hold one constraint
        self._conforms[shape] = tests[0] if len(tests) == 1 else test
        return self._conforms[shape]

    def property_tests(self, ps: Any) -> list[Test]:
        from rdflib.namespace import SH

        g = self.g
        path = self.path(g.value(ps, SH.path))
        out: list[Test] = []
        for p, o in g.predicate_objects(ps):
            if p == SH.minCount and int(o) >= 1:
                out.append(lambda v, idx: bool(path(v, idx)))
            elif p == SH.maxCount:
                n = int(o)
                out.append(lambda v, idx, n=n: len(path(v, idx)) <= n)
            elif p == SH.hasValue:
                want = nt(o)
                out.append(lambda v, idx, want=want: want in path(v, idx))
            elif self.is_value_component(p):
                t = self.value(p, o, ps)
                out.append(lambda v, idx, t=t: all(t(x, idx) for x in path(v, idx)))
        return out

    @staticmethod
    def is_value_component(p: Any) -> bool:
        from .fastcheck import _VALUE_COMPONENTS

        return p in _VALUE_COMPONENTS

    def value(self, p: Any, o: Any, shape: Any) -> Test:
        """The test one value node must pass for value component ``p`` with value ``o``."""
        test = self._value(p, o, shape)
        if self.reads_data(p, o):
            return _per_data(test)
        return _pure(test)

    def reads_data(self, p: Any, o: Any) -> bool:
        """Whether value component ``p`` with value ``o`` reads the data (the value's types or
        properties), or depends on the value alone: ``sh:or ( [ sh:datatype … ] … )`` does not,
        and its answers can be kept across sources."""
        from rdflib.collection import Collection
        from rdflib.namespace import SH

        if p == SH["class"]:
            return True
        if p in (SH.node, SH["not"]):
            inner = [o]
        elif p in (SH["or"], SH["and"], SH.xone):
            inner = list(Collection(self.g, o))
        else:
            return False
        for shape in inner:
            for q, v in self.g.predicate_objects(shape):
                if q == SH.property or (self.is_value_component(q) and self.reads_data(q, v)):
                    return True
        return False

    def _value(self, p: Any, o: Any, shape: Any) -> Test:
        from rdflib.collection import Collection
        from rdflib.namespace import SH

        g = self.g
        if p == SH.datatype:
            dt = str(o)
            checked = dt in self.checked

            def datatype(v: Term, idx: Index) -> bool:
                got = literal(v)
                return got is not None and got[1] == dt and (not checked or well_formed(*got))

            return datatype
        if p == SH.nodeKind:
            kinds = {  # first characters of the N-Triples forms: <iri>, _:blank, "literal"
                SH.IRI: "<",
                SH.BlankNode: "_",
                SH.Literal: '"',
                SH.BlankNodeOrIRI: "_<",
                SH.BlankNodeOrLiteral: '_"',
                SH.IRIOrLiteral: '<"',
            }
            if o not in kinds:
                raise Unsupported(f"sh:nodeKind {o}")
            allowed = kinds[o]
            return lambda v, idx: v[0] in allowed
        if p == SH["class"]:
            c = nt(o)
            return lambda v, idx: v[0] != '"' and idx.is_a(v, c)
        if p == SH.node:
            return self.conforms(o)
        if p == SH.pattern:
            flags = str(g.value(shape, SH.flags) or "")
            rx = re.compile(str(o), _flags(flags))
            return lambda v, idx: v[0] != "_" and rx.search(text_of(v)) is not None
        if p == SH["in"]:
            members = frozenset(nt(x) for x in Collection(g, o))
            return lambda v, idx: v in members
        ops = {
            SH.minInclusive: ">=",
            SH.maxInclusive: "<=",
            SH.minExclusive: ">",
            SH.maxExclusive: "<",
        }
        if p in ops:
            bound, op = nt(o), ops[p]
            return lambda v, idx: compare(v, op, bound)
        if p in (SH.minLength, SH.maxLength):
            n, lo = int(o), p == SH.minLength
            return lambda v, idx: v[0] != "_" and (
                len(text_of(v)) >= n if lo else len(text_of(v)) <= n
            )
        if p in (SH["or"], SH["and"], SH.xone):
            parts = [self.conforms(s) for s in Collection(g, o)]
            if p == SH["or"]:
                return lambda v, idx: any(t(v, idx) for t in parts)
            if p == SH["and"]:
                return lambda v, idx: all(t(v, idx) for t in parts)
            return lambda v, idx: sum(1 for t in parts if t(v, idx)) == 1
        if p == SH["not"]:
            inner = self.conforms(o)
            return lambda v, idx: not inner(v, idx)
        raise Unsupported(str(p))


def _pure(test: Test) -> Test:
    """A test that depends on the value only (not on the data), with its answers kept: values
    repeat (units, dates, small numbers), across the sources of an ingest too."""
    seen: dict[Term, bool] = {}

    def cached(v: Term, idx: Index) -> bool:
        got = seen.get(v)
        if got is None:
            if len(seen) > 100_000:
                seen.clear()
            got = seen[v] = test(v, idx)
        return got

    return cached


def _per_data(test: Test) -> Test:
    """A test that reads the data, with its answers kept for the index it ran on (the same
    scheme member or class is tested for many values of one source)."""
    key = id(test)

    def cached(v: Term, idx: Index) -> bool:
        got = idx.memo.get((key, v))
        if got is None:
            got = idx.memo[(key, v)] = test(v, idx)
        return got

    return cached


def _flags(flags: str) -> int:
    out = 0
    for f in flags:
        if f == "i":
            out |= re.IGNORECASE
        elif f == "m":
            out |= re.MULTILINE
        elif f == "s":
            out |= re.DOTALL
        elif f == "x":
            out |= re.VERBOSE
        else:
            raise Unsupported(f"regex flag {f!r}")
    return out
