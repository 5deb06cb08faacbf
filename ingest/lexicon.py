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
    (r"điểm phần trăm|điểm %", "percent"),
    (r"%|phần trăm", "percent"),
    (r"hồ sơ|bộ hồ sơ", "dossier"),
    (r"thủ tục hành chính|thủ tục|tthc", "procedure"),
    (r"dịch vụ công trực tuyến|dịch vụ công|dvc ?tt|dvc", "procedure"),
    (r"quyết định", "decision"),
    (r"nhiệm vụ|nội dung|chỉ tiêu|mục tiêu", "task"),
    (r"hệ thống|cơ sở dữ liệu|csdl|phần mềm|nền tảng|ứng dụng", "system"),
    (r"doanh nghiệp|hợp tác xã|dn\b", "enterprise"),
    (r"lượt người|lượt|người|lao động|cán bộ|công chức|viên chức|cbccvc|đại biểu|học viên|"
     r"hộ|công dân|biên chế", "person"),
    (r"điểm", "point"),
    (r"bậc|hạng", "rank"),
    (r"lần(?! thứ| lượt)", "other"),
    (r"văn bản|vbqppl|phản ánh|kiến nghị|pakn|cơ quan|đơn vị|địa phương|sở|ban|ngành|"
     r"xã|phường|thị trấn|huyện|tỉnh|giao dịch|cuộc|hội nghị|lớp|chứng thư|tài khoản|"
     r"chỉ số|trung tâm|bộ phận|dự án|công trình|đề án|kế hoạch|tài liệu|trang|bản|"
     r"đầu mối|phòng|tổ chức|chi nhánh|thông báo|báo cáo|quy trình", "other"),
]
_UNIT_RE = [(re.compile(rf"(?:{p})(?![\wÀ-ỹ])"), u) for p, u in UNIT_NOUNS]
_MONEY_RE = re.compile(r"(?:đồng|vnđ|vnd|đ)(?![\wÀ-ỹ])|usd(?![\w])")


def match_unit(mtext: str, pos: int) -> tuple[str, int] | None:
    """The unit named right at ``pos`` (after a number and its scale) and where it ends."""
    m = re.compile(r"[ \t]*").match(mtext, pos)
    p = m.end() if m else pos
    mm = _MONEY_RE.match(mtext, p)
    if mm:
        return ("VND" if not mm.group(0).startswith("usd") else "other"), mm.end()
    if mtext.startswith("%", pos):
        return "percent", pos + 1
    for rx, unit in _UNIT_RE:
        um = rx.match(mtext, p)
        if um:
            return unit, um.end()
    return None


_QUALIFIERS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"(?:khoảng|chừng) gần\s*$"), "nearly"),
    (re.compile(r"(?:ước (?:đạt|tăng|giảm|tính|khoảng|thực hiện)|ước|dự ước|ước tính)\s*$"), "estimated"),
    (re.compile(r"(?:gần|suýt|xấp xỉ gần)\s*$"), "nearly"),
    (re.compile(r"(?:khoảng|xấp xỉ|chừng|trên dưới|độ)\s*$"), "about"),
    (re.compile(r"(?:ít nhất|tối thiểu|không dưới|không thấp hơn|không ít hơn)\s*$"), "at_least"),
    (re.compile(r"(?:dưới|tối đa|không quá|không vượt quá|chưa đến|chưa tới|thấp hơn|ít hơn)\s*$"), "up_to"),
    (re.compile(r"(?:hơn|trên|vượt|cao hơn|nhiều hơn|hơn mức)\s*$"), "more_than"),
]


def qualifier_before(mtext: str, pos: int, floor: int) -> str:
    """The hedge written right before a number (``hơn 1.880``, ``gần 2.500``, ``ước tăng 8,75``)."""
    window = mtext[max(floor, pos - 24): pos]
    # "đạt", "là", "với", "tăng", "giảm" may stand between the hedge and the number
    stripped = re.sub(r"(?:\s*(?:đạt|là|với|tăng|giảm|lên|xuống|mức|được|có|tổng số|tổng cộng|"
                      r"tương ứng|khoảng))*\s*$", "", window)
    for rx, q in _QUALIFIERS:
        if rx.search(window) or rx.search(stripped):
            return q
    return "exact"
