"""Vietnamese text: NFC, a length-preserving matching form, boilerplate lines, sentences.

Offsets everywhere are code points into the NFC text as stored with the source. Matching
works on :func:`match_form`, which has exactly the same length, so a match position in the
matching form is a position in the text.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from .numbers import EN_MONTH_RE

__all__ = [
    "Line",
    "Sentence",
    "match_form",
    "nfc",
    "sentences",
    "is_table_row",
    "split_lines",
]

# Old-style tone placement ("hoà", "thuỷ") folded to the new style ("hòa", "thủy"): each
# replacement is two characters for two, so offsets do not move.
_TONE_PAIRS = {
    "oà": "òa", "oá": "óa", "oả": "ỏa", "oã": "õa", "oạ": "ọa",
    "oè": "òe", "oé": "óe", "oẻ": "ỏe", "oẽ": "õe", "oẹ": "ọe",
    "uỳ": "ùy", "uý": "úy", "uỷ": "ủy", "uỹ": "ũy", "uỵ": "ụy",
}
# only at the end of a syllable ("hoà", not "hoạch") and not after "q" ("quý" is already right).
# "Not after q" is tested once the pair is read ("(?<!q..)"): a pattern that starts with its
# letters lets the regex engine skip to the "o"s and "u"s of a text.
_TONE_RE = re.compile("(?:" + "|".join(_TONE_PAIRS) + ")(?<!q..)(?![a-zà-ỹđ])")


def nfc(text: str) -> str:
    """Unicode NFC (Vietnamese precomposed letters).

    >>> len(nfc("Vie\u0323\u0302t"))
    4
    """
    return unicodedata.normalize("NFC", text)


def match_form(text: str) -> str:
    """Lower-case text with new-style tone placement, the same length as ``text``.

    >>> match_form("Tỉnh Hoà Bình, UBND, Quý I, kế hoạch")
    'tỉnh hòa bình, ubnd, quý i, kế hoạch'
    """
    low = text.lower()
    if len(low) != len(text):  # a few letters ("İ") lower-case to two code points: keep them
        low = "".join(c.lower() if len(c.lower()) == 1 else c for c in text)
    return _TONE_RE.sub(lambda m: _TONE_PAIRS[m.group(0)], low)


def fold(text: str) -> str:
    """Lower-case without diacritics (đ → d); for slugs and loose name matching.

    >>> fold("Vĩnh Phúc")
    'vinh phuc'
    """
    out = []
    for c in match_form(text):
        if c == "đ":
            out.append("d")
            continue
        base = unicodedata.normalize("NFD", c)[0]
        out.append(base)
    return "".join(out)


def slugify(text: str) -> str:
    """IRI slug: folded, non-alphanumerics as single hyphens.

    >>> slugify("Thành phố Phúc Yên")
    'thanh-pho-phuc-yen'
    """
    return re.sub(r"[^a-z0-9]+", "-", fold(text)).strip("-")


@dataclass(frozen=True, slots=True)
class Line:
    """One line (paragraph) of the text, with its offsets and its role."""

    start: int
    end: int
    text: str
    role: str  # "body" | "source" | "author" | "debris" | "title" | "dateline"


@dataclass(frozen=True, slots=True)
class Sentence:
    start: int
    end: int
    text: str
    paragraph: int


_DEBRIS = re.compile(
    r"^\s*(bình luận|bình luận \(\d+\)|chia sẻ|in bài|gửi bài|lưu bài|tin liên quan|"
    r"bài viết liên quan|xem thêm|từ khóa|tags?|ý kiến bạn đọc|theo dõi|quay lại|"
    r"trở về|đầu trang|share|like|comments?\s*\(\d+\)|\(\d+\)|\d+\s+bình luận)\s*[:.]?"
    r"(\s*\(\d+\))?\s*$",
    re.IGNORECASE,
)
_SOURCE = re.compile(r"^\s*(nguồn|theo|source)\s*:\s*(.+?)\s*$", re.IGNORECASE)
_URL = re.compile(r"https?://\S+")
_PHOTO = re.compile(r"^\s*\(?\s*(ảnh|ảnh minh họa|photo)\s*:", re.IGNORECASE)
_DATELINE = re.compile(
    r"^\s*(?:[^\d]{0,40}?,\s*)?(?:ngày\s*)?(\d{1,2})\s*[/.-]\s*(\d{1,2})\s*[/.-]\s*(\d{4})"
    r"(?:\s*[-|,]?\s*\d{1,2}:\d{2})?\s*$"
    r"|^\s*(?:[^\d]{0,40}?,\s*)?ngày\s+\d{1,2}\s+tháng\s+\d{1,2}\s+năm\s+\d{4}\s*$"
    # English datelines: "December 28, 2022", "Wednesday, July 3, 2025 - 15:30", "3 July 2025"
    rf"|^\s*(?:(?:mon|tues|wednes|thurs|fri|satur|sun)day,?\s+)?(?:(?:{EN_MONTH_RE})\.?\s+\d{{1,2}},?|"
    rf"\d{{1,2}}\s+(?:{EN_MONTH_RE})\.?,?)\s+\d{{4}}(?:\s*[-|,]?\s*\d{{1,2}}:\d{{2}}(?:\s*[ap]\.?m\.?)?)?"
    r"(?:\s*\(?gmt[+-]\d+\)?)?\s*$",
    re.IGNORECASE,
)


def _is_author(text: str) -> bool:
    words = text.split(None, 5)  # six parts are too many words: a long line is not split whole
    if not 1 <= len(words) <= 5 or any(ch.isdigit() for ch in text):
        return False
    if text.rstrip()[-1:] in ".:;,!?…":
        return False
    stripped = [w.strip("()-–") for w in words if w.strip("()-–")]
    return bool(stripped) and all(w[:1].isupper() for w in stripped)


def is_table_row(text: str) -> bool:
    """A line with at least two "|" separators and three cells (a table row written as text).

    >>> is_table_row("1 | Sở Tư pháp | 15.482 | 99,61%")
    True
    """
    return text.count("|") >= 2 and len([c for c in text.split("|") if c.strip()]) >= 3


def split_lines(text: str) -> list[Line]:
    """Lines with roles: body text, "Nguồn:" source lines, author lines, page debris.

    The author is a short capitalised line (a name) that stands right before the source line
    or closes the text.
    """
    raw: list[tuple[int, int, str]] = []
    pos = 0
    for chunk in text.splitlines(keepends=True):
        body = chunk.rstrip("\r\n")
        raw.append((pos, pos + len(body), body))
        pos += len(chunk)
    lines: list[Line] = []
    nonempty = [i for i, r in enumerate(raw) if r[2].strip()]
    for i, (s, e, body) in enumerate(raw):
        if not body.strip():
            continue
        role = "body"
        if _SOURCE.match(body) and (_URL.search(body) or len(body) < 120):
            role = "source"
        elif _DEBRIS.match(body) or _PHOTO.match(body):
            role = "debris"
        elif _DATELINE.match(body):
            role = "dateline"
        elif is_table_row(body):
            role = "table"
        elif _is_author(body):
            later = [j for j in nonempty if j > i]
            nxt = raw[later[0]][2] if later else ""
            if not later or _SOURCE.match(nxt) or _DEBRIS.match(nxt):
                role = "author"
        lines.append(Line(s, e, body, role))
    return lines


# A sentence ends at . ! ? … (or ...), then spaces, then an upper-case letter, a digit or an
# opening quote/bracket. "1.392" and "93.86%" never split: no space follows the dot.
# The cut is group 1 (the punctuation is matched, not looked behind for: a pattern that
# starts with a character class lets the regex engine skip to the punctuation).
_SENT_END = re.compile(r"[.!?…]([\"”’)]*\s+)(?=[\"“‘(\[]?[A-ZĐÀ-Ỹ0-9])")
_ABBREV = re.compile(r"(?:\b(?:TP|Tp|tp|Th\.S|ThS|TS|PGS|GS|Ô|B|v\.v|St|No|Q|P|H|X)\.)$")


def _abbreviation(text: str, start: int, cut: int) -> bool:
    """Whether ``text[start:cut]`` ends with an abbreviation ("TP.", "Th.S."). A match is at most
    five characters long, so only the last eight are searched: ``\b`` at the first of them sees
    the character before it, as it does in the slice (the whole slice is searched when short)."""
    lo = cut - 8
    if lo <= start:
        return _ABBREV.search(text[start:cut]) is not None
    return _ABBREV.search(text, lo, cut) is not None


def sentences(text: str, lines: list[Line] | None = None) -> list[Sentence]:
    """Split the body lines of ``text`` into sentences with code-point offsets.

    >>> [s.text for s in sentences("Quý I đạt 98,5%. Tỉnh có 1.392 hồ sơ.")]
    ['Quý I đạt 98,5%.', 'Tỉnh có 1.392 hồ sơ.']
    """
    if lines is None:
        lines = split_lines(text)
    out: list[Sentence] = []
    for para, line in enumerate(ln for ln in lines if ln.role in ("body", "title")):
        start = line.start
        for m in _SENT_END.finditer(line.text):
            cut = line.start + m.start(1)
            if _abbreviation(text, start, cut):
                continue
            seg = text[start:cut]
            if seg.strip():
                out.append(_trimmed(text, start, cut, para))
            start = line.start + m.end()
        if text[start:line.end].strip():
            out.append(_trimmed(text, start, line.end, para))
    return out


def _trimmed(text: str, start: int, end: int, para: int) -> Sentence:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return Sentence(start, end, text[start:end], para)
