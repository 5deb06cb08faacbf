"""The corpus generator (bench/generate.py): its known facts come out of the extractor.

A quick stress test of extraction on generated reports, scored with bench/extraction.py's
``match_facts`` (value and span; strict when unit, qualifier and period agree).
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType

from ingest.pipeline import build
from ingest.read import read_record

BENCH = Path(__file__).resolve().parents[2] / "bench"


def _module(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"bench_{name}", BENCH / f"{name}.py")
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod
    spec.loader.exec_module(mod)
    return mod


generate = _module("generate")
extraction = _module("extraction")


def test_known_facts_come_out_of_the_extractor() -> None:
    gold_total = pred_total = strict = 0
    for r in generate.generate(20, seed=11):
        line = json.dumps(generate.record(r), ensure_ascii=False)
        doc = build(read_record(line, 1, "corpus.jsonl")).document
        pred = [
            {
                "value": float(o.value),
                "unit": o.unit,
                "qualifier": o.qualifier,
                "period": o.period.label,
                "start": o.start,
                "end": o.end,
            }
            for o in doc.observations
        ]
        m = extraction.match_facts(r.facts, pred)
        gold_total += len(r.facts)
        pred_total += len(pred)
        strict += m["strict"]
    assert gold_total > 20 * 25
    recall, precision = strict / gold_total, strict / pred_total
    assert recall >= 0.9, f"recall {recall:.3f}"
    assert precision >= 0.9, f"precision {precision:.3f}"


def test_offsets_point_at_the_surface_and_records_are_jsonl() -> None:
    for r in generate.generate(10, seed=3):
        rec = generate.record(r)
        assert set(rec) == {"id", "text", "date", "title"}
        assert rec["text"].startswith(rec["title"])
        for f in r.facts:
            assert rec["text"][f["start"] : f["end"]] == f["surface"], f
            assert f["id"] == rec["id"]
        for c in r.connections:
            assert rec["text"][c["start"] : c["end"]] == c["surface"], c


def test_seeded_and_about_7_kb(tmp_path: Path) -> None:
    a, b = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    generate.main(["-n", "30", "--seed", "5", "-o", str(a), "--gold", str(tmp_path / "g.jsonl")])
    generate.main(["-n", "30", "--seed", "5", "-o", str(b)])
    assert a.read_bytes() == b.read_bytes()
    lines = a.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 30
    sizes = [len(json.loads(x)["text"].encode()) for x in lines]
    assert 5000 < sum(sizes) / len(sizes) < 9000
    gold = [json.loads(x) for x in (tmp_path / "g.jsonl").read_text(encoding="utf-8").splitlines()]
    assert {g["id"] for g in gold} == {json.loads(x)["id"] for x in lines}


def test_reports_on_one_province_and_period_agree() -> None:
    p = generate.provinces()[0]
    per = generate.Period("Q", 2023, 2)
    assert generate.truth_for(1, p, per) == generate.truth_for(1, p, per)
    assert generate.truth_for(1, p, per) != generate.truth_for(2, p, per)
