"""Reporting periods: "Quý I/2025", "6 tháng đầu năm", "tháng 4/2025", "năm 2024",
"từ ngày 15/12/2024 đến ngày 14/3/2025", "từ đầu năm đến nay" (relative to the document date).

Labels are ISO 8601: ``2025``, ``2025-Q1``, ``2025-H1``, ``2025-04`` and intervals
``2025-01-01/2025-09-30``. Expressions without a year take the year of their context.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass

from .facts import Period

__all__ = ["PeriodMention", "find_periods", "make_period", "year_period"]

_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "1": 1, "2": 2, "3": 3, "4": 4}
_MONTH_WORDS = {"ba": 3, "sáu": 6, "chín": 9, "mười": 10, "mười một": 11}


@dataclass(slots=True)
class PeriodMention:
    """A period expression in the text. ``year`` is None when the text gives none."""

    start: int
    end: int
    kind: str  # "year" | "quarter" | "half" | "months" | "month" | "interval" | "ytd"
    year: int | None
    n: int = 0  # quarter, half, month or number of months
    interval: tuple[str, str] | None = None  # explicit dates (ISO)
    role: str = "period"  # "period" | "plan" | "comparison"

    def resolve(self, year: int | None, doc_date: str | None = None) -> Period | None:
        """The period, with ``year`` filling a missing year; None when it cannot be known."""
        y = self.year or year
        if self.kind == "interval" and self.interval:
            a, b = self.interval
            return Period(f"{a}/{b}", a, b)
        if y is None:
            return None
        if self.kind == "year":
            return year_period(y)
        if self.kind == "quarter":
            m1, m3 = 3 * self.n - 2, 3 * self.n
            return Period(f"{y}-Q{self.n}", f"{y}-{m1:02d}-01", _last_day(y, m3))
        if self.kind == "half":
            m1, m6 = (1, 6) if self.n == 1 else (7, 12)
            return Period(f"{y}-H{self.n}", f"{y}-{m1:02d}-01", _last_day(y, m6))
        if self.kind == "months":
            return months_period(y, self.n)
        if self.kind == "month":
            return Period(f"{y}-{self.n:02d}", f"{y}-{self.n:02d}-01", _last_day(y, self.n))
        if self.kind == "ytd":
            if self.interval:  # "tính đến ngày 20/4/2025"
                end = self.interval[1]
                return Period(f"{end[:4]}-01-01/{end}", f"{end[:4]}-01-01", end)
            if doc_date and (self.year is None or int(doc_date[:4]) == y):
                return Period(f"{doc_date[:4]}-01-01/{doc_date}", f"{doc_date[:4]}-01-01", doc_date)
            return None
        return None


def _last_day(y: int, m: int) -> str:
    return f"{y}-{m:02d}-{calendar.monthrange(y, m)[1]:02d}"


def year_period(y: int) -> Period:
    return Period(str(y), f"{y}-01-01", f"{y}-12-31")


def months_period(y: int, n: int) -> Period:
    """The first ``n`` months of a year: a quarter, a half, a year or an interval.

    >>> months_period(2025, 9).label
    '2025-01-01/2025-09-30'
    >>> months_period(2025, 3).label
    '2025-Q1'
    """
    if n == 3:
        return Period(f"{y}-Q1", f"{y}-01-01", _last_day(y, 3))
    if n == 6:
        return Period(f"{y}-H1", f"{y}-01-01", _last_day(y, 6))
    if n == 12:
        return year_period(y)
    end = _last_day(y, n)
    return Period(f"{y}-01-01/{end}", f"{y}-01-01", end)


def make_period(label: str) -> Period:
    """A Period from its ISO label (used for JSONL metadata and tests).

    >>> make_period("2025-Q1").end
    '2025-03-31'
    """
    if "/" in label:
        a, b = label.split("/", 1)
        return Period(label, a, b)
    m = re.fullmatch(r"(\d{4})(?:-(Q|H)(\d)|-(\d{2}))?", label)
    if not m:
        raise ValueError(f"not a period label: {label!r}")
    y = int(m.group(1))
    if m.group(2) == "Q":
        return PeriodMention(0, 0, "quarter", y, int(m.group(3))).resolve(y)  # type: ignore[return-value]
    if m.group(2) == "H":
        return PeriodMention(0, 0, "half", y, int(m.group(3))).resolve(y)  # type: ignore[return-value]
    if m.group(4):
        return PeriodMention(0, 0, "month", y, int(m.group(4))).resolve(y)  # type: ignore[return-value]
    return year_period(y)


_Y = r"(?:\s*(?:/|-|năm)\s*(?P<y>(?:19|20)\d{2}))?"
_DATE = r"(\d{1,2})\s*/\s*(\d{1,2})(?:\s*/\s*((?:19|20)\d{2}))?"
_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("interval", re.compile(rf"từ\s+(?:ngày\s+)?{_DATE}\s*(?:đến|tới|-)\s*(?:hết\s+)?(?:ngày\s+)?{_DATE}")),
    ("ytd", re.compile(
        r"(?:từ\s+đầu\s+năm(?:\s+(?P<y>(?:19|20)\d{2}))?\s+(?:đến|tới)\s+(?:nay|thời điểm hiện tại|(?:ngày\s+)?"
        r"(?P<d>\d{1,2})\s*/\s*(?P<m>\d{1,2})(?:\s*/\s*(?P<y2>(?:19|20)\d{2}))?)"
        r"|(?:tính\s+)?(?:đến|tới)\s+ngày\s+(?P<d3>\d{1,2})\s*/\s*(?P<m3>\d{1,2})(?:\s*/\s*(?P<y3>(?:19|20)\d{2}))?"
        r"|lũy kế từ đầu năm)")),
    ("quarter", re.compile(rf"quý\s+(?P<n>iv|i{{1,3}}|[1-4])(?![\w]){_Y}")),
    ("half", re.compile(rf"(?:6|sáu)\s+tháng\s+(?P<w>đầu|cuối)\s+năm{_Y}|(?P<w2>nửa đầu|nửa cuối)\s+năm{_Y.replace('P<y>', 'P<yb>')}")),
    ("months", re.compile(
        r"(?P<n>\d{1,2}|ba|sáu|chín|mười một|mười)\s+tháng\s+(?:đầu\s+năm|năm|qua)(?:\s*(?:năm\s*)?(?P<y>(?:19|20)\d{2}))?"
        r"|(?P<n2>\d{1,2}|ba|sáu|chín|mười)\s+tháng\s*/\s*(?P<y2>(?:19|20)\d{2})")),
    ("month", re.compile(r"tháng\s+(?P<n>0?[1-9]|1[0-2])(?:\s*(?:/|năm)\s*(?P<y>(?:19|20)\d{2}))(?![\d/])")),
    ("year", re.compile(r"(?:năm|cả năm|niên độ)\s+(?P<y>(?:19|20)\d{2})(?![\d/])")),
]

_PLAN_CUE = re.compile(r"(kế hoạch|chỉ tiêu|mục tiêu|dự toán|nghị quyết|chương trình|đề án|giai đoạn)[^.;:]{0,60}$")
_COMPARISON_CUE = re.compile(r"(so với|so cùng kỳ|cùng kỳ|bằng|hơn|kém)[^.;,]{0,25}$")


def _iso(d: str, m: str, y: str | None, fallback_year: int | None) -> str | None:
    year = int(y) if y else fallback_year
    if year is None:
        return None
    try:
        day, month = int(d), int(m)
        if not (1 <= month <= 12 and 1 <= day <= calendar.monthrange(year, month)[1]):
            return None
    except ValueError:
        return None
    return f"{year}-{month:02d}-{day:02d}"


def find_periods(mtext: str, start: int, end: int, doc_year: int | None = None) -> list[PeriodMention]:
    """Period expressions in ``mtext[start:end]`` (the matching form), non-overlapping."""
    found: list[PeriodMention] = []
    taken: list[tuple[int, int]] = []
    for kind, rx in _PATTERNS:
        for m in rx.finditer(mtext, start, end):
            if any(a < m.end() and m.start() < b for a, b in taken):
                continue
            pm = _mention(kind, m, doc_year)
            if pm is None:
                continue
            before = mtext[max(start, m.start() - 70): m.start()]
            if _COMPARISON_CUE.search(before):
                pm.role = "comparison"
            elif pm.kind == "year" and _PLAN_CUE.search(before):
                pm.role = "plan"
            found.append(pm)
            taken.append((m.start(), m.end()))
    return sorted(found, key=lambda p: p.start)


def _mention(kind: str, m: re.Match[str], doc_year: int | None) -> PeriodMention | None:
    g = m.groupdict()
    if kind == "interval":
        y2 = m.group(6)
        a = _iso(m.group(1), m.group(2), m.group(3), int(y2) if y2 else doc_year)
        b = _iso(m.group(4), m.group(5), y2, doc_year)
        if a and b and a > b and not m.group(3) and y2:  # "từ 15/12 đến 14/3/2025"
            a = _iso(m.group(1), m.group(2), str(int(y2) - 1), None)
        if not (a and b):
            return None
        return PeriodMention(m.start(), m.end(), "interval", int(b[:4]), interval=(a, b))
    if kind == "ytd":
        d, mo = g.get("d") or g.get("d3"), g.get("m") or g.get("m3")
        y = g.get("y") or g.get("y2") or g.get("y3")
        if d and mo:
            iso = _iso(d, mo, y, doc_year)
            if iso is None:
                return None
            return PeriodMention(m.start(), m.end(), "ytd", int(iso[:4]), interval=(iso[:4] + "-01-01", iso))
        return PeriodMention(m.start(), m.end(), "ytd", int(y) if y else None)
    y = g.get("y") or g.get("y2") or g.get("yb")
    year = int(y) if y else None
    if kind == "quarter":
        return PeriodMention(m.start(), m.end(), "quarter", year, _ROMAN[g["n"]])
    if kind == "half":
        w = g.get("w") or g.get("w2") or ""
        return PeriodMention(m.start(), m.end(), "half", year, 1 if "đầu" in w else 2)
    if kind == "months":
        raw = g.get("n") or g.get("n2") or ""
        n = int(raw) if raw.isdigit() else _MONTH_WORDS.get(raw, 0)
        if not 1 <= n <= 12:
            return None
        return PeriodMention(m.start(), m.end(), "months", year, n)
    if kind == "month":
        return PeriodMention(m.start(), m.end(), "month", year, int(g["n"]))
    if kind == "year":
        return PeriodMention(m.start(), m.end(), "year", year)
    return None
