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
from .numbers import EN_MONTH_RE, EN_MONTHS
from .rxgate import may_match, needles

__all__ = ["PeriodMention", "find_periods", "interval_period", "make_period", "year_period"]

_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "1": 1, "2": 2, "3": 3, "4": 4}
_MONTH_WORDS = {"ba": 3, "sáu": 6, "chín": 9, "mười": 10, "mười một": 11}
_EN_NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
               "ten": 10, "eleven": 11, "twelve": 12}
_EN_ORDINAL = {"first": 1, "second": 2, "third": 3, "fourth": 4}


@dataclass(slots=True)
class PeriodMention:
    """A period expression in the text. ``year`` is None when the text gives none."""

    start: int
    end: int
    kind: str  # "year" | "quarter" | "half" | "months" | "month" | "interval" | "ytd" | "range"
    year: int | None
    n: int = 0  # quarter, half, month or number of months
    interval: tuple[str, str] | None = None  # explicit dates (ISO)
    role: str = "period"  # "period" | "plan" | "comparison" | "event" | "index"

    def resolve(self, year: int | None, doc_date: str | None = None) -> Period | None:
        """The period, with ``year`` filling a missing year; None when it cannot be known."""
        y = self.year or year
        if self.kind in ("interval", "range") and self.interval:
            return interval_period(*self.interval)
        if self.kind == "since" and self.interval:  # "từ ngày 1/7 đến nay": up to the document date
            end = self.interval[1] or doc_date
            return interval_period(self.interval[0], end) if end and end >= self.interval[0] else None
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
                return interval_period(self.interval[1][:4] + "-01-01", self.interval[1])
            if doc_date and (self.year is None or int(doc_date[:4]) == y):
                return interval_period(doc_date[:4] + "-01-01", doc_date)
            return None
        return None


def _last_day(y: int, m: int) -> str:
    return f"{y}-{m:02d}-{calendar.monthrange(y, m)[1]:02d}"


def interval_period(a: str, b: str) -> Period:
    """A stated interval; one that is a whole calendar year, first half or first quarter gets that
    label ("đến ngày 31/12/2024" in a yearly report is ``2024``, not ``2024-01-01/2024-12-31``)."""
    if a[:4] == b[:4] and a[5:] == "01-01" and b[5:] in ("03-31", "06-30", "12-31"):
        return months_period(int(a[:4]), int(b[5:7]))  # the first quarter, half or whole year
    return Period(f"{a}/{b}", a, b)


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


