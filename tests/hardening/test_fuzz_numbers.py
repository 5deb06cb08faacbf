"""Property-based tests of number reading, both locales (issue 7, item 3); they extend
tests/ingest/test_fuzz.py (extraction never raises, offsets point at the surface, vi round trip).

* formatting a number the Vietnamese way (``1.234.567,89``) or the English way
  (``1,234,567.89``) and parsing it under that locale gives back the value and the number of
  written decimals;
* ``find_numbers`` never raises, and every token's offsets point at its text, in any text with
  numbers of either locale embedded;
* ``detect_locale`` and ``extract`` survive any mix of the two locales.
"""

from __future__ import annotations

from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ingest.extract import extract
from ingest.numbers import detect_locale, find_numbers, parse_number
from tests.hardening.kit import LONG

EXAMPLES = 2000 if LONG else 200
SEPARATORS = {"vi": (".", ","), "en": (",", ".")}


def formatted(value: Decimal, places: int, locale: str) -> str:
    """``value`` with ``places`` decimals, grouped by thousands the way ``locale`` writes it."""
    thousands, decimal = SEPARATORS[locale]
    q = value.quantize(Decimal(1).scaleb(-places))
    whole, _, frac = f"{q:f}".partition(".")
    groups = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    return thousands.join(groups) + (decimal + frac if frac else "")


values = st.decimals(0, 10**12, places=3, allow_nan=False, allow_infinity=False)
places = st.integers(0, 3)
locales = st.sampled_from(["vi", "en"])


@settings(max_examples=EXAMPLES, deadline=None)
@given(values, places, locales)
def test_format_then_parse_round_trips_in_both_locales(value: Decimal, decimals: int,
                                                       locale: str) -> None:
    raw = formatted(value, decimals, locale)
    parsed = parse_number(raw, locale)
    assert parsed is not None, raw
    assert parsed[0] == value.quantize(Decimal(1).scaleb(-decimals)), raw
    assert parsed[1] == decimals, raw


@settings(max_examples=EXAMPLES, deadline=None)
@given(st.text(max_size=12))
def test_parse_number_never_raises(raw: str) -> None:
    for locale in ("vi", "en"):
        result = parse_number(raw, locale)
        assert result is None or isinstance(result[0], Decimal)


filler = st.sampled_from(["hồ sơ", "đạt", "%", "tỷ đồng", "năm 2025", "Quý I/2025", ",", ".",
                          "\n", "tăng", "gần", "hơn", "12/2024", "1.2.3", ",,", "..", "-"])


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(filler, st.tuples(values, places, locales).map(
    lambda t: formatted(*t)), st.text(max_size=4)), max_size=30).map(" ".join))
def test_number_offsets_point_at_their_text_in_mixed_locales(text: str) -> None:
    locale = detect_locale(text)
    assert locale in ("vi", "en")
    for loc in ("vi", "en"):
        for token in find_numbers(text, loc):
            assert 0 <= token.start < token.end <= len(text)
            assert text[token.start:token.end] == token.raw
            assert parse_number(token.raw, loc) == (token.value, token.decimals)
    doc = extract(text, source_id="fuzz")
    for o in doc.observations:
        assert text[o.start:o.end] == o.surface
