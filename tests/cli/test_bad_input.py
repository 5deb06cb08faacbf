"""Bad input: one line naming the file and the problem, exit 2, and the store exactly as before."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from api.cli import main

GOOD = "Quý I/2025, UBND tỉnh Hà Tĩnh đã công bố 120 TTHC, tỷ lệ hồ sơ đúng hạn đạt 98,5%.\n"


def run(*args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def store_state(store: Path) -> str:
    res = run("query", "--store", str(store), "--format", "csv",
              "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g")
    assert res.exit_code == 0
    return res.stdout


@pytest.fixture()
def store(tmp_path: Path) -> Path:
    good = tmp_path / "good.txt"
    good.write_text(GOOD, encoding="utf-8")
    s = tmp_path / "store"
    assert run("ingest", "-q", "--store", str(s), str(good)).exit_code == 0
    return s


def _write(tmp_path: Path, name: str, data: bytes) -> Path:
    p = tmp_path / name
    p.write_bytes(data)
    return p


CASES = {
    "missing": (None, "missing.txt", "no such file"),
    "empty": (b"  \n\n", "empty.txt", "empty file"),
    "binary": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "image.txt", "binary file"),
    "latin1": ("Quý I/2025 đạt 98,5%".encode("cp1258", errors="replace"), "old.txt", "not UTF-8"),
    "html-without-article": (b"<html><head><title>x</title></head><body><nav>Menu</nav></body></html>",
                             "page.html", "no article text"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_input_is_one_line_exit_2_store_unchanged(case: str, store: Path, tmp_path: Path) -> None:
    data, name, problem = CASES[case]
    path = tmp_path / name if data is None else _write(tmp_path, name, data)
    before = store_state(store)
    res = run("ingest", "-q", "--store", str(store), str(path))
    assert res.exit_code == 2
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and name in lines[0] and problem in lines[0]
    assert "Traceback" not in res.stderr
    assert store_state(store) == before


def test_bad_input_does_not_create_a_store(tmp_path: Path) -> None:
    res = run("ingest", "--store", str(tmp_path / "new"), str(tmp_path / "nope.txt"))
    assert res.exit_code == 2
    assert not (tmp_path / "new").exists()


def test_one_bad_file_among_good_ones_is_reported_and_the_rest_ingested(tmp_path: Path) -> None:
    good = tmp_path / "a.txt"
    good.write_text(GOOD, encoding="utf-8")
    empty = _write(tmp_path, "b.txt", b"")
    res = run("ingest", "-q", "--store", str(tmp_path / "s"), str(good), str(empty))
    assert res.exit_code == 2
    assert "b.txt: empty file" in res.stderr
    assert "ingested 1 documents" in res.stdout
    facts = run("facts", "--store", str(tmp_path / "s"), "--format", "csv")
    assert facts.stdout.count("\n") == 3  # header + 120 TTHC + 98,5 %


def test_jsonl_bad_lines_are_reported_by_line_and_id(tmp_path: Path) -> None:
    corpus = tmp_path / "c.jsonl"
    corpus.write_text(
        '{"id": "ok", "text": "Năm 2024, tỉnh Cà Mau tiếp nhận 1.200 hồ sơ.", "date": "2024-12-20"}\n'
        "not json\n"
        '{"id": "notext"}\n', encoding="utf-8")
    res = run("ingest", "-q", "--store", str(tmp_path / "s"), str(corpus))
    assert res.exit_code == 2
    assert "c.jsonl:2: not JSON" in res.stderr
    assert "c.jsonl:3 (id 'notext'): no \"text\"" in res.stderr
    assert "ingested 1 documents" in res.stdout


def test_unknown_store_for_read_commands(tmp_path: Path) -> None:
    res = run("facts", "--store", str(tmp_path / "none"))
    assert res.exit_code == 2
    assert "no store at" in res.stderr


def test_malformed_query_is_a_one_line_error(store: Path) -> None:
    res = run("query", "--store", str(store), "SELECT ?x WHERE { ?x ")
    assert res.exit_code == 2
    assert "QuerySyntaxError" in res.stderr and len(res.stderr.strip().splitlines()) == 1


def test_a_document_in_another_language_is_reported_and_not_stored(tmp_path: Path) -> None:
    corpus = tmp_path / "mixed.jsonl"
    corpus.write_text(
        '{"id": "vi", "text": "Năm 2024, tỉnh Cà Mau tiếp nhận 1.200 hồ sơ."}\n'
        '{"id": "fr", "text": "En 2024, la province a reçu 1 200 dossiers administratifs et traité 98 % à temps."}\n',
        encoding="utf-8")
    res = run("ingest", "-q", "--store", str(tmp_path / "s"), str(corpus))
    assert res.exit_code == 2
    assert "mixed.jsonl:2 (id 'fr'): not a Vietnamese or English text" in res.stderr
    assert "ingested 1 documents" in res.stdout
    sources = run("query", "--store", str(tmp_path / "s"), "--format", "csv",
                  "SELECT ?id WHERE { ?s a rkg:Source ; dcterms:identifier ?id }")
    assert sources.stdout.split() == ["id", "vi"]


def test_an_oversized_record_is_reported_and_the_rest_ingested(tmp_path: Path) -> None:
    big = "Năm 2024, tỉnh Cà Mau tiếp nhận 1.200 hồ sơ. " * 150_000  # about 7 MB
    corpus = tmp_path / "big.jsonl"
    corpus.write_text(json.dumps({"id": "huge", "text": big}, ensure_ascii=False) + "\n"
                      + '{"id": "ok", "text": "Năm 2024, tỉnh Cà Mau tiếp nhận 1.200 hồ sơ."}\n', encoding="utf-8")
    res = run("ingest", "-q", "--store", str(tmp_path / "s"), str(corpus))
    assert res.exit_code == 2
    assert "big.jsonl:1 (id 'huge'): text over the" in res.stderr
    assert "ingested 1 documents" in res.stdout
