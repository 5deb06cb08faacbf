"""Our own example reports (always available): facts against their gold files, connections,
validation, and the demo command."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from api.cli import main
from graph.export import connections_rows, facts_rows
from graph.validate import validate
from tests.conftest import EXAMPLES
from tests.helpers import match_facts, read_jsonl

NAMES = sorted(p.stem for p in EXAMPLES.glob("*.txt"))


def test_there_are_examples_from_several_provinces() -> None:
    assert len(NAMES) >= 3


@pytest.mark.parametrize("name", NAMES)
def test_example_facts_match_their_gold(name: str, examples_store) -> None:  # type: ignore[no-untyped-def]
    gold = [g for g in read_jsonl(EXAMPLES / "gold" / f"{name}.facts.jsonl") if not g.get("hard")]
    pred = facts_rows(examples_store, source_id=name)
    hard = [g for g in read_jsonl(EXAMPLES / "gold" / f"{name}.facts.jsonl") if g.get("hard")]
    m = match_facts(gold, pred)
    extras = match_facts(hard, m["extra"])["extra"]
    recall = m["strict"] / len(gold)
    precision = m["strict"] / max(1, len(pred) - (len(m["extra"]) - len(extras)))
    assert recall >= 0.95, [g["surface"] for g in m["missed"]] + [g["surface"] for g, _ in m["partial"]]
    assert precision >= 0.97, [p["surface"] for p in extras]


@pytest.mark.parametrize("name", NAMES)
def test_example_connections_match_their_gold(name: str, examples_store) -> None:  # type: ignore[no-untyped-def]
    gold = read_jsonl(EXAMPLES / "gold" / f"{name}.connections.jsonl")
    rows = connections_rows(examples_store, source_id=name)
    got_named = {(r["from"], r["to"], r["status"]) for r in rows if r["count"] is None and r["level"] is None}
    got_grouped = {(r["from"], r["count"], r["level"], r["status"]) for r in rows if r["count"] is not None}
    for g in gold:
        if g["to"] is not None:
            assert (g["from"], g["to"], g["status"]) in got_named, g
        elif g["count"] is not None:
            assert (g["from"], g["count"], g["level"], g["status"]) in got_grouped, g


def test_examples_validate_clean(examples_store) -> None:  # type: ignore[no-untyped-def]
    report = validate(examples_store)
    assert report.conforms, report.to_text()


def test_demo_builds_validates_and_summarises(tmp_path: Path) -> None:
    res = CliRunner().invoke(main, ["demo", "--no-serve", "--store", str(tmp_path / "demo")],
                             catch_exceptions=False)
    assert res.exit_code == 0, res.stderr
    assert "validation: conforms: yes" in res.stdout
    for name in NAMES:
        assert name in res.stdout
