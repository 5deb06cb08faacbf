"""Candidate numbers of one sentence: what is a measured number and what is a date, a year,
a document number, an article, a level ("mức độ 3"), a phone number or a duration.

Everything here works on the matching form (``normalize.match_form``), whose offsets are the
text's offsets.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from .numbers import NUMBER_RE, NUMBER_WORDS, SCALE_RE, SCALES, parse_number

__all__ = ["Candidate", "candidates"]


@dataclass(slots=True)
class Candidate:
    start: int  # the number itself
    end: int
    value: Decimal
    decimals: int
    form: str  # "plain" | "fraction" | "rank" | "score" | "word" | "target-double-digit"
    scale: Decimal = Decimal(1)
    after: int = 0  # end of number + scale (where a unit may start)
    den: Decimal | None = None  # fraction denominator / rank "of" / score maximum
    den_span: tuple[int, int] | None = None


_DOCNUM = re.compile(r"(?<![\w/.])\d+(?:[/.]\d+)*/(?=[^\s,;]*[a-zđ])[^\s,;)]+")
_DATES = [
    re.compile(r"(?<![\w/.,])\d{1,2}\s*/\s*\d{1,2}\s*/\s*\d{2,4}(?![\w/])"),
    re.compile(r"(?<![\w.,])\d{1,2}\.\d{1,2}\.(?:19|20)\d{2}(?![\w.])"),
    re.compile(r"(?<![\w-])\d{1,2}-\d{1,2}-(?:19|20)\d{2}(?![\w-])"),
    re.compile(r"(?:ngày|hôm|đêm|sáng|chiều)\s+\d{1,2}(?:\s*[/-]\s*\d{1,2})?(?:\s*[/-]\s*\d{2,4})?(?![\d])"),
    re.compile(r"(?:tháng|quý)\s+\d{1,2}(?:\s*[/-]\s*(?:19|20)\d{2})?(?!\d)"),
    re.compile(r"(?:đến|từ|hết|tới|trước|sau|tính đến|kể từ)\s+\d{1,2}\s*/\s*\d{1,2}(?![\d/])"),
    re.compile(r"(?<![\d.,])\d{1,2}\s*(?:giờ|h(?![\wÀ-ỹ]))\s*\d{0,2}"),
]
_REFS = re.compile(
    r"(?:điều|khoản|điểm|mục|chương|phụ lục|phần|bước|khóa|khoá|lần thứ|mức độ|cấp độ|level|đề án|"
    r"chương trình|nghị quyết|quyết định|nghị định|thông tư|chỉ thị|công văn|tờ trình|luật|"
    r"(?<!tổng )(?<!với )(?<!tổng )\bsố|hotline|điện thoại|đt|sđt|fax|tổng đài|mã|phiên bản|version|iso|"
    r"tcvn|top|nhóm|tiêu chí|chỉ số thành phần|lĩnh vực|thôn|tổ|khu|ấp|lô|phòng|tầng|km|quốc lộ|ql|"
    r"tỉnh lộ|căn cứ)\s*(?:số\s*)?(?:[:.]\s*)?\d+(?:[.,/-]\d+)*"
)
_MUC_DO = re.compile(r"mức(?: độ)?\s+\d(?:\s*(?:,|và|-)\s*\d)*")
_PHONE = re.compile(r"(?<!\d)0\d{2,3}[\s.]?\d{3}[\s.]?\d{3,4}(?!\d)|\(\d{3,4}\)\s*\d{3}[\s.]?\d{3,4}")
_YEAR = re.compile(r"(?<![\d.,/])(?:19|20)\d{2}(?![\d.,%/])")
_YEAR_RANGE = re.compile(r"(?<![\d.,])(?:19|20)\d{2}\s*[-–—/]\s*(?:19|20)\d{2}(?![\d])")
_DURATION = re.compile(r"\s*(?:tháng|ngày|năm|giờ|phút|tuần|quý|buổi|kỳ|nhiệm kỳ|thế kỷ)(?![\wÀ-ỹ])")
_FRACTION = re.compile(r"(?<![\w.,/])(\d+(?:[.,]\d+)?)\s*/\s*(\d+(?:[.,]\d{3})*)(?![\w/]|[.,]\d)")
_RANK_BEFORE = re.compile(r"(?:xếp|đứng|vị trí|xếp hạng|hạng|thứ hạng)(?:\s+thứ)?\s*$|(?:xếp|đứng)\s+(?:ở\s+)?(?:vị trí\s+)?thứ\s*$")
_WORD_NUM = re.compile(
    r"(?<![\wÀ-ỹ])(hai|ba|bốn|năm|sáu|bảy|tám|chín|mười)\s+(?=(?:hệ thống|địa phương|cơ quan|đơn vị|sở|"
    r"huyện|xã|nhiệm vụ|tthc|thủ tục|doanh nghiệp|quyết định|chỉ số|nền tảng|cơ sở dữ liệu|tỉnh|"
    r"bộ|ngành|trung tâm|đoàn|cuộc|văn bản)(?![\wÀ-ỹ]))")
_DOUBLE_DIGIT = re.compile(r"(?<![\wÀ-ỹ])(2|hai) con số(?![\wÀ-ỹ])")
_SCORE_MAX = {Decimal(v) for v in (10, 18, 20, 22, 80, 100, 1000)}


def _overlaps(a: int, b: int, spans: list[tuple[int, int]]) -> bool:
    return any(s < b and a < e for s, e in spans)


def excluded_spans(mtext: str, a: int, b: int) -> list[tuple[int, int]]:
    """Spans in ``mtext[a:b]`` whose digits are not measurements."""
    spans: list[tuple[int, int]] = []
    for rx in (_DOCNUM, *_DATES, _REFS, _MUC_DO, _PHONE, _YEAR_RANGE):
        spans.extend((m.start(), m.end()) for m in rx.finditer(mtext, a, b))
    return spans


def candidates(mtext: str, a: int, b: int, locale: str, blocked: list[tuple[int, int]]) -> list[Candidate]:
    """Measured-number candidates in ``mtext[a:b]``, in text order.

    ``blocked`` holds spans already explained (period expressions). Ranks ("xếp thứ 5/63"),
    fractions ("18/64"), scores ("90,09/100 điểm"), number words ("sáu địa phương") and plain
    numbers are told apart here; units and meaning are decided by the extractor.
    """
    spans = blocked + excluded_spans(mtext, a, b)
    out: list[Candidate] = []
    claimed: list[tuple[int, int]] = []

    def num(raw: str) -> tuple[Decimal, int] | None:
        return parse_number(raw, locale)

    for m in _FRACTION.finditer(mtext, a, b):
        if _overlaps(m.start(), m.end(), spans):
            continue
        n, d = num(m.group(1)), num(m.group(2))
        if n is None or d is None or d[0] == 0:
            continue
        before = mtext[max(a, m.start() - 25): m.start()]
        after = mtext[m.end(): m.end() + 12]
        if _RANK_BEFORE.search(before):
            out.append(Candidate(m.start(1), m.end(1), n[0], n[1], "rank", after=m.end(),
                                 den=d[0], den_span=(m.start(2), m.end(2))))
        elif d[0] in _SCORE_MAX and (n[1] > 0 or re.match(r"\s*điểm", after)) and n[0] <= d[0]:
            out.append(Candidate(m.start(1), m.end(2), n[0], n[1], "score", after=m.end(),
                                 den=d[0], den_span=(m.start(2), m.end(2))))
        elif d[0] <= 12 and n[0] <= 31 and n[1] == 0 and not re.match(r"\s*[a-zđà-ỹ]", after):
            continue  # "20/4": a day and a month
        elif n[0] > d[0] and n[1] == 0 and not re.match(r"\s*[a-zđà-ỹ]", after):
            continue
        else:
            out.append(Candidate(m.start(1), m.end(1), n[0], n[1], "fraction", after=m.end(),
                                 den=d[0], den_span=(m.start(2), m.end(2))))
        claimed.append((m.start(), m.end()))
    for m in NUMBER_RE.finditer(mtext, a, b):
        if _overlaps(m.start(), m.end(), spans + claimed):
            continue
        raw = m.group(0)
        if raw.startswith("0") and len(raw) > 1 and raw[1].isdigit():
            continue  # "06", "0211": codes, not quantities
        parsed = num(raw)
        if parsed is None:
            continue
        before = mtext[max(a, m.start() - 25): m.start()]
        if _RANK_BEFORE.search(before) and re.search(r"(?:xếp|đứng|thứ)", before[-12:]):
            out.append(Candidate(m.start(), m.end(), parsed[0], parsed[1], "rank", after=m.end()))
            continue
        scale = Decimal(1)
        after = m.end()
        sm = SCALE_RE.match(mtext, after)
        if sm:
            scale = SCALES[sm.group(1)]
            after = sm.end()
        if _DURATION.match(mtext, after):
            continue
        if _YEAR.fullmatch(raw) and scale == 1 and not re.match(r"\s*(?:hồ sơ|tthc|thủ tục|doanh nghiệp|người|lượt|%)", mtext[after:after + 12]):
            continue
        out.append(Candidate(m.start(), m.end(), parsed[0], parsed[1], "plain", scale=scale, after=after))
    for m in _WORD_NUM.finditer(mtext, a, b):
        if _overlaps(m.start(), m.end(), spans + claimed):
            continue
        out.append(Candidate(m.start(1), m.end(1), Decimal(NUMBER_WORDS[m.group(1)]), 0, "word", after=m.end(1)))
    for m in _DOUBLE_DIGIT.finditer(mtext, a, b):
        out.append(Candidate(m.start(), m.end(), Decimal(10), 0, "target-double-digit", after=m.end()))
    return sorted(out, key=lambda c: c.start)