_YR = r"(?:19|20)\d{2}"
_Y = rf"(?:\s*(?:/|-|năm)\s*(?P<y>{_YR}))?"
_EN_Y = rf"(?:,?\s+(?:of\s+)?(?:the\s+year\s+)?(?P<y>{_YR}))?"
_DATE = r"(\d{1,2})\s*/\s*(\d{1,2})(?:\s*/\s*((?:19|20)\d{2}))?"
_EN_N = r"one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve"
_INDEX = r"(?:par index|sipas|papi|pci|dti|ddci|index)\)?"
_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("interval", re.compile(rf"từ\s+(?:ngày\s+)?{_DATE}\s*(?:đến|tới|-)\s*(?:hết\s+)?(?:ngày\s+)?{_DATE}")),
    ("since", re.compile(
        rf"từ\s+(?:ngày\s+)?{_DATE}\s*(?:đến|tới)\s*(?:(?:hết\s+)?tháng\s+(?P<em>\d{{1,2}})(?:\s*/\s*(?P<ey>{_YR}))?"
        rf"|(?P<now>nay|thời điểm (?:này|hiện tại)))")),
    ("ytd", re.compile(
        rf"(?:từ\s+đầu\s+năm(?:\s+(?P<y>{_YR}))?(?:\s+(?:đến|tới)\s+(?:nay|thời điểm hiện tại|(?:ngày\s+)?"
        rf"(?P<d>\d{{1,2}})\s*/\s*(?P<m>\d{{1,2}})(?:\s*/\s*(?P<y2>{_YR}))?))?"
        rf"|(?:tính\s+)?(?:đến|tới)\s+(?:hết\s+)?ngày\s+(?P<d3>\d{{1,2}})\s*/\s*(?P<m3>\d{{1,2}})(?:\s*/\s*(?P<y3>{_YR}))?"
        rf"|tính\s+(?:đến|tới)\s+(?:hết\s+)?(?P<d4>\d{{1,2}})\s*/\s*(?P<m4>\d{{1,2}})\s*/\s*(?P<y4>{_YR})"
        rf"|lũy kế từ đầu năm"
        rf"|as\s+of\s+(?P<em>{EN_MONTH_RE})\.?\s+(?P<ed>\d{{1,2}})(?:,?\s+(?P<ey>{_YR}))?"
        rf"|(?:so far|to date) this year|year[- ]to[- ]date|since the (?:beginning|start) of (?:the year|(?P<ey2>{_YR})))")),
    ("quarter", re.compile(rf"quý\s+(?P<n>iv|i{{1,3}}|[1-4])(?![\w]){_Y}")),
    ("quarter:en", re.compile(rf"(?<![\w])q(?P<n>[1-4])(?:\s*[/-]?\s*(?P<y>{_YR}))?(?![\w])"
                           rf"|(?P<w>first|second|third|fourth) quarter{_EN_Y.replace('P<y>', 'P<y2>')}")),
    ("half", re.compile(r"(?:6|sáu)\s+tháng\s+(?P<w>đầu|cuối)\s+năm(?:\s*(?:/|-)?\s*(?P<y>(?:19|20)\d{2}))?"
                        r"|(?P<w2>nửa đầu|nửa cuối)\s+năm(?:\s*(?P<yb>(?:19|20)\d{2}))?")),
    ("half:en", re.compile(rf"(?P<w>first|second) half{_EN_Y}|(?P<w2>first|last) six months{_EN_Y.replace('P<y>', 'P<yb>')}"
                        rf"|(?<![\w])h(?P<n>[12])(?:\s*[/-]?\s*(?P<y2>{_YR}))?(?![\w])")),
    ("months", re.compile(
        r"(?P<n>\d{1,2}|ba|sáu|chín|mười một|mười)\s+tháng\s+(?:đầu\s+năm|năm|qua)(?:\s*(?:năm\s*)?(?P<y>(?:19|20)\d{2}))?"
        r"|(?P<n2>\d{1,2}|ba|sáu|chín|mười)\s+tháng\s*/\s*(?P<y2>(?:19|20)\d{2})")),
    ("months:en", re.compile(rf"first\s+(?P<n>\d{{1,2}}|{_EN_N})\s+months{_EN_Y}"
                          rf"|(?:january|jan)\s*[-–]\s*(?P<m>{EN_MONTH_RE})(?:\s+period)?{_EN_Y.replace('P<y>', 'P<y2>')}")),
    ("month", re.compile(r"tháng\s+(?P<n>0?[1-9]|1[0-2])(?:\s*(?:/|năm)\s*(?P<y>(?:19|20)\d{2}))(?![\d/])")),
    ("month:en", re.compile(rf"(?:(?<=in )|(?<=during )|(?<=for ))(?P<m>{EN_MONTH_RE})(?:\s+(?P<y>{_YR}))?(?![\w])(?!\s+\d)"
                         rf"|(?P<m2>{EN_MONTH_RE})\s+(?P<y2>{_YR})(?![\d])")),
    ("range", re.compile(rf"(?:giai đoạn|thời kỳ|period|from)\s+(?P<y>{_YR})\s*[-–—]\s*(?P<y2>{_YR})(?![\d])")),
    ("year", re.compile(r"(?:năm|cả năm|niên độ)\s+(?P<y>(?:19|20)\d{2})(?![\d/])"
                        r"|(?:trong|cả|suốt) năm(?= |,)(?!\s+(?:19|20)\d{2}| học| tài chính| qua)")),
    ("year:en", re.compile(rf"(?:(?<=in )|(?<=for )|(?<=during )|(?<=throughout )|(?<=year )|(?<=end of )|(?<=by ))"
                        rf"(?P<y>{_YR})(?![\d/%]|[.,]\d)")),
    ("index-year", re.compile(rf"{_INDEX}\s+(?P<y>{_YR})(?![\d/%]|[.,]\d)")),
    ("index-year:en", re.compile(rf"(?<![\d.,])(?P<y>{_YR})\s+(?:par index|sipas|papi|pci|dti)(?![\w])")),
]

# (kind, English only, pattern, gate): a line without any of a pattern's needles (``rxgate``) is
# not scanned for it, most lines name few periods
_GATED = [(tag.partition(":")[0], tag.endswith(":en"), rx, needles(rx)) for tag, rx in _PATTERNS]


_PLAN_CUE = re.compile(r"(kế hoạch|chỉ tiêu|mục tiêu|dự toán|nghị quyết|chương trình|đề án|giai đoạn|phấn đấu|dự kiến|"
                       r"định hướng|tầm nhìn|target|plan)[^.;:]{0,60}$")
_PLAN_AFTER = re.compile(r"[^.;:]{0,30}?(?:phấn đấu|đặt mục tiêu|mục tiêu|dự kiến|đề ra|aims? to|targets?|plans? to)")
# the comparison word may be followed by a number with a decimal comma ("gấp 1,4 lần mức của năm 2020")
_COMPARISON_CUE = re.compile(r"(so với|so cùng kỳ|cùng kỳ|bằng|hơn|kém|gấp|from|than|compared (?:with|to)|against|"
                             r"versus|vs\.?)(?:[^.;,]|(?<=\d)[.,](?=\d)){0,25}$")
