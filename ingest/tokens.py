"""Candidate numbers of one sentence: what is a measured number and what is a date, a year,
a document number, an article, a level ("mức độ 3"), a phone number or a duration.

Everything here works on the matching form (``normalize.match_form``), whose offsets are the
text's offsets.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from .lexicon import match_unit
from .numbers import (
    EN_WORD_NUMBER,
    ENGLISH_ORDINALS,
    NUMBER_RE,
    SCALE_RE,
    SCALES,
    VI_WORD_NUMBER,
    parse_number,
    word_value,
)
from .rxgate import may_match, needles

__all__ = ["Candidate", "candidates"]


@dataclass(slots=True)
class Candidate:
    start: int  # the number itself
    end: int
    value: Decimal
    decimals: int
    # "plain" | "fraction" | "rank" | "score" | "word" | "target-double-digit" | "duration" (an
    # average processing time) | "top" ("nhóm 10 địa phương dẫn đầu": a rank bound)
    form: str
    scale: Decimal = Decimal(1)
    after: int = 0  # end of number + scale (where a unit may start)
    den: Decimal | None = None  # fraction denominator / rank "of" / score maximum
    den_span: tuple[int, int] | None = None
    lead: int | None = None  # a currency written before the number ("VND214.6 billion") starts here


_MONTHS = ("january|february|march|april|may|june|july|august|september|october|november|december|"
           "jan|feb|mar|apr|jun|jul|aug|sept|sep|oct|nov|dec")
# Cheap substring tests that decide whether the (slower) English patterns are worth running.
_EN_HINTS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec", " of ", "st ", "nd ",
             "rd ", "th ", "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth")
# Digit-led patterns test "not after a digit/letter" right after their first digit
# ("\d(?<![\w.]\d)" is "(?<![\w.])\d"): starting with a digit lets the regex engine skip
# to the digits of a sentence instead of trying every position. The matches are the same.
_DOCNUM = re.compile(r"\d(?<![\w/.]\d)\d*(?:[/.]\d+)*/(?=[^\s,;]*[a-zđ])[^\s,;)]+")
_DATES = [
    re.compile(r"\d(?<![\w/.,]\d)\d?\s*/\s*\d{1,2}\s*/\s*\d{2,4}(?![\w/])"),
    re.compile(r"\d(?<![\w.,]\d)\d?\.\d{1,2}\.(?:19|20)\d{2}(?![\w.])"),
    re.compile(r"\d(?<![\w-]\d)\d?-\d{1,2}-(?:19|20)\d{2}(?![\w-])"),
    re.compile(r"(?:ngày|hôm|đêm|sáng|chiều)\s+\d{1,2}(?:\s*[/-]\s*\d{1,2})?(?:\s*[/-]\s*\d{2,4})?(?![\d])"),
    re.compile(r"(?:tháng|quý)\s+\d{1,2}(?:\s*[/-]\s*(?:19|20)\d{2})?(?!\d)"),
    re.compile(r"(?:đến|từ|hết|tới|trước|sau|tính đến|kể từ)\s+\d{1,2}\s*/\s*\d{1,2}(?![\d/])"),
    re.compile(r"\d(?<![\d.,]\d)\d?\s*(?:giờ|h(?![\wÀ-ỹ]))\s*\d{0,2}"),
    re.compile(rf"(?<![\w])(?:{_MONTHS})\.?\s+\d{{1,2}}(?:st|nd|rd|th)?(?![\d.,%])(?:,?\s+(?:19|20)\d{{2}})?"),
    re.compile(rf"(?<![\w.,])\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?(?:{_MONTHS})(?![\w])(?:,?\s+(?:19|20)\d{{2}})?"),
]
_REFS = re.compile(
    r"(?<![\wÀ-ỹ])(?<!danh )(?:điều|khoản|mục|chương|phụ lục|phần|bước|khóa|khoá|lần thứ|mức độ|cấp độ|level|đề án|"
    r"chương trình|nghị quyết|quyết định|nghị định|thông tư|chỉ thị|công văn|tờ trình|luật|"
    r"(?<!tổng )(?<!với )\bsố|hotline|điện thoại|đt|sđt|fax|tổng đài|mã|phiên bản|version|iso|"
    r"tcvn|top|nhóm|tiêu chí|chỉ số thành phần|lĩnh vực|thôn|tổ|khu|ấp|lô|phòng|tầng|km|quốc lộ|ql|"
    r"tỉnh lộ|căn cứ|decree|resolution|decision|circular|directive|article|clause|chapter|district|"
    r"ward|route|room|phase|no\.|number|covid-|covid)\s*(?:số\s*)?(?:[:.]\s*)?\d+(?:[.,/-]\d+)*"
)
_MUC_DO = re.compile(r"(?<![\wÀ-ỹ])mức(?: độ)?\s+\d(?!\d|[.,]\d)(?:\s*(?:,|và|-)\s*\d(?!\d|[.,]\d))*")
_PHONE = re.compile(r"0(?<!\d0)\d{2,3}[\s.]?\d{3}[\s.]?\d{3,4}(?!\d)|\(\d{3,4}\)\s*\d{3}[\s.]?\d{3,4}")
_YEAR = re.compile(r"(?<![\d.,/])(?:19|20)\d{2}(?![\d.,%/])")
_YEAR_RANGE = re.compile(r"(?<![\d.,])(?:19|20)\d{2}\s*[-–—/]\s*(?:19|20)\d{2}(?![\d])")
_DURATION = re.compile(r"\s*(?:tháng|ngày|năm|giờ|phút|tuần|quý|buổi|kỳ|nhiệm kỳ|thế kỷ|"
                       r"(?:working |calendar )?(?:days?|weeks?|months?|years?|hours?|minutes?|quarters?|terms?))(?![\wÀ-ỹ])")
_FRACTION = re.compile(r"(\d(?<![\w.,/]\d)\d*(?:[.,]\d+)?)\s*/\s*(\d+(?:[.,]\d{3})*)(?![\w/]|[.,]\d)")
_RANK_BEFORE = re.compile(r"(?<![\wÀ-ỹ])(?<!sắp )(?:xếp|đứng|vị trí|xếp hạng|hạng|thứ hạng)(?:\s+thứ)?\s*$"
                          r"|(?<![\wÀ-ỹ])(?<!sắp )(?:xếp|đứng)\s+(?:ở\s+)?(?:vị trí\s+)?thứ\s*$")
# a plain number is a rank only with "thứ", "hạng" or "vị trí" ("xếp thứ 5", not "sắp xếp 58 xã")
_RANK_WORD = re.compile(r"(?:thứ|hạng|vị trí)\s*$")
_WORD_NUM = re.compile(rf"(?<![\wÀ-ỹ-])({VI_WORD_NUMBER}|{EN_WORD_NUMBER})(?=\s)")
_WORD_NUM_GATE = needles(_WORD_NUM)
_NOT_FIVE = re.compile(r"(?:trong|cả|mỗi|hằng|hàng|cuối|đầu|giữa|của|các|những|nhiều|từng|sang|vào|qua)\s+$")
_ORDINAL = re.compile(r"(?<![\w.,])(\d{1,3})(?:st|nd|rd|th)(?![\w])|(?<![\w-])(first|second|third|fourth|fifth|sixth|"
                      r"seventh|eighth|ninth|tenth)(?![\w-])")
_ORDINAL_RANK_BEFORE = re.compile(
    r"(?:rank(?:ed|ing|s)?|plac(?:ed|ing)|position(?:ed)?|stood|came|finished|climbed|rose|jumped|moved|fell|dropped)"
    r"\s+(?:up\s+|down\s+)?(?:at\s+|in\s+|to\s+)?(?:the\s+)?$|(?:places?|positions?|spots?|notches?)\s+to\s+(?:the\s+)?$")
_OUT_OF = re.compile(r"\s*(?:place\s+|position\s+)?(?:out\s+of|of|among)\s+(?:the\s+|all\s+)?(\d+)(?![\w.,])")
_OF_THE = re.compile(rf"(?<![\w.,-])(\d+|{EN_WORD_NUMBER})\s+(?:out\s+)?of\s+(?:the\s+|all\s+|its\s+|their\s+)?"
                     rf"(\d+|{EN_WORD_NUMBER})(?=\s)")
_TOP = re.compile(r"(?<![\wÀ-ỹ])(?:nhóm|top)\s+(\d{1,2})\s+(?:(?:tỉnh, thành phố|địa phương|tỉnh|đơn vị|bộ, ngành|"
                  r"bộ|provinces?|localities)\s+)?(?:(?:có|có chỉ số|đạt)\s+)?(?:dẫn đầu|đứng đầu|cao nhất|tốt nhất|"
                  r"xuất sắc|nationwide|in the country)")
_AVG_TIME = re.compile(r"(?:thời gian (?:giải quyết|xử lý|thực hiện)|average (?:processing |handling )?time)"
                       r"[^.;]{0,70}$")
_AVG_WORD = re.compile(r"trung bình|bình quân|average")
_TIME_UNIT = re.compile(r"\s*(?:ngày|giờ|phút|working days?|days?|hours?)(?![\wÀ-ỹ])")
_CURRENCY_LEAD = re.compile(r"(?<![\w])(vnd|vnđ|usd|us\$|\$)\s?(?=\d)")
_CURRENCY_NUMBER = re.compile(r"(?<![\w])(?:vnd|vnđ|usd|us\$|\$)\s?(\d+(?:[.,]\d+)*)(?![\w])")
_YEAR_AS_COUNT = re.compile(r"\s*(?:hồ sơ|tthc|thủ tục|doanh nghiệp|người|lượt|%)")  # "2025 hồ sơ" is a count
_NOT_FIVE_AFTER = re.compile(r"\s+(?:nay|qua|trước|sau|tới|học|ngân sách|thứ)")  # "năm nay", "năm thứ"
_DOUBLE_DIGIT = re.compile(r"(?<![\wÀ-ỹ])(2|hai) con số(?![\wÀ-ỹ])")
_SCORE_MAX = {Decimal(v) for v in (5, 10, 18, 20, 22, 80, 100, 1000)}


class _Taken:
    """Characters of a sentence already explained (dates, references, claimed numbers): a mask,
    so that testing a number costs its length, not the number of spans."""

    __slots__ = ("base", "mask")

    def __init__(self, a: int, b: int, spans: list[tuple[int, int]]) -> None:
        self.base = a
        self.mask = bytearray(b - a)
        for s, e in spans:
            self.add(s, e)

    def add(self, s: int, e: int) -> None:
        s, e = max(s - self.base, 0), max(e - self.base, 0)
        if e > s:
            self.mask[s:e] = b"\x01" * (e - s)

    def hit(self, s: int, e: int) -> bool:
        return 1 in self.mask[max(s - self.base, 0):max(e - self.base, 0)]


_DIGIT = re.compile(r"\d")
# Each exclusion runs only when the characters it needs are in the sentence: a separator it
# cannot match without, else the literal strings of its matches (``rxgate.needles``).
_EXCLUSIONS: list[tuple[re.Pattern[str], tuple[str, ...] | None]] = [
    (rx, need or needles(rx)) for rx, need in [
        (_DOCNUM, ("/",)), (_DATES[0], ("/",)), (_DATES[1], (".",)), (_DATES[2], ("-",)),
        (_DATES[3], None), (_DATES[4], None), (_DATES[5], ("/",)), (_DATES[6], None), (_REFS, None),
        (_MUC_DO, None), (_PHONE, None), (_YEAR_RANGE, None),
    ]
]
_EN_EXCLUSIONS = _DATES[7:]


def _english_hint(seg: str) -> bool:
    return may_match(_EN_HINTS, seg)  # any of the hints, by a plain loop (no generator)


def excluded_spans(mtext: str, a: int, b: int,
                   english_hint: bool | None = None) -> list[tuple[int, int]]:
    """Spans in ``mtext[a:b]`` whose digits are not measurements (``english_hint``: whether
    the segment has an English month or ordinal hint, when the caller knows)."""
    spans: list[tuple[int, int]] = []
    seg = mtext[a:b]
    rxs = [rx for rx, g in _EXCLUSIONS if may_match(g, seg)]
    if _english_hint(seg) if english_hint is None else english_hint:
        rxs += _EN_EXCLUSIONS
    for rx in rxs:
        spans.extend([m.span() for m in rx.finditer(mtext, a, b)])
    return spans


def candidates(mtext: str, a: int, b: int, locale: str, blocked: list[tuple[int, int]]) -> list[Candidate]:
    """Measured-number candidates in ``mtext[a:b]``, in text order.

    ``blocked`` holds spans already explained (period expressions). Ranks ("xếp thứ 5/63",
    "ranked 3rd"), fractions ("18/64", "53 of the 63"), scores ("90,09/100 điểm"), number words
    ("sáu địa phương", "five places"), average processing times and plain numbers are told
    apart here; units and meaning are decided by the extractor.
    """
    out: list[Candidate] = []
    seg = mtext[a:b]
    if not _DIGIT.search(seg):  # only number words can count here ("sáu địa phương", "hai con số")
        _words(mtext, a, b, _Taken(a, b, blocked), out)
        return sorted(out, key=lambda c: c.start)
    english_hint = _english_hint(seg)
    spans = _Taken(a, b, blocked + excluded_spans(mtext, a, b, english_hint))
    blocked_only = _Taken(a, b, blocked)

    def num(raw: str) -> tuple[Decimal, int] | None:
        return parse_number(raw, locale)

    for m in _TOP.finditer(mtext, a, b) if ("nhóm" in seg or "top" in seg) else ():
        # before the exclusions: "nhóm 10" is otherwise a reference
        if blocked_only.hit(m.start(1), m.end(1)):
            continue
        out.append(Candidate(m.start(1), m.end(1), Decimal(m.group(1)), 0, "top", after=m.end(1)))
        spans.add(m.start(1), m.end(1))
    _fractions(mtext, a, b, locale, spans, out)
    if english_hint:
        _ordinals(mtext, a, b, spans, out)
    for m in _OF_THE.finditer(mtext, a, b) if " of " in seg else ():  # "53 of the 63 localities": two counts of one noun
        if spans.hit(m.start(), m.end()) or _ORDINAL_RANK_BEFORE.search(mtext, max(a, m.start() - 30), m.start()):
            continue
        num_v, den_v = _value(m.group(1), locale), _value(m.group(2), locale)
        if num_v is None or den_v is None or num_v[0] > den_v[0]:
            continue
        for i, v in ((1, num_v), (2, den_v)):
            form = "word" if m.group(i)[0].isalpha() else "plain"
            out.append(Candidate(m.start(i), m.end(i), v[0], v[1], form, after=m.end(2)))
        spans.add(m.start(), m.end())
    currency = "vnd" in seg or "vnđ" in seg or "usd" in seg or "$" in seg
    for m in _CURRENCY_NUMBER.finditer(mtext, a, b) if currency else ():  # "VND214.6 billion": the currency glued in front
        parsed = num(m.group(1))
        if parsed is None or spans.hit(m.start(), m.end()):
            continue
        sm = SCALE_RE.match(mtext, m.end())
        scale = SCALES[sm.group(1)] if sm else Decimal(1)
        out.append(Candidate(m.start(1), m.end(1), parsed[0], parsed[1], "plain", scale=scale,
                             after=sm.end() if sm else m.end(), lead=m.start()))
        spans.add(m.start(), m.end())
    for m in NUMBER_RE.finditer(mtext, a, b):
        if spans.hit(m.start(), m.end()):
            continue
        raw = m.group(0)
        if raw.startswith("0") and len(raw) > 1 and raw[1].isdigit() and not (
                len(raw) == 2 and match_unit(mtext, m.end()) is not None):
            continue  # "0211", "06": codes, not quantities; but "05 kế hoạch", "02 hội nghị" are counts
        parsed = num(raw)
        if parsed is None:
            continue
        before = mtext[max(a, m.start() - 25): m.start()]
        if _RANK_BEFORE.search(before) and _RANK_WORD.search(before):
            out.append(Candidate(m.start(), m.end(), parsed[0], parsed[1], "rank", after=m.end()))
            continue
        scale = Decimal(1)
        after = m.end()
        sm = SCALE_RE.match(mtext, after)
        if sm:
            scale = SCALES[sm.group(1)]
            after = sm.end()
        if _DURATION.match(mtext, after):
            tm = _TIME_UNIT.match(mtext, after)
            window = mtext[max(a, m.start() - 110):m.start()]
            at = _AVG_TIME.search(window)
            if tm and at and _AVG_WORD.search(window, at.start()):
                out.append(Candidate(m.start(), m.end(), parsed[0], parsed[1], "duration", after=tm.end()))
            continue
        if _YEAR.fullmatch(raw) and scale == 1 and not _YEAR_AS_COUNT.match(mtext, after, after + 12):
            continue
        lead = _CURRENCY_LEAD.search(mtext, max(a, m.start() - 5), m.start())
        out.append(Candidate(m.start(), m.end(), parsed[0], parsed[1], "plain", scale=scale, after=after,
                             lead=lead.start() if lead and lead.end() == m.start() else None))
    _words(mtext, a, b, spans, out)
    return sorted(out, key=lambda c: c.start)


def _words(mtext: str, a: int, b: int, spans: _Taken, out: list[Candidate]) -> None:
    """Numbers written as words ("sáu", "mười hai", "five") and "hai con số" (a double-digit goal)."""
    seg = mtext[a:b]
    for m in _WORD_NUM.finditer(mtext, a, b) if may_match(_WORD_NUM_GATE, seg) else ():
        if spans.hit(m.start(), m.end()):
            continue
        if m.group(1) == "năm" and (_NOT_FIVE.search(mtext, max(a, m.start() - 8), m.start())
                                    or _NOT_FIVE_AFTER.match(mtext, m.end(), m.end() + 12)):
            continue
        value = word_value(m.group(1))
        if value is not None:
            out.append(Candidate(m.start(1), m.end(1), Decimal(value), 0, "word", after=m.end(1)))
    if "con số" in seg:
        for m in _DOUBLE_DIGIT.finditer(mtext, a, b):
            out.append(Candidate(m.start(), m.end(), Decimal(10), 0, "target-double-digit", after=m.end()))


def _value(raw: str, locale: str) -> tuple[Decimal, int] | None:
    if raw[0].isalpha():
        v = word_value(raw)
        return (Decimal(v), 0) if v is not None else None
    return parse_number(raw, locale)


def _fractions(mtext: str, a: int, b: int, locale: str, spans: _Taken,
               out: list[Candidate]) -> None:
    """"18/64 nhiệm vụ" (two counts), "xếp thứ 5/63" (a rank), "90,09/100 điểm" (a score);
    "20/4" is a date and is skipped."""
    if "/" not in mtext[a:b]:
        return
    for m in _FRACTION.finditer(mtext, a, b):
        if spans.hit(m.start(), m.end()):
            continue
        n, d = parse_number(m.group(1), locale), parse_number(m.group(2), locale)
        if n is None or d is None or d[0] == 0:
            continue
        before = mtext[max(a, m.start() - 25): m.start()]
        after = mtext[m.end(): m.end() + 12]
        if _RANK_BEFORE.search(before) or _ORDINAL_RANK_BEFORE.search(before):
            out.append(Candidate(m.start(1), m.end(1), n[0], n[1], "rank", after=m.end(),
                                 den=d[0], den_span=(m.start(2), m.end(2))))
        elif n[0] <= d[0] and (n[1] > 0 and (d[0] in _SCORE_MAX or d[1] == 0)
                               or d[0] in _SCORE_MAX and re.match(r"\s*(?:điểm|points?)", after)):
            out.append(Candidate(m.start(1), m.end(2), n[0], n[1], "score", after=m.end(),
                                 den=d[0], den_span=(m.start(2), m.end(2))))
        elif d[0] <= 12 and n[0] <= 31 and n[1] == 0 and not re.match(r"\s*[a-zđà-ỹ]", after):
            continue  # "20/4": a day and a month
        elif n[0] > d[0] and n[1] == 0 and not re.match(r"\s*[a-zđà-ỹ]", after):
            continue
        else:
            out.append(Candidate(m.start(1), m.end(1), n[0], n[1], "fraction", after=m.end(),
                                 den=d[0], den_span=(m.start(2), m.end(2))))
        spans.add(m.start(), m.end())


def _ordinals(mtext: str, a: int, b: int, spans: _Taken,
              out: list[Candidate]) -> None:
    """English ranks: "ranking 3rd out of 63", "jumped 24 places to 8th", "ranked first"."""
    for m in _ORDINAL.finditer(mtext, a, b):
        if spans.hit(m.start(), m.end()):
            continue
        if not _ORDINAL_RANK_BEFORE.search(mtext, max(a, m.start() - 30), m.start()):
            continue
        value = Decimal(m.group(1)) if m.group(1) else Decimal(ENGLISH_ORDINALS[m.group(2)])
        den = _OUT_OF.match(mtext, m.end(), b)
        out.append(Candidate(m.start(), m.end(), value, 0, "rank", after=m.end(),
                             den=Decimal(den.group(1)) if den else None,
                             den_span=(den.start(1), den.end(1)) if den else None))
        spans.add(m.start(), den.end() if den else m.end())
