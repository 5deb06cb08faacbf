"""Extraction behaviour on short texts of our own, one phenomenon each.

Each case lists every fact that must come out, as (surface, value, unit, qualifier, period,
kind), and nothing else may come out.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from ingest.extract import extract

CASES: dict[str, tuple[str, dict[str, str | None], list[tuple[str, str, str, str, str, str]]]] = {
    "parts-by-channel": (
        "Quý II/2024, Trung tâm Phục vụ hành chính công tỉnh Nghệ An tiếp nhận 12.480 hồ sơ, trong đó: "
        "trực tuyến 9.102, trực tiếp 3.001, qua bưu chính công ích 377.",
        {},
        [("12.480", "12480", "dossier", "exact", "2024-Q2", "count"),
         ("9.102", "9102", "dossier", "exact", "2024-Q2", "count"),
         ("3.001", "3001", "dossier", "exact", "2024-Q2", "count"),
         ("377", "377", "dossier", "exact", "2024-Q2", "count")],
    ),
    "money-and-hedges": (
        "Năm 2024, thu ngân sách trên địa bàn tỉnh Lạng Sơn đạt hơn 1,5 nghìn tỷ đồng; vốn đăng ký "
        "khoảng 820 triệu đồng; giải ngân gần 2.300 tỷ đồng.",
        {},
        [("1,5 nghìn tỷ đồng", "1500000000000", "VND", "more_than", "2024", "money"),
         ("820 triệu đồng", "820000000", "VND", "about", "2024", "money"),
         ("2.300 tỷ đồng", "2300000000000", "VND", "nearly", "2024", "money")],
    ),
    "growth-decrease-ratio-fold": (
        "Quý III/2025, GRDP của tỉnh ước tăng 7,2% so với cùng kỳ; số hồ sơ quá hạn giảm 5% so với quý trước; "
        "thu nội địa bằng 105% cùng kỳ; số giao dịch thanh toán trực tuyến tăng 2,1 lần.",
        {},
        [("7,2%", "7.2", "percent", "estimated", "2025-Q3", "growth"),
         ("5%", "-5", "percent", "exact", "2025-Q3", "growth"),
         ("105%", "105", "percent", "exact", "2025-Q3", "ratio"),
         ("2,1", "2.1", "other", "exact", "2025-Q3", "ratio")],
    ),
    "ranks-and-scores": (
        "Năm 2024, Chỉ số PAR INDEX của tỉnh Quảng Ninh đạt 91,24%, xếp thứ 2/63, tăng 3 bậc so với năm 2023; "
        "Bộ chỉ số phục vụ người dân, doanh nghiệp đạt 90,09/100 điểm.",
        {},
        [("91,24%", "91.24", "percent", "exact", "2024", "rate"),
         ("2/63", "2", "rank", "exact", "2024", "rank"),
         ("3", "3", "rank", "exact", "2024", "growth"),
         ("90,09/100", "90.09", "point", "exact", "2024", "score")],
    ),
    "not-facts": (
        "Thực hiện Quyết định số 93/2007/QĐ-TTg ngày 22/6/2007 và Nghị định 118/2025/NĐ-CP, theo Điều 5 "
        "khoản 2, từ ngày 17.5.2018 tỉnh cung cấp dịch vụ công mức độ 3, mức độ 4 trong giai đoạn 2021-2030; "
        "đường dây nóng 0211.3862.480.",
        {"date": "2025-05-01"},
        [],
    ),
    "fraction-and-rate": (
        "Năm 2024, Sở Nội vụ tỉnh Bắc Giang hoàn thành 45/48 nhiệm vụ (đạt 93,75%).",
        {},
        [("45/48", "45", "task", "exact", "2024", "count"),
         ("45/48", "48", "task", "exact", "2024", "count"),
         ("93,75%", "93.75", "percent", "exact", "2024", "rate")],
    ),
    "bounds-and-ranges": (
        "Tháng 4/2025, tỷ lệ hồ sơ trực tuyến đạt trên 80%, tỷ lệ hồ sơ quá hạn dưới 3%, "
        "tỷ lệ số hóa từ 60% đến 75%, có ít nhất 12 thủ tục được cắt giảm.",
        {},
        [("80%", "80", "percent", "more_than", "2025-04", "rate"),
         ("3%", "3", "percent", "up_to", "2025-04", "rate"),
         ("60%", "60", "percent", "at_least", "2025-04", "rate"),
         ("75%", "75", "percent", "up_to", "2025-04", "rate"),
         ("12", "12", "procedure", "at_least", "2025-04", "count")],
    ),
    "year-to-date-from-document-date": (
        "Từ đầu năm đến nay, UBND tỉnh Sơn La đã công bố 412 TTHC.",
        {"date": "2025-04-20"},
        [("412", "412", "procedure", "exact", "2025-01-01/2025-04-20", "count")],
    ),
    "english-style-numbers": (
        "Năm 2024, tỉnh Hà Nam tiếp nhận 125,430 hồ sơ và giải quyết đúng hạn 98.5%, "
        "trong đó 87.25% nộp trực tuyến.",
        {},
        [("125,430", "125430", "dossier", "exact", "2024", "count"),
         ("98.5%", "98.5", "percent", "exact", "2024", "rate"),
         ("87.25%", "87.25", "percent", "exact", "2024", "rate")],
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_extraction_case(name: str) -> None:
    text, meta, expected = CASES[name]
    doc = extract(text, source_id=name, **meta)  # type: ignore[arg-type]
    got = [(o.surface, o.value, o.unit, o.qualifier, o.period.label, o.kind) for o in doc.observations]
    want = [(s, Decimal(v), u, q, p, k) for s, v, u, q, p, k in expected]
    assert got == want
    for o in doc.observations:
        assert text[o.start:o.end] == o.surface
        assert o.sentence_start <= o.start < o.end <= o.sentence_end


def test_parts_of_a_breakdown_add_up_and_are_linked() -> None:
    doc = extract(CASES["parts-by-channel"][0], source_id="x")
    total, *parts = doc.observations
    assert total.parts_exhaustive
    assert [p.part_of for p in parts] == [total.key] * 3


def test_rate_from_a_fraction_links_numerator_and_denominator() -> None:
    doc = extract(CASES["fraction-and-rate"][0], source_id="x")
    num, den, rate = doc.observations
    assert (rate.numerator, rate.denominator) == (num.key, den.key)


def test_agencies_and_places_are_linked() -> None:
    doc = extract(CASES["fraction-and-rate"][0], source_id="x")
    assert doc.observations[0].subject.endswith("/agency/bac-giang/so-noi-vu")
    assert doc.observations[0].place.endswith("/adm/2008-2025/province/24")


def test_units_after_the_merger_get_the_new_iri() -> None:
    doc = extract("Quý III/2025, tỉnh Phú Thọ tiếp nhận 30.000 hồ sơ.", source_id="x")
    assert doc.main_place.endswith("/adm/2025/province/25")
    doc = extract("Quý III/2024, tỉnh Phú Thọ tiếp nhận 30.000 hồ sơ.", source_id="y")
    assert doc.main_place.endswith("/adm/2008-2025/province/25")


def test_connections_named_planned_and_grouped() -> None:
    text = ("Năm 2025, Nền tảng tích hợp, chia sẻ dữ liệu (LGSP) của tỉnh Lâm Đồng đã kết nối với Nền tảng "
            "tích hợp, chia sẻ dữ liệu quốc gia và Cơ sở dữ liệu quốc gia về dân cư, dự kiến kết nối với "
            "Hệ thống thông tin báo cáo Chính phủ. Hệ thống thông tin giải quyết TTHC tỉnh kết nối 15 hệ thống, "
            "gồm 9 hệ thống của Trung ương và 6 hệ thống của tỉnh.")
    doc = extract(text, source_id="x")
    named = [(c.from_iri.rsplit("/", 2)[-2:], c.to_iri.rsplit("/", 1)[-1], c.status) for c in doc.connections if c.to_iri]
    assert named == [
        (["lam-dong", "local-data-exchange-platform"], "national-data-exchange-platform", "operational"),
        (["lam-dong", "local-data-exchange-platform"], "national-population-database", "operational"),
        (["lam-dong", "local-data-exchange-platform"], "government-reporting-system", "planned"),
    ]
    grouped = [(c.count, c.level, c.part_of is not None) for c in doc.connections if c.to_iri is None]
    assert grouped == [(15, None, False), (9, "national", True), (6, "provincial", True)]
