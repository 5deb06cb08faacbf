"""Numbers as Vietnamese reports write them: locale per document, scales, number words.

Vietnamese writes ``125.430`` for 125430 and ``98,5`` for 98.5; English-language outlets write
the opposite. A document's locale is decided once from all its numbers (``detect_locale``),
so one stray ``93.86%`` in a comma-decimal text still reads as 93.86.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

__all__ = ["EN_MONTHS", "EN_MONTH_RE", "ENGLISH_ORDINALS", "EN_WORD_NUMBER", "NUMBER_WORDS", "NumberToken",
           "VI_WORD_NUMBER", "detect_locale",
           "find_numbers", "parse_number", "word_value"]

# The patterns below that must not follow a digit test that after their first digit
# ("\d(?<![.,]\d)" is "(?<![.,])\d"): a pattern that starts with a digit lets the regex
# engine skip straight to the digits of a text, one that starts with a look-behind tries
# every position. The matches are the same.

#: A digit run with separators, not glued to letters or other digits/separators.
NUMBER_RE = re.compile(r"\d(?<![\w.,/]\d)\d*(?:[.,]\d+)*(?![\w])")

_VI_EVIDENCE = re.compile(r"\d(?<![\d.,]\d)(?:\d*,\d{1,2}(?![\d.,])|\d{0,2}(?:\.\d{3})+(?![\d.,]))")
_EN_EVIDENCE = re.compile(r"\d(?<![\d.,]\d)(?:\d*\.\d{1,2}(?![\d.,])|\d{0,2}(?:,\d{3})+(?![\d.,]))")
_DATE_DOTTED = re.compile(r"\d(?<![\d.]\d)\d?\.\d{1,2}\.\d{2,4}(?![\d.])")

SCALES = {
    "nghìn tỷ": Decimal(10) ** 12,
    "ngàn tỷ": Decimal(10) ** 12,
    "nghìn tỉ": Decimal(10) ** 12,
    "tỷ": Decimal(10) ** 9,
    "tỉ": Decimal(10) ** 9,
    "triệu": Decimal(10) ** 6,
    "tr": Decimal(10) ** 6,
    "nghìn": Decimal(10) ** 3,
    "ngàn": Decimal(10) ** 3,
    "trillion": Decimal(10) ** 12,
    "billion": Decimal(10) ** 9,
    "million": Decimal(10) ** 6,
    "thousand": Decimal(10) ** 3,
}
SCALE_RE = re.compile(
    r"\s*(nghìn tỷ|ngàn tỷ|nghìn tỉ|tỷ|tỉ|triệu|tr(?=\.?\s*đ)|nghìn|ngàn|trillion|billion|million|thousand)"
    r"(?![\wÀ-ỹ])\.?",
)

#: Number words as they precede a counted noun ("sáu địa phương", "mười hai cơ quan", "five
#: places"). Vietnamese composes tens ("hai mươi lăm" = 25); see :func:`word_value`.
NUMBER_WORDS = {
    "một": 1, "hai": 2, "ba": 3, "bốn": 4, "tư": 4, "năm": 5, "lăm": 5, "sáu": 6, "bảy": 7, "tám": 8,
    "chín": 9, "mười": 10, "mốt": 1,
}
ENGLISH_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20,
    "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
}
ENGLISH_ORDINALS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7,
    "eighth": 8, "ninth": 9, "tenth": 10,
}
#: English month names (full and abbreviated) for datelines and periods ("July 3, 2025", "Q1").
EN_MONTHS = {
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7, "august": 8,
    "september": 9, "october": 10, "november": 11, "december": 12, "jan": 1, "feb": 2, "mar": 3, "apr": 4,
    "jun": 6, "jul": 7, "aug": 8, "sep": 9, "sept": 9, "oct": 10, "nov": 11, "dec": 12,
}
EN_MONTH_RE = "|".join(sorted(EN_MONTHS, key=len, reverse=True))
_VI_UNIT = "hai|ba|bốn|năm|sáu|bảy|tám|chín"
#: A Vietnamese number word up to 99 ("hai", "mười hai", "ba mươi lăm"); one is left out: "một"
#: is far more often an article ("một cửa", "một phần") than a count.
VI_WORD_NUMBER = (rf"(?:(?:{_VI_UNIT}) mươi(?: (?:mốt|hai|ba|bốn|tư|lăm|sáu|bảy|tám|chín))?"
                  rf"|mười(?: (?:một|hai|ba|bốn|lăm|năm|sáu|bảy|tám|chín))?|{_VI_UNIT})")
EN_WORD_NUMBER = (r"(?:(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)(?:-(?:one|two|three|four|five|six|"
                  r"seven|eight|nine))?|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|"
                  r"nineteen|two|three|four|five|six|seven|eight|nine|ten)")


def word_value(words: str) -> int | None:
    """The value of a number written in words (matching form).

    >>> [word_value(w) for w in ("sáu", "mười hai", "hai mươi lăm", "twenty-one", "eight")]
    [6, 12, 25, 21, 8]
    """
    w = words.strip()
    if w in ENGLISH_WORDS:
        return ENGLISH_WORDS[w]
    if "-" in w:
        ten_word, _, unit_word = w.partition("-")
        if ten_word in ENGLISH_WORDS and unit_word in ENGLISH_WORDS:
            return ENGLISH_WORDS[ten_word] + ENGLISH_WORDS[unit_word]
        return None
    parts = w.split()
    if len(parts) == 1:
        return NUMBER_WORDS.get(parts[0])
    if parts[0] == "mười" and len(parts) == 2:
        ones = NUMBER_WORDS.get(parts[1])
        return 10 + ones if ones is not None else None
    if len(parts) in (2, 3) and parts[1] == "mươi":
        tens = NUMBER_WORDS.get(parts[0])
        ones = NUMBER_WORDS.get(parts[2], 0) if len(parts) == 3 else 0
        return 10 * tens + ones if tens is not None and ones is not None else None
    return None


@dataclass(frozen=True, slots=True)
class NumberToken:
    start: int
    end: int
    raw: str
    value: Decimal
    decimals: int  # digits after the decimal separator as written


def detect_locale(text: str) -> str:
    """``"vi"`` (dot thousands, comma decimals) or ``"en"``, by majority of unambiguous numbers.

    >>> detect_locale("đạt 98,5% với 125.430 hồ sơ; 93.86%")
    'vi'
    >>> detect_locale("reached 98.5% of 125,430 dossiers")
    'en'
    """
    cleaned = _DATE_DOTTED.sub(" ", text)
    vi = len(_VI_EVIDENCE.findall(cleaned))
    en = len(_EN_EVIDENCE.findall(cleaned))
    return "en" if en > vi else "vi"


def parse_number(raw: str, locale: str = "vi") -> tuple[Decimal, int] | None:
    """Value and number of written decimals of a digit string under a document locale.

    >>> parse_number("1.392")
    (Decimal('1392'), 0)
    >>> parse_number("28,13")
    (Decimal('28.13'), 2)
    >>> parse_number("93.86")
    (Decimal('93.86'), 2)
    >>> parse_number("125,430", "en")
    (Decimal('125430'), 0)
    """
    thousands, decimal = (".", ",") if locale == "vi" else (",", ".")
    has_t, has_d = thousands in raw, decimal in raw
    try:
        if has_t and has_d:
            if raw.rfind(decimal) < raw.rfind(thousands):
                return None
            intpart, frac = raw.rsplit(decimal, 1)
            groups = intpart.split(thousands)
            if not all(len(g) == 3 for g in groups[1:]):
                return None
            return Decimal("".join(groups) + "." + frac), len(frac)
        if has_t:
            groups = raw.split(thousands)
            if all(len(g) == 3 for g in groups[1:]) and 1 <= len(groups[0]) <= 3:
                return Decimal("".join(groups)), 0
            if len(groups) == 2:  # "93.86" in a comma-decimal text: a stray decimal point
                return Decimal(groups[0] + "." + groups[1]), len(groups[1])
            return None
        if has_d:
            parts = raw.split(decimal)
            if len(parts) == 2:
                return Decimal(parts[0] + "." + parts[1]), len(parts[1])
            if all(len(g) == 3 for g in parts[1:]):  # "1,234,567" leaking into a vi text
                return Decimal("".join(parts)), 0
            return None
        return Decimal(raw), 0
    except InvalidOperation:
        return None


def find_numbers(text: str, locale: str, start: int = 0, end: int | None = None) -> list[NumberToken]:
    """Every parsable digit run in ``text[start:end]`` with absolute offsets."""
    end = len(text) if end is None else end
    out = []
    for m in NUMBER_RE.finditer(text, start, end):
        parsed = parse_number(m.group(0), locale)
        if parsed is None:
            continue
        out.append(NumberToken(m.start(), m.end(), m.group(0), parsed[0], parsed[1]))
    return out
