"""Connections between information systems, named ("LGSP tỉnh kết nối với Trục liên thông văn
bản quốc gia") and grouped by count and level ("kết nối với 23 hệ thống, gồm 12 hệ thống của
Trung ương, …"). A sentence that only gives counts yields grouped connections with counts and
levels, never invented system names. Status is planned after "sẵn sàng", "dự kiến", "sẽ",
"tiếp tục" … and operational otherwise."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from .facts import Connection, Document, Entity, Period
from .link import PROVINCIAL_SYSTEMS, Mention, find_agencies, find_systems, system_iri
from .normalize import Sentence, match_form
from .rxgate import may_match, needles

if TYPE_CHECKING:
    from .context import DocContext

__all__ = ["Carry", "sentence_connections"]

_VERB = re.compile(
    r"kết nối|tích hợp|liên thông|đồng bộ (?:dữ liệu|hồ sơ|lên|với|trạng thái)|đăng nhập (?:vào|lên)|"
    r"chia sẻ dữ liệu (?:với|lên)|cập nhật (?:lên|vào)|khai thác(?= (?:cơ sở dữ liệu|csdl|dữ liệu))|"
    r"thông suốt (?:với|tới|đến)|(?<![\wÀ-ỹ])nối (?:tới|với|đến)|"
    r"connected (?:to|with)|integrated (?:with|into)|linked (?:to|with)|connects (?:to|with)"
)
_VERB_GATE = needles(_VERB)  # most sentences have no connection verb: skip the scan
# "kết nối [thành công] X với Y": the system right after the verb is the source, Y the target
_LINK_WORDS = re.compile(r"\s*(?:thành công|chính thức|thêm|thông suốt|,)?\s*$")
_WITH = re.compile(r"\s(?:với|vào|lên|tới|đến|sang|with|to|into)(?:\s+[\wÀ-ỹ]+){0,2}\s*$")
_PLANNED = re.compile(
    r"sẵn sàng|dự kiến|\bsẽ\b|tiếp tục|chuẩn bị|kế hoạch|phấn đấu|đang triển khai|hướng tới|"
    r"\bchưa\b|đề xuất|nghiên cứu|thời gian tới|sắp tới|trong năm \d{4} sẽ|cần"
)
_DONE = re.compile(r"\bđã\b|hoàn thành|thành công|hoàn tất|đi vào vận hành")
_CLAUSE_BREAK = re.compile(r"[;:]")
_PLANNED_AFTER = re.compile(r"[^.;]{0,60}?(?:sẵn sàng|chuẩn bị|dự kiến|sẽ được)")
_COUNT = re.compile(r"(?<![\d.,/])(\d+)\s+(?:hệ thống|cơ sở dữ liệu|csdl|phần mềm|nền tảng|ứng dụng)")
_ORG_COUNT = re.compile(r"(?<![\d.,/])(\d+)\s+(bộ,? ngành|bộ|ngành|địa phương|tỉnh,? thành phố|tỉnh|doanh nghiệp)(?![\wÀ-ỹ])")
_ORG_LEVEL = {"bộ": "ministry", "ngành": "ministry", "địa phương": "provincial", "tỉnh": "provincial",
              "doanh nghiệp": "other"}  # by the first word of the counted party
_PARTS = re.compile(r"gồm|trong đó|bao gồm|cụ thể")
_PARTS_START = re.compile(r"\s*(?:trong số đó|trong đó|bao gồm|gồm|cụ thể)")
_LEVEL_CUES = [
    (re.compile(r"cấp xã|xã, phường"), "commune"),
    (re.compile(r"cấp bộ|của (?:các )?bộ(?![,\s]+ngành)|chuyên ngành"), "ministry"),
    (re.compile(r"trung ương|quốc gia|bộ,? ngành|chính phủ"), "national"),
    (re.compile(r"cấp tỉnh|của tỉnh|\btỉnh\b|địa phương|của thành phố|nội bộ"), "provincial"),
    (re.compile(r"\bkhác\b"), "other"),
]
_LEVEL_INDICATOR = {
    None: "systems-connected", "national": "systems-connected-national",
    "provincial": "systems-connected-provincial", "ministry": "systems-connected-ministry",
    "commune": "systems-connected-commune", "other": "systems-connected-other",
}


class Carry:
    """A grouped total left open by one sentence ("… liên thông với 23 hệ thống khác.") for a
    breakdown in the next one ("Trong số đó, 12 hệ thống do các bộ, ngành Trung ương quản lý, …")."""

    __slots__ = ("from_iri", "status", "total", "paragraph")

    def __init__(self) -> None:
        self.from_iri: str | None = None
        self.status = "operational"
        self.total: Connection | None = None
        self.paragraph = -1


def sentence_connections(
    ctx: DocContext, doc: Document, s: Sentence, period: Period | None, carry: Carry | None = None
) -> tuple[list[Connection], str | None, dict[int, str]]:
    """Connections of one sentence, the system they start from, and for each count of
    systems (by offset) the indicator slug of its level.

    Each connection verb opens a clause. Its source is the system named right after the verb
    when a preposition follows ("kết nối Hệ thống thông tin báo cáo của tỉnh với …"), else the
    last system named before the verb, else the previous clause's source, else the province's
    procedure system. Its status follows the nearest cue before the verb ("đã" after
    "tiếp tục" is done) and cues between its targets."""
    mtext = ctx.mtext
    carry = carry or Carry()
    if carry.paragraph != s.paragraph:
        carry.total = None
    if not (may_match(_VERB_GATE, mtext[s.start:s.end]) and _VERB.search(mtext, s.start, s.end)):
        return _breakdown(ctx, s, carry, period)
    systems = find_systems(mtext, s.start, s.end)
    spans = [(m.start, m.end) for m in systems]
    verbs = [v for v in _VERB.finditer(mtext, s.start, s.end)
             if not any(a <= v.start() < b for a, b in spans)]
    if not verbs:
        return _breakdown(ctx, s, carry, period)
    prov = ctx.province
    out: list[Connection] = []
    used: set[int] = set()
    from_iri: str | None = None
    first_from: str | None = None
    for i, verb in enumerate(verbs):
        end = verbs[i + 1].start() if i + 1 < len(verbs) else s.end
        brk = mtext.find(";", verb.end(), end)
        end = brk if brk >= 0 else end  # "…; các xã được bổ sung mạng truyền số liệu": another clause
        if i + 1 < len(verbs) and not [m for m in systems if verb.end() <= m.start < end]:
            continue  # "tích hợp, kết nối lên …": the verbs share their targets
        origin = _source(mtext, systems, verb.end(), end, used) or _hub(mtext, systems, verb.end(), end, used)
        if origin is None:
            before = [m for m in systems if m.end <= verb.start() and m.kind == "system" and m.start not in used]
            origin = before[-1] if before else None
        if origin is not None:
            from_iri = _register(doc, ctx, origin.key)
            used.add(origin.start)
        elif from_iri is None:
            if prov is None:
                return [], None, {}
            from_iri = _register(doc, ctx, "tthc-information-system")
        first_from = first_from or from_iri
        status = _status(mtext, s.start, verb.start())
        cursor = verb.start()
        for m in systems:
            if m.start < verb.end() or m.start >= end or m.start in used:
                continue
            seg = mtext[cursor:m.start]
            if _PLANNED.search(seg):
                status = "planned"
            elif _DONE.search(seg):
                status = "operational"
            cursor = m.end
            used.add(m.start)
            if m.kind == "system-group":
                later = "planned" if _PLANNED_AFTER.match(mtext, m.end, s.end) else status
                out.append(_conn(from_iri, None, later, ctx, s, m.start, m.end, period, level=m.extra))
                continue
            to_iri = _register(doc, ctx, m.key)
            if to_iri == from_iri or any(c.from_iri == from_iri and c.to_iri == to_iri for c in out):
                continue  # "… quốc gia (NDXP)": the same system named twice
            out.append(_conn(from_iri, to_iri, status, ctx, s, m.start, m.end, period))
    if first_from is None:
        return out, None, {}
    status = _status(mtext, s.start, verbs[0].start())
    groups = _grouped(ctx, s, verbs[0].end(), first_from, status, period, out, carry)
    return out, first_from, groups


def _source(mtext: str, systems: list[Mention], start: int, end: int, used: set[int]) -> Mention | None:
    """"kết nối X với Y": X, when X follows the verb and a preposition leads to Y."""
    after = [m for m in systems if start <= m.start < end and m.start not in used]
    if len(after) < 2 or after[0].kind != "system" or not _LINK_WORDS.fullmatch(mtext, start, after[0].start):
        return None
    return after[0] if _WITH.search(mtext, after[0].end, after[1].start) else None


def _hub(mtext: str, systems: list[Mention], start: int, end: int, used: set[int]) -> Mention | None:
    """"kết nối thêm 4 cơ sở dữ liệu chuyên ngành với Cơ sở dữ liệu quốc gia về dân cư": the named
    system after "với" is the hub the counted systems connect to."""
    after = [m for m in systems if start <= m.start < end and m.start not in used and m.kind == "system"]
    if not after or not _COUNT.search(mtext, start, after[0].start):
        return None
    return after[0] if re.search(r"\svới\s*$", mtext[start:after[0].start]) else None


def _status(mtext: str, start: int, verb: int) -> str:
    """Planned or operational by the nearest cue before the verb in its clause, else in its
    sentence; operational without any cue."""
    breaks = [m.end() for m in _CLAUSE_BREAK.finditer(mtext, start, verb)]
    for a in ((breaks[-1], start) if breaks else (start,)):
        cues = [(m.start(), "planned") for m in _PLANNED.finditer(mtext, a, verb)]
        cues += [(m.start(), "operational") for m in _DONE.finditer(mtext, a, verb)]
        if cues:
            return max(cues)[1]
    return "operational"


def _breakdown(ctx: DocContext, s: Sentence, carry: Carry, period: Period | None
               ) -> tuple[list[Connection], str | None, dict[int, str]]:
    """A sentence without a connection verb that breaks down the previous sentence's total."""
    if carry.total is None or carry.from_iri is None or not _PARTS_START.match(ctx.mtext, s.start, s.end):
        return [], None, {}
    out: list[Connection] = []
    groups = _grouped(ctx, s, s.start, carry.from_iri, carry.status, period, out, carry, parts_of=carry.total)
    carry.total = None
    return out, (carry.from_iri if out else None), groups


