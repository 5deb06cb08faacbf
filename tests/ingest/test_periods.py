"""Period expressions and their ISO labels."""

from __future__ import annotations

import pytest

from ingest.normalize import match_form
from ingest.periods import find_periods, make_period


def labels(text: str, year: int | None = None, date: str | None = None) -> list[str | None]:
    m = match_form(text)
    out = []
    for pm in find_periods(m, 0, len(m), year):
        p = pm.resolve(year, date)
        out.append(p.label if p else None)
    return out


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Quý I/2025, toàn tỉnh", ["2025-Q1"]),
        ("trong quý II năm 2024", ["2024-Q2"]),
        ("quý 3/2023", ["2023-Q3"]),
        ("6 tháng đầu năm 2025", ["2025-H1"]),
        ("9 tháng năm 2025", ["2025-01-01/2025-09-30"]),
        ("10 tháng đầu năm 2025", ["2025-01-01/2025-10-31"]),
        ("trong tháng 4/2025", ["2025-04"]),
        ("năm 2024", ["2024"]),
        ("từ ngày 15/12/2024 đến ngày 14/3/2025", ["2024-12-15/2025-03-14"]),
        ("từ 15/12 đến 14/3/2025", ["2024-12-15/2025-03-14"]),
        ("tính đến ngày 20/4/2025", ["2025-01-01/2025-04-20"]),
        ("tính đến ngày 31/12/2024", ["2024"]),  # a whole year is labelled as the year
        ("tính đến 30/6/2024", ["2024-H1"]),
        ("giai đoạn 2021-2025", ["2021-01-01/2025-12-31"]),
        ("in the first half of 2025", ["2025-H1"]),
        ("Q3 2024", ["2024-Q3"]),
        ("the first nine months of 2025", ["2025-01-01/2025-09-30"]),
        ("received 500 dossiers in 2024", ["2024"]),
    ],
)
def test_period_labels(text: str, expected: list[str]) -> None:
    assert labels(text) == expected


def test_missing_year_comes_from_context() -> None:
    assert labels("trong 3 tháng đầu năm", year=2025) == ["2025-Q1"]
    assert labels("Quý I, tổng sản phẩm", year=2025) == ["2025-Q1"]


def test_year_to_date_is_relative_to_the_document_date() -> None:
    assert labels("Từ đầu năm đến nay", year=2025, date="2025-04-20") == ["2025-01-01/2025-04-20"]
    assert labels("Từ đầu năm đến nay") == [None]


def test_plan_and_comparison_years_are_marked() -> None:
    m = match_form("đạt 28,13% Kế hoạch CCHC năm 2025, tăng 5% so với cùng kỳ năm 2024")
    roles = [pm.role for pm in find_periods(m, 0, len(m))]
    assert roles == ["plan", "comparison"]


def test_make_period_round_trips() -> None:
    for label in ("2025", "2025-Q4", "2024-H2", "2025-02", "2024-12-15/2025-03-14"):
        assert make_period(label).label == label
    assert make_period("2024-02").end == "2024-02-29"


@pytest.mark.parametrize(
    ("text", "role"),
    [
        ("so với năm 2023", "comparison"),
        ("cao gấp 1,4 lần mức của năm 2020", "comparison"),
        ("Kế hoạch CCHC năm 2025 của tỉnh", "plan"),
        ("Năm 2026, tỉnh phấn đấu", "plan"),
        ("tại phiên họp Chính phủ thường kỳ tháng 3/2025", "event"),
        ("Chỉ số SIPAS năm 2024", "index"),
        ("the 2023 DTI", "index"),
        ("Quý I/2025, toàn tỉnh", "period"),
    ],
)
def test_period_roles(text: str, role: str) -> None:
    m = match_form(text)
    assert [pm.role for pm in find_periods(m, 0, len(m))] == [role]
