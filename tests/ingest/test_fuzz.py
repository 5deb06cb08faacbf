"""Property-based tests: extraction never raises on any text, offsets always point at the
surface, and numbers formatted the Vietnamese way parse back to themselves."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ingest.extract import extract
from ingest.numbers import parse_number

WORDS = ["hồ sơ", "TTHC", "tỷ đồng", "%", "Quý I/2025", "năm 2024", "tăng", "giảm", "hơn", "gần",
         "trong đó", "gồm", "kết nối", "hệ thống", "xếp thứ", "/", ",", ".", ";", "\n", "UBND tỉnh",
         "Vĩnh Phúc", "Cổng Dịch vụ công quốc gia", "lần lượt", "từ", "đến", "điểm", "bậc", "triệu"]
token = st.one_of(st.sampled_from(WORDS), st.integers(0, 10**7).map(str),
                  st.decimals(0, 1000, places=2).map(lambda d: str(d).replace(".", ",")),
                  st.text(max_size=6))
texts = st.lists(token, max_size=40).map(" ".join)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts)
def test_extraction_never_raises_and_offsets_point_at_the_surface(text: str) -> None:
    doc = extract(text, source_id="fuzz")
    for o in doc.observations:
        assert 0 <= o.start < o.end <= len(text)
        assert text[o.start:o.end] == o.surface
        assert o.sentence_start <= o.start and o.end <= o.sentence_end
    for c in doc.connections:
        assert 0 <= c.start < c.end <= len(text) and text[c.start:c.end] == c.surface


@settings(max_examples=100, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=200))
def test_extraction_survives_arbitrary_unicode(text: str) -> None:
    extract(text, source_id="fuzz")


def vi_format(value: Decimal, places: int) -> str:
    """125430.5 → "125.430,5": dot thousands, comma decimals."""
    q = value.quantize(Decimal(1).scaleb(-places))
    whole, _, frac = f"{q:f}".partition(".")
    groups = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    return ".".join(groups) + ("," + frac if frac else "")


@given(st.decimals(0, 10**9, places=0, allow_nan=False, allow_infinity=False), st.integers(0, 3))
def test_vietnamese_numbers_round_trip(value: Decimal, places: int) -> None:
    raw = vi_format(value, places)
    parsed = parse_number(raw, "vi")
    assert parsed is not None
    assert parsed[0] == Decimal(raw.replace(".", "").replace(",", "."))
    assert parsed[1] == places