def _grouped(ctx: DocContext, s: Sentence, after: int, from_iri: str, status: str,
             period: Period | None, out: list[Connection], carry: Carry,
             parts_of: Connection | None = None) -> dict[int, str]:
    """Counts of systems after the verb: a total ("23 hệ thống") and its parts by level."""
    mtext = ctx.mtext
    counts = list(_COUNT.finditer(mtext, after, s.end))
    # "kết nối, chia sẻ dữ liệu với 13 bộ, ngành, 63 địa phương và 6 doanh nghiệp": connected parties by level
    org_level: dict[int, str] = {}
    with_at = re.compile(r"\s(?:với|tới|đến)\s").search(mtext, after, min(s.end, after + 40))
    if with_at and parts_of is None:
        for m in _ORG_COUNT.finditer(mtext, with_at.end(), s.end):
            if m.start() > with_at.end() + 60 or any(c.start() == m.start() for c in counts):
                break
            org_level[m.start(1)] = _ORG_LEVEL[re.split(r",? ", m.group(2))[0] if m.group(2)[0] in "bnt" else m.group(2)]
            counts.append(m)
        counts.sort(key=lambda m: m.start())
    levels: dict[int, str] = {}
    total: Connection | None = parts_of
    prov_name = match_form(ctx.province.name) if ctx.province else None
    for i, m in enumerate(counts):
        seg_end = counts[i + 1].start() if i + 1 < len(counts) else s.end
        seg = mtext[m.end():seg_end]
        is_total = total is None and bool(_PARTS.search(seg[:60])) and i + 1 < len(counts)
        level: str | None = org_level.get(m.start(1))
        if not is_total and level is None:
            for rx, lv in _LEVEL_CUES:
                if rx.search(seg[:60]):
                    level = lv
                    break
            if level is None and prov_name and prov_name in seg[:60]:
                level = "provincial"
            if level == "other" and total is None and re.match(r"\s*khác", seg):
                level = None  # "23 hệ thống khác": other than the source, not a level
        c = _conn(from_iri, None, status, ctx, s, m.start(1), m.end(1), period,
                  count=int(m.group(1)), level=level)
        c.count_observation = "pending"
        if total is not None and not is_total:
            c.part_of = f"conn:{id(total)}"
        if is_total:
            total = c
        out.append(c)
        levels[m.start(1)] = _LEVEL_INDICATOR[level]
        if parts_of is None and len(counts) == 1 and level is None:
            carry.from_iri, carry.status, carry.total, carry.paragraph = from_iri, status, c, s.paragraph
    return levels


def _conn(from_iri: str, to_iri: str | None, status: str, ctx: DocContext, s: Sentence, a: int, b: int,
          period: Period | None, *, count: int | None = None, level: str | None = None) -> Connection:
    return Connection(from_iri, to_iri, status, ctx.text[a:b], a, b, s.start, s.end, period,
                      count=count, level=level)


def _owner_slug(ctx: DocContext) -> str | None:
    """Whose systems a document's "Cổng Dịch vụ công của Bộ" names: its province, else the
    ministry its title names ("Bộ Tư pháp …" → ``bo-tu-phap``)."""
    if ctx.province is not None:
        return ctx.province.slug
    if ctx.title:
        title = match_form(ctx.title)
        central = [m for m in find_agencies(title, 0, len(title)) if m.key.startswith("central/")]
        if central:
            return central[0].key.split("/", 1)[1]
    return None


def _register(doc: Document, ctx: DocContext, slug: str) -> str:
    prov = ctx.province
    iri = system_iri(slug, _owner_slug(ctx))
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
