"""Reading sources: HTML main text and metadata, JSONL records, text kept whole."""

from __future__ import annotations

from pathlib import Path

from ingest.pipeline import build
from ingest.read import iter_sources, read_html, read_record

DATA = Path(__file__).resolve().parent.parent / "data"


def test_html_main_text_without_page_debris() -> None:
    doc = read_html(DATA / "html" / "ha-tinh-2025q2.html")
    assert "41.260 hồ sơ" in doc.text
    for debris in ("Quảng cáo", "Bình luận", "Trang chủ", "0239.3855.123"):
        assert debris not in doc.text
    assert doc.title and doc.title.startswith("Hà Tĩnh")
    assert doc.date == "2025-07-05"
    assert doc.author == "Minh Châu"


def test_html_facts_point_into_the_extracted_text() -> None:
    built = build(read_html(DATA / "html" / "ha-tinh-2025q2.html"))
    values = {(str(o.value), o.unit, o.period.label) for o in built.document.observations}
    assert ("41260", "dossier", "2025-Q2") in values
    assert ("98.7", "percent", "2025-Q2") in values
    for o in built.document.observations:
        assert built.source.text[o.start:o.end] == o.surface
    assert "50" not in {str(o.value) for o in built.document.observations}  # the advert's 50 %


def test_jsonl_record_fields() -> None:
    doc = read_record('{"id": "a/b c", "text": "Năm 2024 đạt 90%.", "date": "2024-12-31T10:00:00",'
                      ' "publisher": "Báo X"}', 7, "c.jsonl")
    assert (doc.source_id, doc.date, doc.publisher, doc.origin) == ("a-b-c", "2024-12-31", "Báo X", "c.jsonl:7")


def test_directories_are_read_recursively(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "a.txt").write_text("Năm 2024, tỉnh Nam Định tiếp nhận 100 hồ sơ.", encoding="utf-8")
    (tmp_path / "sub" / "b.txt").write_text("Năm 2024, tỉnh Hà Nam tiếp nhận 200 hồ sơ.", encoding="utf-8")
    (tmp_path / "notes.pdf").write_bytes(b"%PDF")
    ids = sorted(d.source_id for d in iter_sources([tmp_path]))  # type: ignore[union-attr]
    assert ids == ["a", "b"]
