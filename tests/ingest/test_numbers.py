"""Vietnamese number formats, decided per document."""

from __future__ import annotations

from decimal import Decimal

import pytest

from ingest.numbers import detect_locale, parse_number


@pytest.mark.parametrize(
    ("raw", "locale", "value", "decimals"),
    [
        ("1.392", "vi", "1392", 0),
        ("125.430", "vi", "125430", 0),
        ("1.234.567", "vi", "1234567", 0),
        ("28,13", "vi", "28.13", 2),
        ("1.234,5", "vi", "1234.5", 1),
        ("93.86", "vi", "93.86", 2),  # a stray decimal point in a comma-decimal text
        ("125,430", "en", "125430", 0),
        ("98.5", "en", "98.5", 1),
        ("1,234,567.25", "en", "1234567.25", 2),
        ("657", "vi", "657", 0),
    ],
)
def test_parse_number(raw: str, locale: str, value: str, decimals: int) -> None:
    assert parse_number(raw, locale) == (Decimal(value), decimals)


def test_malformed_grouping_is_not_a_number() -> None:
    assert parse_number("1.23.4", "vi") is None


def test_locale_is_decided_per_document() -> None:
    assert detect_locale("tiếp nhận 125.430 hồ sơ, đạt 98,5%; riêng xã đạt 93.86%") == "vi"
    assert detect_locale("received 125,430 dossiers, 98.5% on time and 87.25% online") == "en"


def test_dotted_dates_do_not_vote_for_a_locale() -> None:
    assert detect_locale("ngày 17.5.2018 và 12.6.2019, đạt 98,5%") == "vi"


@pytest.mark.parametrize(
    ("words", "value"),
    [("sáu", 6), ("mười", 10), ("mười hai", 12), ("hai mươi", 20), ("ba mươi lăm", 35), ("five", 5),
     ("twenty-one", 21), ("một cửa", None)],
)
def test_number_words(words: str, value: int | None) -> None:
    from ingest.numbers import word_value

    assert word_value(words) == value


def test_english_datelines_give_the_document_date() -> None:
    from ingest.context import build_context

    ctx = build_context("Da Nang speeds up online services\nJuly 3, 2025\nDa Nang received 412,870 dossiers.")
    assert ctx.date == "2025-07-03"
    assert ctx.english and ctx.locale == "en"
