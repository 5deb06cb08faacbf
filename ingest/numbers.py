"""Numbers as Vietnamese reports write them: locale per document, scales, number words.

Vietnamese writes ``125.430`` for 125430 and ``98,5`` for 98.5; English-language outlets write
the opposite. A document's locale is decided once from all its numbers (``detect_locale``),
so one stray ``93.86%`` in a comma-decimal text still reads as 93.86.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

__all__ = ["NumberToken", "detect_locale", "find_numbers", "parse_number", "NUMBER_WORDS"]

#: A digit run with separators, not glued to letters or other digits/separators.
NUMBER_RE = re.compile(r"(?<![\w.,/])\d+(?:[.,]\d+)*(?![\w])")

_VI_EVIDENCE = re.compile(r"(?<![\d.,])\d+,\d{1,2}(?![\d.,])|(?<![\d.,])\d{1,3}(?:\.\d{3})+(?![\d.,])")
_EN_EVIDENCE = re.compile(r"(?<![\d.,])\d+\.\d{1,2}(?![\d.,])|(?<![\d.,])\d{1,3}(?:,\d{3})+(?![\d.,])")
_DATE_DOTTED = re.compile(r"(?<![\d.])\d{1,2}\.\d{1,2}\.\d{2,4}(?![\d.])")

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

#: Number words as they precede a counted noun ("sáu địa phương", "hai hệ thống").
NUMBER_WORDS = {
    "một": 1, "hai": 2, "ba": 3, "bốn": 4, "tư": 4, "năm": 5, "sáu": 6, "bảy": 7, "tám": 8,
    "chín": 9, "mười": 10, "mười một": 11, "mười hai": 12, "hai mươi": 20, "ba mươi": 30,
}


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
