"""SPARQL 1.1 Protocol helpers: result formats, ``Accept`` negotiation, read-only guards.

The guards work on the query text with strings, comments and IRIs lexed out, so a literal
``"DELETE"`` or a comment mentioning ``SERVICE`` does not trigger them. They run before the
query reaches pyoxigraph (whose ``query`` cannot execute updates anyway: it only parses
queries), so their job is to give a clear 403 instead of a confusing syntax error, and to stop
``SERVICE`` calls that pyoxigraph *would* make over HTTP.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import pyoxigraph as ox

from .errors import NotAcceptable, ServiceRefused, UpdateRefused

__all__ = [
    "GRAPH_FORMATS",
    "SOLUTION_FORMATS",
    "ResultFormat",
    "check_read_only",
    "check_services",
    "choose_format",
    "parse_accept",
    "prefixes_for",
    "service_word_probe",
    "syntax_error_offset",
]

Kind = Literal["solutions", "graph"]


@dataclass(frozen=True, slots=True)
class ResultFormat:
    """One serialization the endpoint offers.

    Attributes:
        name: the short name accepted by ``format=`` (``json``, ``turtle``, …).
        media_type: the media type answered in ``Content-Type``.
        kind: ``solutions`` (SELECT/ASK) or ``graph`` (CONSTRUCT/DESCRIBE).
        ox_format: the pyoxigraph format that writes it.
        aliases: other media types that select it when named exactly in ``Accept``.
        names: other ``format=`` names (SPARQLWrapper sends ``format=json`` etc.).
    """

    name: str
    media_type: str
    kind: Kind
    ox_format: ox.QueryResultsFormat | ox.RdfFormat
    aliases: tuple[str, ...] = ()
    names: tuple[str, ...] = ()

    @property
    def results_format(self) -> ox.QueryResultsFormat:
        """The pyoxigraph results format (SELECT/ASK offers only)."""
        assert isinstance(self.ox_format, ox.QueryResultsFormat), self.name
        return self.ox_format

    @property
    def rdf_format(self) -> ox.RdfFormat:
        """The pyoxigraph RDF format (CONSTRUCT/DESCRIBE offers only)."""
        assert isinstance(self.ox_format, ox.RdfFormat), self.name
        return self.ox_format

    @property
    def content_type(self) -> str:
        textual = self.media_type.startswith("text/")
        return f"{self.media_type}; charset=utf-8" if textual else self.media_type


SOLUTION_FORMATS: tuple[ResultFormat, ...] = (
    ResultFormat("json", "application/sparql-results+json", "solutions",
                 ox.QueryResultsFormat.JSON, ("application/json",), ("srj",)),
    ResultFormat("xml", "application/sparql-results+xml", "solutions",
                 ox.QueryResultsFormat.XML, ("application/xml", "text/xml"), ("srx",)),
    ResultFormat("csv", "text/csv", "solutions", ox.QueryResultsFormat.CSV),
    ResultFormat("tsv", "text/tab-separated-values", "solutions", ox.QueryResultsFormat.TSV),
)

GRAPH_FORMATS: tuple[ResultFormat, ...] = (
    ResultFormat("turtle", "text/turtle", "graph", ox.RdfFormat.TURTLE,
                 ("application/x-turtle",), ("ttl", "n3")),
    ResultFormat("ntriples", "application/n-triples", "graph", ox.RdfFormat.N_TRIPLES,
                 ("text/plain",), ("nt", "n-triples")),
    ResultFormat("jsonld", "application/ld+json", "graph", ox.RdfFormat.JSON_LD,
                 ("application/json",), ("json-ld", "json")),
    ResultFormat("rdfxml", "application/rdf+xml", "graph", ox.RdfFormat.RDF_XML,
                 ("application/xml", "text/xml"), ("rdf+xml", "rdf", "xml")),
)


_PREFIX_FORMATS = (ox.RdfFormat.TURTLE, ox.RdfFormat.RDF_XML, ox.RdfFormat.JSON_LD)


def prefixes_for(fmt: ResultFormat, prefixes: Mapping[str, str]) -> dict[str, str] | None:
    """``prefixes`` when ``fmt`` can abbreviate IRIs with them, else None."""
    return dict(prefixes) if fmt.ox_format in _PREFIX_FORMATS else None


# -- content negotiation -------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class _Range:
    type: str
    subtype: str
    q: float
    index: int

    def specificity(self, media_type: str, aliases: Iterable[str]) -> int | None:
        """2 exact (or alias), 1 ``type/*``, 0 ``*/*``, None no match."""
        full = f"{self.type}/{self.subtype}"
        if full == media_type or full in aliases:
            return 2
        if self.subtype == "*" and self.type == "*":
            return 0
        if self.subtype == "*" and media_type.split("/", 1)[0] == self.type:
            return 1
        return None


def parse_accept(header: str) -> list[_Range]:
    """Media ranges of an ``Accept`` header, with q-values (RFC 9110 §12.5.1).

    >>> [(r.type, r.subtype, r.q) for r in parse_accept("text/csv;q=0.5, application/*")]
    [('text', 'csv', 0.5), ('application', '*', 1.0)]
    """
    ranges: list[_Range] = []
    for index, part in enumerate(header.split(",")):
        pieces = [p.strip() for p in part.split(";")]
        if not pieces[0] or "/" not in pieces[0]:
            continue
        mtype, _, subtype = pieces[0].lower().partition("/")
        q = 1.0
        for param in pieces[1:]:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = min(max(float(value.strip()), 0.0), 1.0)
                except ValueError:
                    q = 0.0
        ranges.append(_Range(mtype.strip(), subtype.strip(), q, index))
    return ranges


def choose_format(
    accept: str | None, format_param: str | None, offers: Sequence[ResultFormat]
) -> ResultFormat:
    """Pick the offer the client prefers.

    ``format_param`` (a short name or a media type) overrides ``Accept``. Within ``Accept``
    the most specific matching range gives an offer its q-value; among equal q-values an
    exactly named type beats a wildcard, then the client's order, then the server's (the
    order of ``offers``; the first is the default for ``*/*`` or no ``Accept``).

    Raises:
        NotAcceptable: nothing acceptable is offered; the message lists what is.

    >>> choose_format("text/csv;q=0.4, application/sparql-results+xml", None, SOLUTION_FORMATS).name
    'xml'
    >>> choose_format(None, "tsv", SOLUTION_FORMATS).media_type
    'text/tab-separated-values'
    """
    supported = [o.media_type for o in offers]
    if format_param:
        wanted = format_param.strip().lower()
        for offer in offers:
            if wanted in (offer.name, *offer.names, offer.media_type, *offer.aliases):
                return offer
        raise NotAcceptable(format_param, supported)
    if accept is None or not accept.strip():
        return offers[0]
    ranges = parse_accept(accept)
    if not ranges:
        return offers[0]
    best: tuple[tuple[float, int, int, int], ResultFormat] | None = None
    for position, offer in enumerate(offers):
        matches = [
            (spec, r) for r in ranges
            if (spec := r.specificity(offer.media_type, offer.aliases)) is not None
        ]
        if not matches:
            continue
        spec, rng = max(matches, key=lambda m: (m[0], -m[1].index))
        if rng.q <= 0:
            continue
        key = (rng.q, spec, -rng.index, -position)
        if best is None or key > best[0]:
            best = (key, offer)
    if best is None:
        raise NotAcceptable(accept, supported)
    return best[1]


# -- read-only guards ----------------------------------------------------------------------
# The lexer follows the SPARQL 1.1 terminals closely enough that it never mistakes code for a
# comment or a string (issue 7): strings take ECHAR and \u/\U escapes (pyoxigraph reads
# "a\u0022" as one string), IRIs take \u/\U escapes, and a backslash escape outside them
# (prefixed names such as ``ex:a\#b`` or ``ex:a\'b``) is consumed whole, so its ``#`` or ``'``
# does not open a comment or a string that would hide a ``SERVICE`` behind it.
_ESC = r"""\\(?:[tbnrf\\"']|u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8})"""
_LEX = re.compile(
    r"""
      (?P<comment>\#[^\n\r]*)
    | (?P<string>\"\"\"(?:(?:"|"")?(?:[^"\\]|ESC))*\"\"\"
               | '''(?:(?:'|'')?(?:[^'\\]|ESC))*'''
               | "(?:[^"\\\n\r]|ESC)*"
               | '(?:[^'\\\n\r]|ESC)*')
    | (?P<iri><(?:[^<>"{}|^`\\\x00-\x20]|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8})*>)
    | (?P<escape>\\.)
    """.replace("ESC", _ESC),
    re.VERBOSE | re.DOTALL,
)
_UPDATE = re.compile(
    r"""^\s*(?:(?:PREFIX\s+[^\s:]*:\s*<[^>]*>|BASE\s*<[^>]*>)\s*)*
        (INSERT|DELETE|LOAD|CLEAR|DROP|CREATE|ADD|MOVE|COPY|WITH)\b""",
    re.IGNORECASE | re.VERBOSE,
)
_PREFIX_DECL = re.compile(r"PREFIX\s+([^\s:]*):\s*<([^>]*)>", re.IGNORECASE)
_SERVICE = re.compile(r"(?<![\w:?$])SERVICE\b", re.IGNORECASE)
_SERVICE_TARGET = re.compile(
    r"(?:\s+SILENT\b)?\s*(<[^>]*>|[?$]\w+|[^\s{}]*:[^\s{}]*)?", re.IGNORECASE
)
#: Every spelling pyoxigraph could read as the keyword. pyoxigraph matches keywords in ASCII
#: only; this search is wider on purpose (Unicode case folding, no word boundaries).
_SERVICE_WORD = re.compile(r"servic(e)", re.IGNORECASE)
_ERROR_AT = re.compile(r"error at (\d+):(\d+)")


def _mask(query: str, *, iris: bool = False) -> str:
    """The query with comments and string literals (and IRIs, with ``iris``) blanked out.

    Blanks keep every offset, so a match in one masked text points into the others.
    """
    hidden = ("comment", "string", "iri") if iris else ("comment", "string")

    def blank(m: re.Match[str]) -> str:
        return " " * len(m.group(0)) if m.lastgroup in hidden else m.group(0)

    return _LEX.sub(blank, query)


def check_read_only(query: str) -> None:
    """Refuse a SPARQL Update sent as a query.

    pyoxigraph's ``query`` parses queries only, so an update could not run anyway; this turns
    its confusing syntax error into a clear 403.

    Raises:
        UpdateRefused: the text starts (after prologue) with an update operation.

    >>> check_read_only("SELECT * { ?s ?p 'DELETE' }")
    >>> try:
    ...     check_read_only("PREFIX ex: <http://e/> INSERT DATA { ex:a ex:b ex:c }")
    ... except UpdateRefused as exc:
    ...     print(exc.status, exc.message.split(":")[0])
    403 SPARQL Update (INSERT) refused
    """
    m = _UPDATE.match(_mask(query))
    if m:
        raise UpdateRefused(f"SPARQL Update ({m.group(1).upper()})")


def check_services(
    query: str, allowlist: Sequence[str], prefixes: Mapping[str, str] | None = None
) -> list[int]:
    """Refuse ``SERVICE`` to endpoints outside ``allowlist``.

    Prefixed names are expanded with the query's own ``PREFIX`` lines and ``prefixes`` (the
    store's defaults); a prefix the query declares twice with different IRIs is not trusted.
    A variable endpoint (``SERVICE ?e``) is always refused. An IRI written with ``\\u``
    escapes is compared as written, so it is refused unless allow-listed in that spelling.

    Returns:
        The character offsets of the allowed ``SERVICE`` keywords (for
        :func:`service_word_probe`).

    Raises:
        ServiceRefused: a ``SERVICE`` target is not allow-listed.

    >>> check_services("SELECT * { ?s ?p 'SERVICE <http://e/>' }", [])
    []
    >>> check_services("SELECT * { SERVICE <http://e/> { ?s ?p ?o } }", ["http://e/"])
    [11]
    """
    masked = _mask(query)
    declared: dict[str, set[str]] = {p: {ns} for p, ns in (prefixes or {}).items()}
    own: dict[str, set[str]] = {}
    for p, namespace in _PREFIX_DECL.findall(masked):
        own.setdefault(p, set()).add(namespace)
    declared.update(own)
    kept: list[int] = []
    for m in _SERVICE.finditer(_mask(query, iris=True)):  # not inside IRIs: <http://e/service>
        word_end = m.end()
        if masked[word_end : word_end + 1] == ":" and masked[m.start() : word_end] in own:
            # ``service:x`` with a declared prefix ``service``: a name, not the keyword
            # (``SERVICE:x`` without one *is* the keyword; the parser probe checks both).
            continue
        found = _SERVICE_TARGET.match(masked, word_end)
        target = (found.group(1) if found else None) or "(no endpoint)"
        iri: str | None = None
        if target.startswith("<"):
            iri = target[1:-1]
        elif ":" in target and not target.startswith(("?", "$")):
            prefix, _, local = target.partition(":")
            namespaces = declared.get(prefix, set())
            if len(namespaces) == 1:
                iri = next(iter(namespaces)) + local
        if iri is None or iri not in allowlist:
            raise ServiceRefused(f"<{iri}>" if iri else target, allowlist)
        kept.append(m.start())
    return kept


def service_word_probe(
    query: str, keep: Sequence[int] = ()
) -> tuple[str, list[tuple[int, int]]] | None:
    """The query with every other spelling of ``service`` made unreadable as a keyword.

    The second, independent half of the ``SERVICE`` guard (issue 7): the lexer above could
    misjudge some exotic text, pyoxigraph's own parser cannot. Each ``service`` (any case) that
    is not an allowed keyword at an offset in ``keep`` becomes ``servicx``. In a string,
    comment, IRI, variable or prefixed name this changes nothing about whether the query parses
    (names change consistently); in keyword position it is a syntax error. So when the probe
    parses, the query has no other ``SERVICE`` keyword and cannot call any other endpoint.

    Returns:
        ``(probe text, [(start, end) of each changed word])``, or None when the query has no
        other ``service`` word (nearly every query: nothing to check).

    >>> service_word_probe("SELECT ?service { ?service a ?c }")
    ('SELECT ?servicx { ?servicx a ?c }', [(8, 15), (19, 26)])
    >>> service_word_probe("ASK {}") is None
    True
    """
    kept = set(keep)
    spans: list[tuple[int, int]] = []
    out: list[str] = []
    last = 0
    for m in _SERVICE_WORD.finditer(query):
        if m.start() in kept:
            continue
        spans.append((m.start(), m.end()))
        out.append(query[last : m.start(1)])
        out.append("x")
        last = m.end(1)
    if not spans:
        return None
    out.append(query[last:])
    return "".join(out), spans


def syntax_error_offset(message: str, text: str) -> int | None:
    """The character offset a pyoxigraph ``SyntaxError`` points at (``error at LINE:COLUMN``).

    >>> syntax_error_offset("error at 2:3: expected x", "ab\\ncdef")
    5
    """
    m = _ERROR_AT.search(message)
    if m is None:
        return None
    line, column = int(m.group(1)), int(m.group(2))
    lines = text.split("\n")
    if not 1 <= line <= len(lines):
        return None
    return sum(len(x) + 1 for x in lines[: line - 1]) + column - 1
