"""Connections between information systems, named ("LGSP tỉnh kết nối với Trục liên thông văn
bản quốc gia") and grouped by count and level ("kết nối với 23 hệ thống, gồm 12 hệ thống của
Trung ương, …"). A sentence that only gives counts yields grouped connections with counts and
levels, never invented system names. Status is planned after "sẵn sàng", "dự kiến", "sẽ",
"tiếp tục" … and operational otherwise."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from .facts import Connection, Document, Entity, Period
from .link import PROVINCIAL_SYSTEMS, Mention, find_systems, system_iri
from .normalize import Sentence, match_form

if TYPE_CHECKING:
    from .context import DocContext

__all__ = ["sentence_connections"]

_VERB = re.compile(
    r"kết nối|tích hợp|liên thông|đồng bộ (?:dữ liệu|hồ sơ|lên|với|trạng thái)|đăng nhập (?:vào|lên)|"
    r"chia sẻ dữ liệu (?:với|lên)|cập nhật (?:lên|vào)|khai thác(?= (?:cơ sở dữ liệu|csdl|dữ liệu))"
)
_PLANNED = re.compile(
    r"sẵn sàng|dự kiến|\bsẽ\b|tiếp tục|chuẩn bị|kế hoạch|phấn đấu|đang triển khai|hướng tới|"
    r"\bchưa\b|đề xuất|nghiên cứu|thời gian tới|sắp tới|trong năm \d{4} sẽ|cần"
)
_DONE = re.compile(r"\bđã\b|hoàn thành|thành công|hoàn tất")
_COUNT = re.compile(r"(?<![\d.,/])(\d+)\s+(?:hệ thống|cơ sở dữ liệu|csdl|phần mềm|nền tảng|ứng dụng)")
_PARTS = re.compile(r"gồm|trong đó|bao gồm|cụ thể")
_LEVEL_CUES = [
    (re.compile(r"cấp xã|xã, phường"), "commune"),
    (re.compile(r"cấp bộ|của (?:các )?bộ(?![,\s]+ngành)"), "ministry"),
    (re.compile(r"trung ương|quốc gia|bộ,? ngành|chính phủ"), "national"),
    (re.compile(r"cấp tỉnh|của tỉnh|\btỉnh\b|địa phương|của thành phố|nội bộ"), "provincial"),
    (re.compile(r"\bkhác\b"), "other"),
]
_LEVEL_INDICATOR = {
    None: "systems-connected", "national": "systems-connected-national",
    "provincial": "systems-connected-provincial", "ministry": "systems-connected-ministry",
    "commune": "systems-connected-commune", "other": "systems-connected-other",
}


def sentence_connections(
    ctx: DocContext, doc: Document, s: Sentence, period: Period | None
) -> tuple[list[Connection], str | None, dict[int, str]]:
    """Connections of one sentence, the system they start from, and for each count of
    systems (by offset) the indicator slug of its level."""
    mtext = ctx.mtext
    systems = find_systems(mtext, s.start, s.end)
    spans = [(m.start, m.end) for m in systems]
    verbs = [v for v in _VERB.finditer(mtext, s.start, s.end)
             if not any(a <= v.start() < b for a, b in spans)]
    if not verbs:
        return [], None, {}
    first = verbs[0]
    prov = ctx.province
    pslug = prov.slug if prov else None
    before = [m for m in systems if m.end <= first.start() and m.kind == "system"]
    origin: Mention | None = before[-1] if before else None
    if origin is not None:
        from_iri = _register(doc, ctx, origin.key)
    elif prov is not None:
        from_iri = _register(doc, ctx, "tthc-information-system")
    else:
        return [], None, {}
    status = "planned" if _PLANNED.search(mtext, s.start, first.start()) else "operational"
    out: list[Connection] = []
    cursor = first.start()
    for m in systems:
        if m.start < first.start() or m is origin:
            continue
        seg = mtext[cursor:m.start]
        if _PLANNED.search(seg):
            status = "planned"
        elif _DONE.search(seg):
            status = "operational"
        cursor = m.end
        if m.kind == "system-group":
            out.append(_conn(from_iri, None, status, ctx, s, m.start, m.end, period, level=m.extra))
            continue
        to_iri = _register(doc, ctx, m.key)
        if to_iri == from_iri:
            continue
        out.append(_conn(from_iri, to_iri, status, ctx, s, m.start, m.end, period))
    groups = _grouped(ctx, s, first.end(), from_iri, status, period, out)
    return out, from_iri, groups


def _grouped(ctx: DocContext, s: Sentence, after: int, from_iri: str, status: str,
             period: Period | None, out: list[Connection]) -> dict[int, str]:
    mtext = ctx.mtext
    counts = list(_COUNT.finditer(mtext, after, s.end))
    levels: dict[int, str] = {}
    total: Connection | None = None
    prov_name = match_form(ctx.province.name) if ctx.province else None
    for i, m in enumerate(counts):
        seg_end = counts[i + 1].start() if i + 1 < len(counts) else s.end
        seg = mtext[m.end():seg_end]
        is_total = total is None and bool(_PARTS.search(seg[:60])) and i + 1 < len(counts)
        level: str | None = None
        if not is_total:
            for rx, lv in _LEVEL_CUES:
                if rx.search(seg[:60]):
                    level = lv
                    break
            if level is None and prov_name and prov_name in seg[:60]:
                level = "provincial"
        c = _conn(from_iri, None, status, ctx, s, m.start(1), m.end(1), period,
                  count=int(m.group(1)), level=level)
        c.count_observation = "pending"
        if total is not None and not is_total:
            c.part_of = f"conn:{id(total)}"
        if is_total:
            total = c
        out.append(c)
        levels[m.start(1)] = _LEVEL_INDICATOR[level]
    return levels


def _conn(from_iri: str, to_iri: str | None, status: str, ctx: DocContext, s: Sentence, a: int, b: int,
          period: Period | None, *, count: int | None = None, level: str | None = None) -> Connection:
    return Connection(from_iri, to_iri, status, ctx.text[a:b], a, b, s.start, s.end, period,
                      count=count, level=level)


def _register(doc: Document, ctx: DocContext, slug: str) -> str:
    prov = ctx.province
    iri = system_iri(slug, prov.slug if prov else None)
    if slug in PROVINCIAL_SYSTEMS and prov is not None and iri not in doc.entities:
        _cue, vi, en = PROVINCIAL_SYSTEMS[slug]
        from ontology import ID

        ubnd = str(ID[f"agency/{prov.slug}/ubnd"])
        where = prov.label.replace("Tỉnh ", "tỉnh ").replace("Thành phố ", "thành phố ")
        doc.entities[iri] = Entity(iri, "system", vi.format(vi=where), en.format(en=prov.label_en),
                                   level="provincial", place=prov.iri, operator=ubnd)
        if ubnd not in doc.entities:
            doc.entities[ubnd] = Entity(ubnd, "agency", f"UBND {where}", f"{prov.label_en} People's Committee",
                                        level="provincial", place=prov.iri)
    return iri
