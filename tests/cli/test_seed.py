"""The seed contract (DESIGN.md §6): the real article through `reformkg ingest` gives exactly
its 35 facts and 7 connections, validates clean, and flags its inconsistencies when altered.

The article is third-party text: it is read from ../shared/seed and these tests skip with a
reason when that folder is absent.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from api.cli import main
from tests.conftest import SEED_DIR
from tests.helpers import match_facts, parse_jsonl, read_jsonl


def run(*args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


@pytest.fixture(scope="module")
def seed_dir(tmp_path_factory: pytest.TempPathFactory, seed_text: Path) -> Path:
    store = tmp_path_factory.mktemp("seedcli") / "store"
    res = run("ingest", "--quiet", "--store", str(store), str(seed_text))
    assert res.exit_code == 0, res.stderr
    return store


def test_seed_facts_are_exactly_the_gold(seed_dir: Path) -> None:
    res = run("facts", "--store", str(seed_dir), "--format", "jsonl")
    assert res.exit_code == 0
    pred = parse_jsonl(res.stdout)
    gold = read_jsonl(SEED_DIR / "facts.jsonl")
    easy = [g for g in gold if not g.get("hard")]
    m = match_facts(easy, pred)
    assert m["missed"] == [] and m["partial"] == []
    assert m["strict"] == len(easy) == 35
    # nothing else but the two "2 con số" targets (welcome, marked hard in the gold)
    hard = match_facts([g for g in gold if g.get("hard")], m["extra"])
    assert hard["extra"] == []
    text = (SEED_DIR / "vinhphuc-2025q1.txt").read_text(encoding="utf-8")
    for p in pred:
        assert text[p["start"]:p["end"]] == p["surface"]
        assert p["surface"] in p["sentence"]


def test_seed_fact_columns_are_the_contract(seed_dir: Path) -> None:
    res = run("facts", "--store", str(seed_dir), "--format", "jsonl")
    row = parse_jsonl(res.stdout)[0]
    assert list(row) == ["source", "source_id", "value", "unit", "kind", "qualifier", "indicator",
                         "indicator_label", "subject", "subject_label", "place", "period", "surface",
                         "start", "end", "sentence"]
    assert row["source_id"] == "vinhphuc-2025q1"


def test_seed_connections(seed_dir: Path) -> None:
    res = run("connections", "--store", str(seed_dir), "--format", "jsonl")
    rows = parse_jsonl(res.stdout)
    base = "https://w3id.org/reformkg/id/system/"
    named = {(r["from"], r["to"], r["status"]) for r in rows if r["count"] is None and r["level"] is None}
    assert (base + "vinh-phuc/public-service-portal", base + "national-public-service-portal", "operational") in named
    assert (base + "vinh-phuc/local-data-exchange-platform", base + "national-document-exchange", "operational") in named
    assert (base + "vinh-phuc/local-data-exchange-platform", base + "national-payment-platform", "operational") in named
    assert (base + "vinh-phuc/tthc-information-system", base + "national-tthc-database", "operational") in named
    assert (base + "vinh-phuc/tthc-information-system", base + "national-population-database", "planned") in named
    grouped = {(r["count"], r["level"]) for r in rows if r["from"] == base + "vinh-phuc/tthc-information-system"
               and r["count"] is not None}
    assert grouped == {(23, None), (12, "national"), (8, "provincial"), (3, "other")}
    planned_lgsp = [r for r in rows if r["from"].endswith("local-data-exchange-platform") and r["status"] == "planned"]
    assert len(planned_lgsp) == 1 and planned_lgsp[0]["level"] == "national"


def test_seed_validates_clean(seed_dir: Path) -> None:
    res = run("validate", "--store", str(seed_dir), "--format", "json")
    report = json.loads(res.stdout)
    assert res.exit_code == 0, res.stdout
    assert report["conforms"] and report["findings"] == []


def test_ingesting_twice_changes_nothing(tmp_path: Path, seed_text: Path) -> None:
    store = tmp_path / "s"
    first = run("ingest", "-q", "--store", str(store), str(seed_text))
    dump1 = run("query", "--store", str(store), "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }", "--format", "csv")
    second = run("ingest", "-q", "--store", str(store), str(seed_text))
    dump2 = run("query", "--store", str(store), "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }", "--format", "csv")
    assert first.exit_code == second.exit_code == 0
    assert "(1 unchanged)" in second.stdout
    assert dump1.stdout == dump2.stdout


def test_altered_seed_gives_one_warning_per_inconsistency(tmp_path: Path, seed_text: Path) -> None:
    text = seed_text.read_text(encoding="utf-8")
    for old, new in (("thêm mới 91", "thêm mới 92"), ("đạt 28,13%", "đạt 38,13%"), ("gồm 12 hệ thống", "gồm 13 hệ thống")):
        assert text.count(old) == 1
        text = text.replace(old, new)
    altered = tmp_path / "altered.txt"
    altered.write_text(text, encoding="utf-8")
    store = tmp_path / "s"
    assert run("ingest", "-q", "--store", str(store), str(altered)).exit_code == 0
    res = run("validate", "--store", str(store), "--format", "json")
    assert res.exit_code == 1
    report = json.loads(res.stdout)
    warnings = [f for f in report["findings"] if f["severity"] == "Warning"]
    assert report["violations"] == 0 and len(warnings) == 3
    surfaces = sorted(f["surface"] for f in warnings)
    assert surfaces == sorted(["657", "38,13%", "23"])
    for f in warnings:
        assert f["sentence"] and f["surface"] in f["sentence"] and f["source_id"] == "altered"
