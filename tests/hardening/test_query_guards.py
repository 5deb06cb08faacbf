"""The query endpoint is read-only and never calls out (issue 7, item 1).

Updates of every kind are refused and leave the store unchanged; ``SERVICE`` reaches a
loopback listener only when that listener is allow-listed. The listener proves it: when a query
names it without being allowed, it receives *nothing* — including for spellings crafted to slip
past a text-based guard, which pyoxigraph itself shows would otherwise connect.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from api.routes.errors import ServiceRefused, UpdateRefused
from api.routes.evaluate import FormatChoice, QueryJob, execute
from api.routes.protocol import check_read_only, check_services, service_word_probe
from graph.errors import QuerySyntaxError
from graph.store import Store
from ontology import PREFIXES
from tests.api.api_testkit import TestClient, load_fixture_store
from tests.hardening.kit import LONG, Listener, listening

UPDATES = [
    "LOAD <{url}>",
    "LOAD SILENT <{url}> INTO GRAPH <http://e/g>",
    "INSERT DATA {{ GRAPH <http://e/g> {{ <http://e/a> <http://e/b> <http://e/c> }} }}",
    "DELETE DATA {{ GRAPH <https://w3id.org/reformkg/graph/reference> {{ ?s ?p ?o }} }}",
    "DELETE WHERE {{ ?s ?p ?o }}",
    "PREFIX ex: <http://e/>\n# comment\nINSERT {{ ex:a ex:b ?o }} WHERE {{ ?s ?p ?o }}",
    "WITH <http://e/g> DELETE {{ ?s ?p ?o }} WHERE {{ ?s ?p ?o }}",
    "CLEAR ALL",
    "CLEAR SILENT DEFAULT",
    "DROP ALL",
    "DROP GRAPH <https://w3id.org/reformkg/graph/reference>",
    "CREATE GRAPH <http://e/g>",
    "ADD DEFAULT TO <http://e/g>",
    "MOVE DEFAULT TO <http://e/g>",
    "COPY <https://w3id.org/reformkg/graph/reference> TO DEFAULT",
    "insert data {{ <http://e/a> <http://e/b> 'x' }}",
]


def _send_all(client: TestClient, text: str) -> list[int]:
    """The same text as a query (GET, POST form, POST direct) and as an update (three ways)."""
    return [r.status_code for r in (
        client.get("/sparql", params={"query": text}),
        client.post("/sparql", data={"query": text}),
        client.post("/sparql", content=text.encode(),
                    headers={"Content-Type": "application/sparql-query"}),
        client.get("/sparql", params={"update": text}),
        client.post("/sparql", data={"update": text}),
        client.post("/sparql", content=text.encode(),
                    headers={"Content-Type": "application/sparql-update"}),
    )]


@pytest.mark.parametrize("update", UPDATES)
def test_updates_are_refused_and_change_nothing(update: str,
                                                make_client: Callable[..., TestClient]) -> None:
    store = load_fixture_store()
    before = store._ox.dump(format=ox.RdfFormat.N_QUADS)
    client = make_client(store)
    with listening() as listener:
        statuses = _send_all(client, update.format(url=listener.url))
        assert statuses == [403] * 6
        assert listener.settle() == 0, "LOAD reached the network"
    assert store._ox.dump(format=ox.RdfFormat.N_QUADS) == before


def test_updates_are_refused_in_worker_processes(isolated_client: TestClient,
                                                 examples_ro: Store) -> None:
    before = examples_ro.quad_count()
    for update in ("CLEAR ALL", "DROP ALL", "INSERT DATA { <http://e/a> <http://e/b> 1 }"):
        assert set(_send_all(isolated_client, update)) == {403}
    assert examples_ro.quad_count() == before


# -- SERVICE ----------------------------------------------------------------------------------
# Spellings crafted against text-based guards. Each one really calls out when run unguarded
# (test_the_crafted_queries_would_connect_unguarded), which shows the refusal is not vacuous.
CRAFTED = {
    # the IRI spelled with \u escapes (pyoxigraph decodes them)
    "escaped-iri": "ASK {{ SERVICE <{url_escaped}> {{ }} }}",
    # a prefixed name with an escaped '#': a naive lexer takes the rest of the line for a
    # comment and misses the SERVICE (a real bypass of the first guard, found in issue 7)
    "escaped-hash": "PREFIX ex: <http://e/>\n"
                    "ASK {{ {{ ?s ex:a\\#b ?o }} UNION {{ SERVICE <{url}> {{ }} }} }}",
    # the same with escaped quotes opening a "string" that never was one
    "escaped-quote": "PREFIX ex: <http://e/>\nSELECT * {{ {{ ?s ex:a\\'b ?o }} UNION "
                     "{{ SERVICE <{url}> {{ }} }} }} # ex:c\\'d",
    # a string holding an escaped quote: the string ends where pyoxigraph says
    "unicode-quote": "ASK {{ BIND(\"a\\u0022\" AS ?x) SERVICE <{url}> {{ }} }}",
    # the keyword glued to a prefixed name with the empty prefix
    "glued-prefix": "PREFIX : <{base}>\nASK {{ SERVICE:sparql {{ }} }}",
    # an allowed-looking prefix redeclared to point elsewhere
    "redeclared-prefix": "PREFIX e: <http://allowed.example/>\nPREFIX e: <{base}>\n"
                         "ASK {{ SERVICE e:sparql {{ }} }}",
}

# Each runs SERVICE early, so pyoxigraph would call the endpoint if the query got through.
REFUSED = [
    "SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
    "SELECT * WHERE {{ SERVICE SILENT <{url}> {{ ?s ?p ?o }} }}",
    "select * where {{ service <{url}> {{ ?s ?p ?o }} }}",
    "ASK {{ SeRvIcE <{url}> {{ }} }}",
    "PREFIX e: <{url}>\nASK {{ SERVICE e: {{ }} }}",
    "PREFIX e: <{base}>\nASK {{ SERVICE e:sparql {{ }} }}",
    "BASE <{base}>\nASK {{ SERVICE <sparql> {{ }} }}",
    "ASK {{ BIND(<{url}> AS ?e) SERVICE ?e {{ }} }}",
    "ASK {{ SERVICE\t#comment\n<{url}> {{ }} }}",
    "SELECT * {{ {{ SELECT * {{ SERVICE <{url}> {{ ?s ?p ?o }} }} }} }}",
    "ASK {{ OPTIONAL {{ SERVICE <{url}> {{ ?s ?p ?o }} }} }}",
    "CONSTRUCT {{ ?s ?p ?o }} WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
    "DESCRIBE ?s WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
    *CRAFTED.values(),
]


def _fill(template: str, listener: Listener) -> str:
    url = listener.url
    escaped = url.replace("1", "\\u0031", 1)
    return template.format(url=url, base=url.rsplit("/", 1)[0] + "/", url_escaped=escaped)


@pytest.mark.parametrize("template", REFUSED)
def test_service_is_refused_and_nothing_leaves(template: str, isolated_client: TestClient) -> None:
    with listening() as listener:
        query = _fill(template, listener)
        for response in (isolated_client.get("/sparql", params={"query": query}),
                         isolated_client.post("/sparql", data={"query": query})):
            assert response.status_code == 403, response.text
            assert response.json()["type"] == "ServiceRefused"
        assert listener.settle() == 0, f"the listener was called: {listener.connections[:1]}"


# Refused because the parser probe cannot read them; the answer may name the syntax error.
UNPARSEABLE = [
    # "SERVICE:" is a declared prefix here, yet pyoxigraph reads the keyword and calls
    "PREFIX SERVICE: <http://e/>\nPREFIX : <{base}>\nASK {{ SERVICE:sparql {{ }} }}",
]


@pytest.mark.parametrize("template", UNPARSEABLE)
def test_unparseable_service_spellings_are_never_run(template: str,
                                                     isolated_client: TestClient) -> None:
    with listening() as listener:
        query = _fill(template, listener)
        r = isolated_client.get("/sparql", params={"query": query})
        assert r.status_code in (400, 403), r.text
        assert r.json()["type"] in ("ServiceRefused", "QuerySyntaxError")
        assert listener.settle() == 0


@pytest.mark.parametrize("template", [*CRAFTED.values(), *UNPARSEABLE],
                         ids=[*CRAFTED, "declared-service-prefix"])
def test_the_crafted_queries_would_connect_unguarded(template: str) -> None:
    """Proof that the refused spellings are real: pyoxigraph, unguarded, calls the listener."""
    store = Store(None)  # one quad that no left-hand pattern matches: ASK must try SERVICE
    store._ox.add(ox.Quad(ox.NamedNode("http://e/s"), ox.NamedNode("http://e/other"),
                          ox.NamedNode("http://e/o"), ox.NamedNode("http://e/g")))
    with listening() as listener:
        query = _fill(template, listener)
        try:
            result = store._ox.query(query, use_default_graph_as_union=True)
            list(result) if not isinstance(result, ox.QueryBoolean) else bool(result)
        except OSError:
            pass  # the listener closes without an answer
        assert listener.settle() >= 1


def test_allow_listed_service_is_called(examples_ro: Store,
                                        make_client: Callable[..., TestClient]) -> None:
    with listening("sparql") as listener:
        for mode in ("thread", "process"):
            client = make_client(examples_ro, query_isolation=mode,
                                 service_allowlist=[listener.url])
            query = f"SELECT ?x WHERE {{ SERVICE <{listener.url}> {{ ?x ?p ?o }} }}"
            r = client.get("/sparql", params={"query": query},
                           headers={"Accept": "application/sparql-results+json"})
            assert r.status_code == 200, r.text
            assert [b["x"]["value"] for b in r.json()["results"]["bindings"]] == ["from-listener"]
        assert len(listener.connections) == 2
        assert listener.connections[0].startswith(b"POST /sparql")
        # allowed in one spelling only: another endpoint on the same host is still refused
        client = make_client(examples_ro, service_allowlist=[listener.url])
        other = listener.url + "2"
        r = client.get("/sparql", params={"query": f"ASK {{ SERVICE <{other}> {{ }} }}"})
        assert r.status_code == 403
        assert listener.settle() == 2


NOT_SERVICE = [
    'SELECT ("SERVICE <http://127.0.0.1:1/>" AS ?x) {}',
    "SELECT ?service WHERE { VALUES ?service { 1 } }",
    "PREFIX cpsv: <http://purl.org/vocab/cpsv#>\nASK { ?s a cpsv:PublicService }",
    "# SERVICE <http://127.0.0.1:1/> in a comment\nASK {}",
    "PREFIX service: <http://e/service/>\nASK { ?s service:x ?o }",
    "ASK { ?s ?p <http://example.org/service/1> }",
    'SELECT ("""a " SERVICE <x> "" b""" AS ?x) {}',
]


