"""The extractor's lexicon: indicators (from ``ontology/indicators.ttl``), units, qualifiers.

Indicators live in the ontology as SKOS concepts; each carries ``rkg:cue`` (a regular
expression over the matching form), ``rkg:units`` and ``rkg:family``. Reading them from the
Turtle keeps one definition for the extractor, the graph and the researchers' queries.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import pyoxigraph as ox

from ontology import INDICATORS, RKG, SKOS

__all__ = ["Indicator", "UNIT_NOUNS", "indicators", "match_unit", "qualifier_before"]


@dataclass(frozen=True, slots=True)
class Indicator:
    slug: str
    label_vi: str
    label_en: str
    units: frozenset[str]
    family: str
    priority: int
    cue: re.Pattern[str] | None


@lru_cache(maxsize=1)
def indicators() -> dict[str, Indicator]:
    """All indicators of the scheme, by slug."""
    rows: dict[str, dict[str, object]] = {}
    for t in ox.parse(path=str(INDICATORS), format=ox.RdfFormat.TURTLE):
        if not isinstance(t.subject, ox.NamedNode):
            continue
        slug = t.subject.value.rsplit("/", 1)[-1]
        row = rows.setdefault(slug, {})
        p, o = t.predicate.value, t.object
        if p == str(SKOS.prefLabel) and isinstance(o, ox.Literal):
            row["label_" + (o.language or "vi")] = o.value
        elif p == str(RKG.cue):
            row["cue"] = re.compile(o.value)
        elif p == str(RKG.units):
            row["units"] = frozenset(o.value.split())
        elif p == str(RKG.family):
            row["family"] = o.value
        elif p == str(RKG.priority):
            row["priority"] = int(o.value)
    return {
        slug: Indicator(
            slug, str(r.get("label_vi", slug)), str(r.get("label_en", slug)),
            r.get("units", frozenset()),  # type: ignore[arg-type]
            str(r.get("family", "")), int(r.get("priority", 999)),  # type: ignore[call-overload]
            r.get("cue"),  # type: ignore[arg-type]
        )
        for slug, r in rows.items()
        if "units" in r
    }


# Counted nouns right after a number ("657 TTHC", "23 hệ thống") and their units. Order
# matters: longer phrases first.
UNIT_NOUNS: list[tuple[str, str]] = [
    (r"điểm phần trăm|điểm %|percentage points?|percent(?:age)? pts?|pp", "percent"),
    (r"%|phần trăm|per ?cent", "percent"),
    (r"hồ sơ|bộ hồ sơ", "dossier"),
    (r"thủ tục hành chính|thủ tục|tthc", "procedure"),
    (r"dịch vụ công trực tuyến|dịch vụ công|dvc ?tt|dvc|dịch vụ(?= (?:toàn trình|một phần|mức|trực tuyến|công))",
     "procedure"),
    (r"quyết định", "decision"),
    (r"nhiệm vụ|nội dung|chỉ tiêu|mục tiêu", "task"),
    (r"hệ thống|cơ sở dữ liệu|csdl|phần mềm|nền tảng|ứng dụng", "system"),
    (r"doanh nghiệp|hợp tác xã|dn\b", "enterprise"),
    (r"lượt(?= (?:người|cán bộ|công chức|viên chức|cbccvc|đại biểu|học viên|công dân|người dân))|"
     r"người|lao động|cán bộ|công chức|viên chức|cbccvc|đại biểu|học viên|hộ|công dân|biên chế", "person"),
    (r"điểm (?:cầu|giao dịch|tiếp nhận|phục vụ|bưu điện|truy cập|du lịch)", "other"),
    (r"điểm", "point"),
    (r"bậc|hạng", "rank"),
    (r"lần(?! thứ| lượt)", "other"),
    (r"văn bản|vbqppl|phản ánh|kiến nghị|pakn|cơ quan|đơn vị|địa phương|sở|ban|ngành|"
     r"xã|phường|thị trấn|huyện|tỉnh|giao dịch|cuộc|hội nghị|lớp|chứng thư|tài khoản|"
     r"chỉ số|trung tâm|bộ phận|dự án|công trình|đề án|kế hoạch|tài liệu|trang|bản|"
     r"đầu mối|phòng|tổ chức|chi nhánh|thông báo|báo cáo|quy trình|trường hợp|lĩnh vực|đợt|đoàn|"
     r"lượt|bộ|đặc khu|ấp|thôn|tổ|quận|thị xã|thành phố|cơ quan ngang bộ|tổ chức|nghị quyết|chỉ thị|dự thảo|"
     r"công văn|cuộc gọi|thiết bị|mô hình|sáng kiến|bản án", "other"),
]
# English-language reports ("3,482,150 administrative dossiers", "36,525 people", "24 places"):
# the noun may follow up to two modifiers.
ENGLISH_UNIT_NOUNS: list[tuple[str, str]] = [
    (r"dossiers?|applications?|files?", "dossier"),
    (r"(?:administrative )?procedures?|(?:online )?(?:public )?services?", "procedure"),
    (r"decisions?", "decision"),
    (r"tasks?", "task"),
    (r"systems?|databases?|platforms?|software applications?", "system"),
    (r"enterprises?|businesses|companies|firms", "enterprise"),
    (r"people|persons?|citizens?|residents?|officials?|civil servants?|respondents?|participants?|"
     r"employees?|staff|trainees?|visitors?", "person"),
    (r"points?", "point"),
    (r"places?|positions?|spots?|notches?|ranks?", "rank"),
    (r"times(?! (?:a|per) )", "other"),
    (r"localities|provinces?|cities|units?|agencies|departments?|districts?|communes?|wards?|indices|"
     r"indicators?|sub-indices|complaints?|petitions?|recommendations?|feedbacks?|transactions?|accounts?|"
     r"documents?|meetings?|teams?|inspections?|courses?|classes|centres?|centers?|areas?|criteria|"
     r"ministries|sectors?|cases?|projects?|legal documents?|components?|pillars?", "other"),
]
# all of them in one pattern: the alternatives are tried in list order, as a loop over them
# would, and the group that matched names the unit
_UNIT_RE = re.compile("|".join(rf"((?:{p})(?![\wÀ-ỹ]))" for p, _u in UNIT_NOUNS))
_UNIT_OF_GROUP = [u for _p, u in UNIT_NOUNS]
_EN_UNIT_RE = [(re.compile(rf"(?:[a-z][a-z-]*\s+){{0,2}}?(?:{p})(?![\w-])"), u) for p, u in ENGLISH_UNIT_NOUNS]
_BLANKS = re.compile(r"[ \t]*")
_MONEY_RE = re.compile(r"(?:đồng|vnđ|vnd|đ|dong)(?![\wÀ-ỹ])|usd(?![\w])|us dollars?(?![\w])")
_EN_NOT_MODIFIER = re.compile(r"(?:and|or|of|the|to|in|on|at|from|for|with|by|a|an|were|was|is|are|has|have|had|"
                              r"than|up|down|per|year|from)\s")


def match_unit(mtext: str, pos: int) -> tuple[str, int] | None:
    """The unit named right at ``pos`` (after a number and its scale) and where it ends."""
    m = _BLANKS.match(mtext, pos)
    p = m.end() if m else pos
    mm = _MONEY_RE.match(mtext, p)
    if mm:
        return ("VND" if not mm.group(0).startswith(("usd", "us ")) else "other"), mm.end()
    if mtext.startswith("%", pos):
        return "percent", pos + 1
    um = _UNIT_RE.match(mtext, p)
    if um:
        return _UNIT_OF_GROUP[um.lastindex - 1], um.end()  # type: ignore[operator]
    if p < len(mtext) and "a" <= mtext[p] <= "z":
        for rx, unit in _EN_UNIT_RE:
            um = rx.match(mtext, p)
            if um and not _EN_NOT_MODIFIER.search(mtext, p, um.end()):
                return unit, um.end()
    return None


_B = r"(?<![\wÀ-ỹ])"
_QUALIFIERS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(rf"{_B}(?:khoảng|chừng) gần\s*$"), "nearly"),
    (re.compile(rf"{_B}(?:ước (?:đạt|tăng|giảm|tính|khoảng|thực hiện)|ước|dự ước|ước tính|(?:an )?estimated|"
                r"est\.)\s*$"), "estimated"),
    (re.compile(rf"{_B}(?:gần|suýt|xấp xỉ gần|nearly|almost|close to|just (?:under|below|short of))\s*$"), "nearly"),
    (re.compile(rf"{_B}(?:khoảng|xấp xỉ|chừng|trên dưới|độ|about|around|approximately|roughly|some|circa|"
                r"approx\.)\s*$"), "about"),
    (re.compile(rf"{_B}(?:ít nhất|tối thiểu|không dưới|không thấp hơn|không ít hơn|at least|no (?:fewer|less) than|"
                r"a minimum of|minimum)\s*$"), "at_least"),
    (re.compile(rf"{_B}(?:dưới|tối đa|không quá|không vượt quá|chưa đến|chưa tới|ít hơn|under|below|less than|"
                r"fewer than|up to|at most|no more than|a maximum of)\s*$"), "up_to"),
    (re.compile(rf"{_B}(?<!cao )(?<!thấp )(?:hơn|trên|vượt(?: mốc| ngưỡng| mức)?|nhiều hơn|hơn mức|more than|over|above|"
                r"exceeding|in excess of|upwards of)\s*$"), "more_than"),
]


_STRIP = re.compile(r"(?:\s*(?:đạt|là|với|tăng|giảm|lên|xuống|mức|được|có|tổng số|tổng cộng|tương ứng|khoảng|"
                    r"reached|totall?ed|to|of|at|by|reaching|was|were|is))*\s*$")
# "vượt lên 4 bậc" (a move), "trên tổng số" (out of), "so với" / "than" (a comparison) are no hedges
_NOT_HEDGE = re.compile(r"vượt (?:lên|qua)\s*$|trên (?:tổng(?: số)?|cả|mỗi)\s*$"
                        r"|(?:so với|(?<!more )(?<!less )(?<!fewer )than)\s*$")


def qualifier_before(mtext: str, pos: int, floor: int) -> str:
    """The hedge written right before a number (``hơn 1.880``, ``gần 2.500``, ``ước tăng 8,75``).

    The hedge next to the number wins over one further away ("ước đạt khoảng 5%" is about);
    "đạt", "là", "tăng" … may stand between a hedge and its number."""
    return _qualifier(mtext[max(floor, pos - 24): pos])


@lru_cache(maxsize=4096)
def _qualifier(window: str) -> str:
    # cached by the words before a number: reports repeat them ("tiếp nhận", "đạt tỷ lệ")
    if _NOT_HEDGE.search(window):
        return "exact"
    stripped = _STRIP.sub("", window)
    for text in (window, stripped):
        if _NOT_HEDGE.search(text):
            return "exact"
        for rx, q in _QUALIFIERS:
            if rx.search(text):
                return q
    return "exact"
