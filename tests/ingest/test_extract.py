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
         ("2,1 lần", "2.1", "other", "exact", "2025-Q3", "ratio")],
    ),
    "ranks-and-scores": (
        "Năm 2024, Chỉ số PAR INDEX của tỉnh Quảng Ninh đạt 91,24%, xếp thứ 2/63, tăng 3 bậc so với năm 2023; "
        "Bộ chỉ số phục vụ người dân, doanh nghiệp đạt 90,09/100 điểm.",
        {},
        [("91,24%", "91.24", "percent", "exact", "2024", "score"),
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
    "title-numbers-count": (
        "Hà Tĩnh: 412 thủ tục được cắt giảm trong quý II/2024\nNgày 05/7/2024\nQuý II/2024, tỉnh "
        "tiếp nhận 9.870 hồ sơ.",
        {},
        [("412", "412", "procedure", "exact", "2024-Q2", "count"),
        ("9.870", "9870", "dossier", "exact", "2024-Q2", "count")],
    ),
    "english-report": (
        "Quang Nam handles more dossiers online in 2023\nDecember 20, 2023\nThe province "
        "received 1,204,350 dossiers in 2023, of which 812,400 were filed online, accounting for "
        "67.46 percent. Some 98.1% were settled on time, up 0.8 percentage points from 2022, "
        "while online fee payments reached VND58.3 billion, up 1.7 times year-on-year. Its "
        "feedback portal handled more than 1,420 complaints, down 9% year-on-year. Residents can "
        "call the 1022 hotline.",
        {},
        [("1,204,350", "1204350", "dossier", "exact", "2023", "count"),
        ("812,400", "812400", "dossier", "exact", "2023", "count"),
        ("67.46 percent", "67.46", "percent", "exact", "2023", "rate"),
        ("98.1%", "98.1", "percent", "about", "2023", "rate"),
        ("0.8 percentage points", "0.8", "percent", "exact", "2023", "growth"),
        ("VND58.3 billion", "58300000000.0", "VND", "exact", "2023", "money"),
        ("1.7 times", "1.7", "other", "exact", "2023", "ratio"),
        ("1,420", "1420", "other", "more_than", "2023", "count"),
        ("9%", "-9", "percent", "exact", "2023", "growth")],
    ),
    "english-periods-and-ranks": (
        "In the first nine months of 2025, Hue received nearly 310,000 dossiers. In the PAR "
        "Index 2024, the city scored 90.12%, ranking 5th out of 63 provinces, up four places. "
        "Binh Duong jumped 12 places to 9th. In all, 41 of the 63 localities improved; seven of "
        "the eight component indices rose.",
        {'date': '2025-10-05'},
        [("310,000", "310000", "dossier", "nearly", "2025-01-01/2025-09-30", "count"),
        ("90.12%", "90.12", "percent", "exact", "2024", "score"),
        ("5th", "5", "rank", "exact", "2024", "rank"),
        ("four", "4", "rank", "exact", "2024", "growth"),
        ("12", "12", "rank", "exact", "2024", "growth"),
        ("41", "41", "other", "exact", "2024", "count"),
        ("63", "63", "other", "exact", "2024", "count"),
        ("seven", "7", "other", "exact", "2024", "count"),
        ("eight", "8", "other", "exact", "2024", "count")],
    ),
    "numbers-in-words": (
        "Sáu tháng đầu năm 2024, Sở Nội vụ tổ chức ba đợt kiểm tra tại mười hai cơ quan, nhắc "
        "nhở bốn công chức; mô hình hai cấp chính quyền vận hành ổn định.",
        {},
        [("ba", "3", "other", "exact", "2024-H1", "count"),
        ("mười hai", "12", "other", "exact", "2024-H1", "count"),
        ("bốn", "4", "person", "exact", "2024-H1", "count")],
    ),
    "list-shares-the-unit-after-it": (
        "Tháng 5/2025, phường Hà Đông và phường Cầu Giấy tiếp nhận lần lượt 6.214 và 4.870 hồ "
        "sơ; các phường còn lại tiếp nhận 3.102, 2.950 và 2.811 hồ sơ.",
        {},
        [("6.214", "6214", "dossier", "exact", "2025-05", "count"),
        ("4.870", "4870", "dossier", "exact", "2025-05", "count"),
        ("3.102", "3102", "dossier", "exact", "2025-05", "count"),
        ("2.950", "2950", "dossier", "exact", "2025-05", "count"),
        ("2.811", "2811", "dossier", "exact", "2025-05", "count")],
    ),
    "percentage-point-changes": (
        "Năm 2024, Chỉ số SIPAS của tỉnh đạt 86,5%, cao hơn năm 2023 là 1,69%; tỷ lệ hồ sơ trực "
        "tuyến tăng 2,08 điểm phần trăm, tỷ lệ số hóa giảm 0,5 điểm %.",
        {},
        [("86,5%", "86.5", "percent", "exact", "2024", "score"),
        ("1,69%", "1.69", "percent", "exact", "2024", "growth"),
        ("2,08 điểm phần trăm", "2.08", "percent", "exact", "2024", "growth"),
        ("0,5 điểm %", "-0.5", "percent", "exact", "2024", "growth")],
    ),
    "ranks-and-rank-targets": (
        "Năm 2024, Chỉ số PCI của tỉnh đạt 68,4 điểm, xếp thứ 12/63, vượt lên 4 bậc. Năm 2025, "
        "tỉnh đặt mục tiêu đưa PCI vào nhóm 10 địa phương dẫn đầu cả nước.",
        {},
        [("68,4", "68.4", "point", "exact", "2024", "score"),
        ("12/63", "12", "rank", "exact", "2024", "rank"),
        ("4", "4", "rank", "exact", "2024", "growth"),
        ("10", "10", "rank", "up_to", "2025", "target")],
    ),
    "whole-year-to-date-is-the-year": (
        "Tỉnh nhận 428 phản ánh, kiến nghị; đến ngày 31/12/2024 đã xử lý 421 phản ánh, kiến nghị "
        "(đạt 98,36%).",
        {'date': '2025-01-10'},
        [("428", "428", "other", "exact", "2024", "count"),
        ("421", "421", "other", "exact", "2024", "count"),
        ("98,36%", "98.36", "percent", "exact", "2024", "rate")],
    ),
    "index-edition-not-meeting-date": (
        "Hải Dương dẫn đầu Chỉ số SIPAS năm 2024\nNgày 07/4/2025\nTại phiên họp Chính phủ thường "
        "kỳ tháng 3/2025, Bộ Nội vụ công bố Chỉ số SIPAS năm 2024: Hải Dương đạt 89,7%, xếp thứ "
        "2/63.",
        {},
        [("89,7%", "89.7", "percent", "exact", "2024", "score"),
        ("2/63", "2", "rank", "exact", "2024", "rank")],
    ),
    "unit-from-the-clause-noun": (
        "Quý I/2023, số hồ sơ đã giải quyết là 39.806; số hồ sơ tiếp nhận qua bưu chính công ích "
        "là 1.126. Hồ sơ nộp trực tuyến là 21.540, chiếm 54,1%.",
        {},
        [("39.806", "39806", "dossier", "exact", "2023-Q1", "count"),
        ("1.126", "1126", "dossier", "exact", "2023-Q1", "count"),
        ("21.540", "21540", "dossier", "exact", "2023-Q1", "count"),
        ("54,1%", "54.1", "percent", "exact", "2023-Q1", "rate")],
    ),
    "average-processing-time": (
        "Tháng 3/2025, thời gian giải quyết trung bình một hồ sơ đăng ký doanh nghiệp là 2,5 "
        "ngày làm việc; thời hạn theo quy định là 3 ngày, sau hơn ba tháng triển khai.",
        {},
        [("2,5", "2.5", "other", "exact", "2025-03", "other")],
    ),
    "hedges": (
        "Quý I/2025, tổng thu ngân sách trên địa bàn vượt mốc 8.339 tỷ đồng; cả nước có khoảng "
        "32,7 triệu hồ sơ trực tuyến; tỉnh tiếp nhận khoảng gần 300 nghìn hồ sơ và ước đạt "
        "khoảng 1,2 nghìn tỷ đồng thu phí.",
        {},
        [("8.339 tỷ đồng", "8339000000000", "VND", "more_than", "2025-Q1", "money"),
        ("32,7 triệu", "32700000.0", "dossier", "about", "2025-Q1", "count"),
        ("300 nghìn", "300000", "dossier", "nearly", "2025-Q1", "count"),
        ("1,2 nghìn tỷ đồng", "1200000000000.0", "VND", "about", "2025-Q1", "money")],
    ),
    "zero-padded-counts": (
        "Quý I/2024, UBND huyện ban hành 05 kế hoạch, tổ chức 02 hội nghị với hơn 300 đại biểu; "
        "Đề án 06 và Nghị định 09/2019/NĐ-CP được quán triệt.",
        {},
        [("05", "5", "other", "exact", "2024-Q1", "count"),
        ("02", "2", "other", "exact", "2024-Q1", "count"),
        ("300", "300", "person", "more_than", "2024-Q1", "count")],
    ),
    "ranges-without-tu": (
        "Năm 2024, mỗi ngày Trung tâm tiếp nhận khoảng 5.000 đến 6.000 hồ sơ; tỷ lệ hài lòng đạt "
        "từ 80-90%.",
        {},
        [("5.000", "5000", "dossier", "at_least", "2024", "count"),
        ("6.000", "6000", "dossier", "up_to", "2024", "count"),
        ("80", "80", "percent", "at_least", "2024", "rate"),
        ("90%", "90", "percent", "up_to", "2024", "rate")],
    ),
    "plan-total-takes-the-plan-year": (
        "Đồng Nai: hồ sơ trực tuyến 10 tháng năm 2025\nNgày 12/11/2025\nTrong 10 tháng đầu năm "
        "2025, tỉnh tiếp nhận 1,4 triệu hồ sơ. Kế hoạch CCHC năm 2025 của tỉnh có 86 nhiệm vụ, "
        "đến nay đã hoàn thành 69 nhiệm vụ.",
        {},
        [("1,4 triệu", "1400000.0", "dossier", "exact", "2025-01-01/2025-10-31", "count"),
        ("86", "86", "task", "exact", "2025", "count"),
        ("69", "69", "task", "exact", "2025-01-01/2025-10-31", "count")],
    ),
    "stated-reporting-interval": (
        "Nghệ An: kết quả kỳ báo cáo quý I/2023\nNgày 20/3/2023\nTừ ngày 15/12/2022 đến ngày "
        "14/3/2023, tỉnh tiếp nhận 168.340 hồ sơ.\nTrong kỳ, UBND tỉnh ban hành 14 quyết định "
        "công bố 263 TTHC.",
        {},
        [("168.340", "168340", "dossier", "exact", "2022-12-15/2023-03-14", "count"),
        ("14", "14", "decision", "exact", "2022-12-15/2023-03-14", "count"),
        ("263", "263", "procedure", "exact", "2022-12-15/2023-03-14", "count")],
    ),
    "current-stock-dated-by-the-date-line": (
        "Hà Nội: Chỉ số chuyển đổi số năm 2023\nNgày 30/7/2024\nChỉ số DTI năm 2023 của thành "
        "phố đạt 0,6817 điểm.\nNền tảng LGSP của thành phố hiện kết nối 41 hệ thống.",
        {},
        [("0,6817", "0.6817", "point", "exact", "2023", "score"),
        ("41", "41", "system", "exact", "2024-07", "count")],
    ),
    "targets-in-long-clauses": (
        "Năm 2026, tỉnh phấn đấu tỷ lệ hồ sơ trực tuyến toàn trình trên tổng số hồ sơ đạt tối "
        "thiểu 65%. Các chỉ tiêu về số hóa đã vượt mức tối thiểu 80% đặt ra tại Kế hoạch chuyển "
        "đổi số giai đoạn 2021-2025.",
        {'date': '2025-12-01'},
        [("65%", "65", "percent", "at_least", "2026", "target"),
        ("80%", "80", "percent", "at_least", "2025", "target")],
    ),
    "clause-initial-estimate": (
        "Ước cả năm 2024, tỉnh Yên Bái tiếp nhận 300.000 hồ sơ; ước đạt khoảng 1,2 nghìn tỷ đồng "
        "thu ngân sách.",
        {},
        [("300.000", "300000", "dossier", "estimated", "2024", "count"),
        ("1,2 nghìn tỷ đồng", "1200000000000.0", "VND", "about", "2024", "money")],
    ),
    "aside-period-does-not-carry": (
        "Quý II/2024, tỷ lệ hồ sơ đúng hạn đạt 99,8% (quý II/2023 đạt 98,5%). Tỷ lệ số hóa đạt "
        "75%.",
        {},
        [("99,8%", "99.8", "percent", "exact", "2024-Q2", "rate"),
        ("98,5%", "98.5", "percent", "exact", "2023-Q2", "rate"),
        ("75%", "75", "percent", "exact", "2024-Q2", "rate")],
    ),
    "scores-and-clause-totals": (
        "Năm 2024, Sở Tư pháp đạt 4,5/5 điểm đánh giá; tổng số hồ sơ tiếp nhận: 4.562; hệ thống "
        "họp trực tuyến kết nối tới 176 điểm cầu.",
        {},
        [("4,5/5", "4.5", "point", "exact", "2024", "score"),
        ("4.562", "4562", "dossier", "exact", "2024", "count"),
        ("176", "176", "other", "exact", "2024", "count")],
    ),
    "rank-goal-as-change": (
        "Mục tiêu năm 2025: Chỉ số CCHC của tỉnh tăng ít nhất 3 bậc.",
        {'date': '2024-12-20'},
        [("3", "3", "rank", "at_least", "2025", "target")],
    ),
    "to-date-ending-a-half-year": (
        "Tính đến 30/6/2024, tỉnh Phú Yên đã tiếp nhận 12.000 hồ sơ và giải quyết 11.800 hồ sơ.",
        {},
        [("12.000", "12000", "dossier", "exact", "2024-H1", "count"),
        ("11.800", "11800", "dossier", "exact", "2024-H1", "count")],
    ),
    "english-index-edition-and-score": (
        "In the first quarter of 2024, Can Tho received 78,450 dossiers. The city ranked 9th out "
        "of 63 localities in the 2023 DTI, up three places, with a score of 0.5412.",
        {'date': '2024-04-12'},
        [("78,450", "78450", "dossier", "exact", "2024-Q1", "count"),
        ("9th", "9", "rank", "exact", "2023", "rank"),
        ("three", "3", "rank", "exact", "2023", "growth"),
        ("0.5412", "0.5412", "point", "exact", "2023", "score")],
    ),
    "capitalised-number-words-are-names": (
        "Năm 2024, huyện Năm Căn có sáu xã đạt chuẩn; quận Hai Bà Trưng tiếp nhận 12.400 hồ sơ.",
        {},
        [("sáu", "6", "other", "exact", "2024", "count"),
        ("12.400", "12400", "dossier", "exact", "2024", "count")],
    ),
    "bracketed-breakdown-shares-the-unit": (
        "Quý III/2025, Chủ tịch UBND tỉnh công bố 120 TTHC (mới ban hành 30; sửa đổi, bổ sung "
        "70; bãi bỏ 20).",
        {},
        [("120", "120", "procedure", "exact", "2025-Q3", "count"),
        ("30", "30", "procedure", "exact", "2025-Q3", "count"),
        ("70", "70", "procedure", "exact", "2025-Q3", "count"),
        ("20", "20", "procedure", "exact", "2025-Q3", "count")],
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


def test_connection_source_named_after_the_verb_and_breakdown_in_the_next_sentence() -> None:
    text = ("Năm 2025, tỉnh Lạng Sơn dự kiến kết nối Hệ thống thông tin báo cáo của tỉnh với Hệ thống thông tin "
            "báo cáo Chính phủ. Hệ thống thông tin giải quyết TTHC tỉnh đã liên thông với 20 hệ thống khác. "
            "Trong số đó, 11 hệ thống do các bộ, ngành Trung ương quản lý, 9 hệ thống do tỉnh xây dựng.")
    doc = extract(text, source_id="x")
    named = [(c.from_iri.rsplit("/", 1)[-1], c.to_iri.rsplit("/", 1)[-1], c.status) for c in doc.connections if c.to_iri]
    assert named == [("reporting-system", "government-reporting-system", "planned")]
    grouped = [(c.count, c.level, c.part_of is not None) for c in doc.connections if c.to_iri is None]
    assert grouped == [(20, None, False), (11, "national", True), (9, "provincial", True)]


def test_connection_status_follows_the_nearest_cue() -> None:
    text = ("Năm 2024, công tác văn thư tiếp tục chuyển sang môi trường điện tử: phần mềm quản lý văn bản và "
            "điều hành của tỉnh Lào Cai đã liên thông với Trục liên thông văn bản quốc gia.")
    doc = extract(text, source_id="x")
    assert [(c.to_iri.rsplit("/", 1)[-1], c.status) for c in doc.connections] == [
        ("national-document-exchange", "operational")]


def test_a_score_after_the_sentence_naming_its_index_belongs_to_that_index() -> None:
    text = ("Kết quả Bộ chỉ số phục vụ người dân, doanh nghiệp tháng 5/2025 vừa được công bố. "
            "Tỉnh Điện Biên đạt 84,10/100 điểm, đứng thứ 12/34 tỉnh, thành phố.")
    doc = extract(text, source_id="x")
    assert [(o.surface, o.indicator) for o in doc.observations] == [
        ("84,10/100", "service-index-766"), ("12/34", "service-index-766")]


def test_tables_written_as_text_give_one_fact_per_numeric_cell() -> None:
    text = ("Bảng 2. Hồ sơ TTHC năm 2024 (đơn vị tính: hồ sơ)\n"
            "STT | Đơn vị | Tiếp nhận | Quá hạn | Tỷ lệ đúng hạn\n"
            "1 | Sở Tư pháp | 1.250 | 12 | 99,04%\n"
            "2 | Sở Y tế | 830 | 0 | 100%\n")
    doc = extract(text, source_id="x")
    got = [(o.surface, o.unit, o.indicator, o.period.label, o.subject.rsplit("/", 1)[-1]) for o in doc.observations]
    assert got == [
        ("1.250", "dossier", "dossiers-received", "2024", "so-tu-phap"),
        ("12", "dossier", "dossiers-overdue", "2024", "so-tu-phap"),
        ("99,04%", "percent", "dossiers-on-time", "2024", "so-tu-phap"),
        ("830", "dossier", "dossiers-received", "2024", "so-y-te"),
        ("0", "dossier", "dossiers-overdue", "2024", "so-y-te"),
        ("100%", "percent", "dossiers-on-time", "2024", "so-y-te"),
    ]
    for o in doc.observations:
        assert text[o.start:o.end] == o.surface


def test_since_a_date_until_now_or_until_a_month() -> None:
    doc = extract("Từ ngày 1/7 đến nay, tỉnh Thái Nguyên tiếp nhận 386.000 hồ sơ. "
                  "Từ ngày 1/7 đến hết tháng 10/2025, toàn tỉnh có 3.120 hồ sơ quá hạn.",
                  source_id="x", date="2025-11-18")
    assert [o.period.label for o in doc.observations] == ["2025-07-01/2025-11-18", "2025-07-01/2025-10-31"]


def test_a_cut_off_date_does_not_carry_to_the_next_sentence() -> None:
    doc = extract("Năm 2024, tỉnh Kiên Giang đạt nhiều kết quả. Tính đến ngày 20/12/2024, tỉnh giải ngân "
                  "4.871 tỷ đồng. Trong năm, tỉnh có 1.126 doanh nghiệp thành lập mới.", source_id="x")
    assert [o.period.label for o in doc.observations] == ["2024-01-01/2024-12-20", "2024"]
