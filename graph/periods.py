"""Reporting periods as date ranges: the ``sdmx-dimension:refPeriod`` labels of the graph.

Periods are stored as ISO 8601 labels (``2025-Q1``, ``2025``, ``2025-H1``, ``2025-04``,
``2025-01-01/2025-04-20``; ontology/README.md). The network views need their end dates to order
reports ("first and last reported period") and to cut the network at ``--as-of PERIOD``.
``graph`` may not import ``ingest`` (DESIGN.md §2), so this module reads the labels itself.

>>> bounds("2025-Q1")
(datetime.date(2025, 1, 1), datetime.date(2025, 3, 31))
>>> parse_as_of("quý III/2025")
('2025-Q3', datetime.date(2025, 9, 30))
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from collections.abc import Iterable
from datetime import date

from .errors import ExportError

__all__ = ["bounds", "end_of", "fold", "parse_as_of", "sort_periods"]

_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4}
_ISO = re.compile(
    r"^(?P<y>\d{4})(?:-(?:(?P<q>Q[1-4])|(?P<h>H[12])|(?P<m>\d{2})(?:-(?P<d>\d{2}))?))?$"
)
# User input only: "Q1/2025", "quý I/2025", "quý 1 năm 2025", "tháng 6/2025", "6/2025", "năm 2025"
_VI_QUARTER = re.compile(r"^(?:quy|q)\s*(?P<q>[1-4]|i{1,3}|iv)\s*(?:/|-|\s|nam)+\s*(?P<y>\d{4})$")
_VI_MONTH = re.compile(r"^(?:thang\s*)?(?P<m>\d{1,2})\s*[/-]\s*(?P<y>\d{4})$")
_VI_YEAR = re.compile(r"^(?:nam\s*)(?P<y>\d{4})$")


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _single(label: str) -> tuple[date, date] | None:
    m = _ISO.match(label)
    if not m:
        return None
    year = int(m["y"])
    try:
        if m["q"]:
            q = int(m["q"][1])
            return date(year, 3 * q - 2, 1), _month_end(year, 3 * q)
        if m["h"]:
            h = int(m["h"][1])
            return date(year, 6 * h - 5, 1), _month_end(year, 6 * h)
        if m["d"]:
            day = date(year, int(m["m"]), int(m["d"]))
            return day, day
        if m["m"]:
            month = int(m["m"])
            return date(year, month, 1), _month_end(year, month)
    except ValueError:  # month 13, 31 February
        return None
    return date(year, 1, 1), date(year, 12, 31)


def bounds(label: str | None) -> tuple[date, date] | None:
    """The first and last day of a period label, or None when it is not one.

    >>> bounds("2025-01-01/2025-09-30")
    (datetime.date(2025, 1, 1), datetime.date(2025, 9, 30))
    >>> bounds("2024-H2")[1]
    datetime.date(2024, 12, 31)
    >>> bounds("2025-02-30") is None, bounds("Q1") is None
    (True, True)
    """
    if not label:
        return None
    label = label.strip()
    if "/" in label:
        first, _, last = label.partition("/")
        a, b = _single(first.strip()), _single(last.strip())
        if a is None or b is None or b[1] < a[0]:
            return None
        return a[0], b[1]
    return _single(label)


def end_of(label: str | None) -> date | None:
    """The last day of a period label (None when it does not parse).

    >>> end_of("2025-10")
    datetime.date(2025, 10, 31)
    """
    found = bounds(label)
    return found[1] if found else None


def sort_periods(labels: Iterable[str]) -> list[str]:
    """Distinct labels in time order (by end, then start); unparseable labels last.

    >>> sort_periods(["2025", "2025-Q3", "2024", "2025-Q1", "2025-Q1"])
    ['2024', '2025-Q1', '2025-Q3', '2025']
    """

    def key(label: str) -> tuple[int, date, date, str]:
        found = bounds(label)
        if found is None:
            return (1, date.max, date.max, label)
        return (0, found[1], found[0], label)

    return sorted(set(labels), key=key)


def fold(text: str) -> str:
    """Case- and diacritic-insensitive form for matching user input (and sorting names).

    >>> fold("Vĩnh  Phúc"), fold("Đắk Lắk")
    ('vinh phuc', 'dak lak')
    """
    text = unicodedata.normalize("NFD", text.replace("Đ", "D").replace("đ", "d"))
    return " ".join("".join(c for c in text if not unicodedata.combining(c)).casefold().split())


def parse_as_of(text: str) -> tuple[str, date]:
    """A user's ``--as-of`` value as (ISO label, last day).

    Accepts the labels the graph stores (``2025-Q1``, ``2025``, ``2025-H1``, ``2025-06``,
    ``2025-06-30``, ``2025-01-01/2025-06-30``) and the usual Vietnamese forms
    (``quý I/2025``, ``Q1/2025``, ``tháng 6/2025``, ``6/2025``, ``năm 2025``).

    >>> parse_as_of("2025-06-30")
    ('2025-06-30', datetime.date(2025, 6, 30))
    >>> parse_as_of("tháng 6/2025")
    ('2025-06', datetime.date(2025, 6, 30))

    Raises:
        ExportError: the text is not a period (the message shows the accepted forms).
    """
    raw = text.strip()
    found = bounds(raw)
    if found is not None:
        return raw, found[1]
    folded = fold(raw)
    m = _VI_QUARTER.match(folded)
    if m:
        q = int(m["q"]) if m["q"].isdigit() else _ROMAN[m["q"]]
        label = f"{m['y']}-Q{q}"
    elif (m := _VI_MONTH.match(folded)) and 1 <= int(m["m"]) <= 12:
        label = f"{m['y']}-{int(m['m']):02d}"
    elif m := _VI_YEAR.match(folded):
        label = m["y"]
    else:
        raise ExportError(
            f"as-of period {text!r} does not parse; write one like 2025-Q1, 2025, 2025-H1, "
            "2025-06, 2025-06-30, 2025-01-01/2025-06-30, 'quý I/2025' or 'tháng 6/2025'"
        )
    end = end_of(label)
    assert end is not None  # built from a matched pattern
    return label, end