_EVENT_CUE = re.compile(r"(?:phiên họp|kỳ họp|hội nghị|cuộc họp|buổi họp|lễ công bố|meeting|session)[^.;,]{0,40}$")
_INDEX_CUE = re.compile(rf"(?:{_INDEX}|chỉ số [^.;]{{0,30}})\s*(?:for|of|in)?\s*$")


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


def find_periods(mtext: str, start: int, end: int, doc_year: int | None = None,
                 english: bool = True) -> list[PeriodMention]:
    """Period expressions in ``mtext[start:end]`` (the matching form), non-overlapping.

    Each gets a role: ``comparison`` ("so với năm 2023", "from 2021"), ``plan`` (the year of a
    plan or target: "Kế hoạch CCHC năm 2025", "Năm 2026, tỉnh phấn đấu"), ``event`` (when a
    meeting was held: "phiên họp thường kỳ tháng 3/2025"), ``index`` (the edition of an index:
    "Chỉ số PAR INDEX năm 2024", "PCI 2023") or ``period``."""
    found: list[PeriodMention] = []
    taken: list[tuple[int, int]] = []
    seg = mtext[start:end]
    for kind, en_only, rx, g in _GATED:
        if (en_only and not english) or not may_match(g, seg):
            continue
        for m in rx.finditer(mtext, start, end):
            if any(a < m.end() and m.start() < b for a, b in taken):
                continue
            pm = _mention(kind, m, doc_year)
            if pm is None:
                continue
            before = mtext[max(start, m.start() - 70): m.start()]
            if _COMPARISON_CUE.search(before):
                pm.role = "comparison"
            elif _EVENT_CUE.search(before[-45:]):
                pm.role = "event"
            elif kind == "index-year" or (pm.kind == "year" and _INDEX_CUE.search(before[-40:])):
                pm.role = "index"
            elif pm.kind in ("year", "range") and (_PLAN_CUE.search(before) or _PLAN_AFTER.match(mtext, m.end(), end)):
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
    if kind == "since":
        g = m.groupdict()
        start_year = m.group(3) or g.get("ey")
        a = _iso(m.group(1), m.group(2), start_year, doc_year)
        if a is None:
            return None
        b: str | None = None
        if g.get("em"):
            month = int(g["em"])
            year = int(g["ey"]) if g.get("ey") else int(a[:4])
            if not 1 <= month <= 12:
                return None
            b = _last_day(year, month)
        return PeriodMention(m.start(), m.end(), "since", int((b or a)[:4]), interval=(a, b))  # type: ignore[arg-type]
    if kind == "ytd":
        d, mo = g.get("d") or g.get("d3") or g.get("d4") or g.get("ed"), g.get("m") or g.get("m3") or g.get("m4")
        if g.get("em"):
            mo = str(EN_MONTHS[g["em"]])
        y = g.get("y") or g.get("y2") or g.get("y3") or g.get("y4") or g.get("ey") or g.get("ey2")
        if d and mo:
            iso = _iso(d, mo, y, doc_year)
            if iso is None:
                return None
            return PeriodMention(m.start(), m.end(), "ytd", int(iso[:4]), interval=(iso[:4] + "-01-01", iso))
        return PeriodMention(m.start(), m.end(), "ytd", int(y) if y else None)
    y = g.get("y") or g.get("y2") or g.get("yb")
    year = int(y) if y else None
    if kind == "quarter":
        n = _ROMAN.get(g.get("n") or "") or _EN_ORDINAL.get(g.get("w") or "", 0)
        return PeriodMention(m.start(), m.end(), "quarter", year, n) if n else None
    if kind == "half":
        w = g.get("w") or g.get("w2") or ""
        n = int(g["n"]) if g.get("n") else (1 if w in ("đầu", "nửa đầu", "first") else 2)
        return PeriodMention(m.start(), m.end(), "half", year, n)
    if kind == "months":
        raw = g.get("n") or g.get("n2") or ""
        n = int(raw) if raw.isdigit() else _MONTH_WORDS.get(raw, 0) or _EN_NUMBERS.get(raw, 0)
        if g.get("m"):
            n = EN_MONTHS[g["m"]]
        if not 1 <= n <= 12:
            return None
        return PeriodMention(m.start(), m.end(), "months", year, n)
    if kind == "month":
        name = g.get("m") or g.get("m2")
        return PeriodMention(m.start(), m.end(), "month", year, EN_MONTHS[name] if name else int(g["n"]))
    if kind == "range":
        a_year, b_year = int(g["y"]), int(g["y2"])
        if b_year <= a_year:
            return None
        return PeriodMention(m.start(), m.end(), "range", b_year, interval=(f"{a_year}-01-01", f"{b_year}-12-31"))
    if kind in ("year", "index-year"):
        return PeriodMention(m.start(), m.end(), "year", year)
    return None