@pytest.mark.parametrize("query", NOT_SERVICE)
def test_the_word_service_elsewhere_is_fine(query: str, isolated_client: TestClient) -> None:
    r = isolated_client.get("/sparql", params={"query": query})
    assert r.status_code == 200, r.text


def test_a_broken_query_mentioning_service_is_a_syntax_error(isolated_client: TestClient) -> None:
    r = isolated_client.get("/sparql", params={"query": "SELECT ?service { ?service ?p }"})
    assert r.status_code == 400 and r.json()["type"] == "QuerySyntaxError", r.text


# -- differential fuzzing of the guard ------------------------------------------------------
# Random queries put pieces side by side in a group graph pattern: "inert" pieces carry the
# word SERVICE and the listener's IRI inside strings, comments, IRIs and names; "active" pieces
# are SERVICE calls spelled in ways that have confused text-based guards. Properties: a query
# with an active piece is always refused (and pyoxigraph, unguarded, would call); a query of
# inert pieces only is always answered and calls nobody.

_INERT = [
    'BIND("SERVICE <{u}> {{ }}" AS ?a{i})',
    "BIND('SERVICE <{u}>' AS ?a{i})",
    'BIND("""x\nSERVICE <{u}> {{ }}\n""" AS ?a{i})',
    "# SERVICE <{u}> {{ }}\n",
    "BIND(<http://e/SERVICE/x> AS ?a{i})",
    'BIND("a\\u0022 SERVICE <{u}>" AS ?a{i})',
    "OPTIONAL {{ ?s ex:service ?a{i} }}",
    "OPTIONAL {{ ?service{i} ex:a\\#b ?o }}",
    "OPTIONAL {{ ?s ex:a\\'b ?a{i} }}",
    "BIND('it\\'s # SERVICE' AS ?a{i})",
]
_ACTIVE = [  # OPTIONAL: evaluated for the first row even by ASK, so pyoxigraph would call
    "OPTIONAL {{ SERVICE <{u}> {{ ?x{i} ?y ?z }} }}",
    "OPTIONAL {{ SERVICE SILENT <{u}> {{ ?x{i} ?y ?z }} }}",
    "OPTIONAL {{ sErViCe <{u}> {{ ?x{i} ?y ?z }} }}",
    "OPTIONAL {{ SERVICE#c\n<{u}> {{ ?x{i} ?y ?z }} }}",
    "OPTIONAL {{ SERVICE <{ue}> {{ ?x{i} ?y ?z }} }}",
    "OPTIONAL {{ SERVICE e:sparql {{ ?x{i} ?y ?z }} }}",
    "OPTIONAL {{ SERVICE\t<{u}>{{ ?x{i} ?y ?z }} }}",
    "OPTIONAL {{ SELECT * {{ SERVICE <{u}> {{ ?x{i} ?y ?z }} }} }}",
    "OPTIONAL {{ {{ ?s ex:a\\#b ?o }} UNION {{ SERVICE <{u}> {{ ?x{i} ?y ?z }} }} }}",
    "OPTIONAL {{ {{ ?s ex:a\\'b ?o }} UNION {{ SERVICE <{u}> {{ ?x{i} ?y ?z }} }} }} # '\n",
]


def _guard_passes(query: str, store: Store) -> bool:
    """The endpoint's guards: lexical checks, then the parser probe (in the worker)."""
    try:
        check_read_only(query)
        kept = check_services(query, [], PREFIXES)
        probe = service_word_probe(query, kept)
        if probe is not None:
            execute(store, QueryJob("ASK {}", FormatChoice(), probe=probe))
    except (UpdateRefused, ServiceRefused, QuerySyntaxError):
        return False
    return True


def _run_unguarded(store: Store, query: str) -> None:
    try:
        result = store._ox.query(query, use_default_graph_as_union=True)
        list(result) if not isinstance(result, ox.QueryBoolean) else bool(result)
    except (SyntaxError, OSError):
        pass


@settings(max_examples=1000 if LONG else 120, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(
    inert=st.lists(st.sampled_from(_INERT), max_size=4),
    active=st.lists(st.sampled_from(_ACTIVE), max_size=2),
    form=st.sampled_from(["ASK {{ {body} }}", "SELECT * {{ {body} }}",
                          "CONSTRUCT {{ ?s ?p ?o }} WHERE {{ {body} }}"]),
    order=st.randoms(use_true_random=False),
)
def test_guard_refuses_every_call_and_nothing_else(inert: list[str], active: list[str],
                                                   form: str, order: Any) -> None:
    listener, store = _LISTENER, _STATE["store"]
    url = listener.url
    escaped = url.replace("1", "\\u0031", 1)
    pieces = ["?s ?p ?o ."]
    for i, piece in enumerate([*inert, *active]):
        pieces.append(piece.format(u=url, ue=escaped, i=i))
    order.shuffle(pieces)
    query = ("PREFIX ex: <http://e/>\nPREFIX e: <" + url.rsplit("/", 1)[0] + "/>\n"
             + form.format(body=" ".join(pieces)))
    before = len(listener.connections)
    passed = _guard_passes(query, store)
    if active:
        assert not passed, f"a SERVICE call was not refused: {query!r}"
        _run_unguarded(store, query)
        assert len(listener.connections) > before, f"the generator made a dud: {query!r}"
    else:
        assert passed, f"refused a query that calls nobody: {query!r}"
        _run_unguarded(store, query)
        # The listener records a call before it hangs up, and pyoxigraph waits for the hang-up.
        assert len(listener.connections) == before, f"an inert query called out: {query!r}"


_LISTENER = Listener()
_STATE: dict[str, Any] = {}


def setup_module() -> None:
    _LISTENER.start()
    store = Store(None)
    store._ox.add(ox.Quad(ox.NamedNode("http://e/s"), ox.NamedNode("http://e/p"),
                          ox.NamedNode("http://e/o"), ox.NamedNode("http://e/g")))
    _STATE["store"] = store


def teardown_module() -> None:
    _LISTENER.stop()
    _STATE.clear()
