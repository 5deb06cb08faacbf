"""Entity linking: administrative units (gazetteer), agencies and information systems.

Units come from ``ontology/gazetteer.ttl`` (63 provinces and their districts before
2025-07-01, 34 provinces after). A name is resolved to the unit valid at the document's
period, so "Vĩnh Phúc" in 2024 and "Phú Thọ" in 2026 get the right, distinct IRIs.
Systems are recognised by the cue patterns below; national ones link to the canonical
IRIs of ``ontology/systems.ttl``, provincial ones are minted under their province.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass
from functools import lru_cache

import pyoxigraph as ox

from ontology import DCTERMS, GAZETTEER, ID, ORG, RDFS, RKG, SKOS

from .normalize import match_form, slugify
from .rxgate import may_match, needles

__all__ = [
    "AGENCY_CUES",
    "NATIONAL_SYSTEMS",
    "PROVINCIAL_SYSTEMS",
    "Mention",
    "Unit",
    "find_agencies",
    "find_places",
    "find_systems",
    "gazetteer",
]


@dataclass(frozen=True, slots=True)
class Unit:
    iri: str
    name: str  # short name, "Vĩnh Phúc"
    label: str  # "Tỉnh Vĩnh Phúc"
    label_en: str
    slug: str
    code: str
    level: str  # "provincial" | "district"
    valid_from: str
    valid_until: str | None
    parent: str | None
    replaced_by: str | None


@dataclass(frozen=True, slots=True)
class Mention:
    start: int
    end: int
    kind: str  # "adm" | "agency" | "system" | "system-group" | "locality-ref"
    key: str  # unit IRI, agency slug, system slug or reference word
    extra: str = ""  # district unit IRI for agencies, level for groups


@lru_cache(maxsize=1)
def gazetteer() -> list[Unit]:
    """All administrative units of ``ontology/gazetteer.ttl``."""
    rows: dict[str, dict[str, str]] = {}
    if not GAZETTEER.exists():
        return []
    want = {
        str(RKG.name): "name", str(SKOS.prefLabel): "label", str(RDFS.label): "label_en",
        str(RKG.slug): "slug", str(RKG.code): "code", str(ORG.classification): "level",
        str(RKG.validFrom): "valid_from", str(RKG.validUntil): "valid_until",
        str(DCTERMS.isPartOf): "parent", str(DCTERMS.isReplacedBy): "replaced_by",
    }
    for t in ox.parse(path=str(GAZETTEER), format=ox.RdfFormat.TURTLE):
        key = want.get(t.predicate.value)
        if key is None or not isinstance(t.subject, ox.NamedNode):
            continue
        if "/adm/" not in t.subject.value:
            continue
        rows.setdefault(t.subject.value, {})[key] = t.object.value
    units = []
    for iri, r in rows.items():
        level = r.get("level", "").rsplit("/", 1)[-1]
        if level not in ("provincial", "district") or "name" not in r:
            continue
        units.append(Unit(iri, r["name"], r.get("label", r["name"]), r.get("label_en", r["name"]),
                          r.get("slug", slugify(r["name"])), r.get("code", ""), level,
                          r.get("valid_from", ""), r.get("valid_until"), r.get("parent"),
                          r.get("replaced_by")))
    return units


@lru_cache(maxsize=1)
def _name_index() -> tuple[re.Pattern[str], dict[str, list[Unit]]]:
    index: dict[str, list[Unit]] = {}
    for u in gazetteer():
        index.setdefault(match_form(u.name), []).append(u)
    rx = re.compile(r"(?<![\wÀ-ỹ])(" + _trie_pattern(list(index)) + r")(?![\wÀ-ỹ])") if index else re.compile(r"(?!x)x")
    return rx, index


def _trie_pattern(words: list[str]) -> str:
    """One regular expression for many literal names, shaped as a trie so that matching is not
    a scan over every alternative at every position. Longer names are tried first, as in an
    alternation sorted by length."""
    trie: dict[str, dict] = {}  # type: ignore[type-arg]
    for w in words:
        node = trie
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = {}

    def build(node: dict) -> str:  # type: ignore[type-arg]
        end = "" in node
        alts = [re.escape(ch) + build(child) for ch, child in sorted(node.items()) if ch]
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        if end:
            return "(?:" + body + ")?" if len(alts) > 1 or len(body) > 1 else body + "?"
        return body

    return build(trie)


_PROVINCE_WORDS = re.compile(r"(?:tỉnh|thành phố|tp\.?|thủ đô)\s*$")
_DISTRICT_WORDS = re.compile(r"(?:huyện|quận|thị xã|thành phố|tp\.?|thị trấn)\s*$")


def unit_at(units: list[Unit], when: str | None) -> Unit:
    """The unit valid on ``when`` (ISO date) among same-named units; the latest otherwise."""
    if when:
        for u in units:
            if u.valid_from <= when and (u.valid_until is None or when <= u.valid_until):
                return u
    return sorted(units, key=lambda u: u.valid_from)[-1 if when is None or when >= "2025-07-01" else 0]


def find_places(
    text: str, mtext: str, when: str | None, province: Unit | None = None, start: int = 0, end: int | None = None
) -> list[Mention]:
    """Province and district mentions. Districts need their type word ("huyện X",
    "thành phố Phúc Yên") unless the name is unique and capitalised in the text."""
    _rx, index = _name_index()
    out: list[Mention] = []
    for m_start, m_end, name in _name_hits(mtext, start, len(mtext) if end is None else end):
        if not text[m_start].isupper():
            continue
        cands = index[name]
        before = mtext[max(0, m_start - 12): m_start]
        provinces = [u for u in cands if u.level == "provincial"]
        districts = [u for u in cands if u.level == "district"]
        if province is not None:
            local = [u for u in districts if u.parent in (province.iri, province.replaced_by)]
            districts = local or districts
        chosen: Unit | None = None
        if _DISTRICT_WORDS.search(before) and districts and not (
            provinces and re.search(r"(?:tỉnh|thủ đô)\s*$", before)
        ):
            if re.search(r"(?:thành phố|tp\.?)\s*$", before) and provinces and not (
                province is not None and any(u.parent in (province.iri, province.replaced_by) for u in districts)
            ):
                chosen = unit_at(provinces, when)
            else:
                chosen = unit_at(districts, when if when and when < "2025-07-01" else "2025-06-30")
        elif provinces:
            chosen = unit_at(provinces, when)
        elif districts and _DISTRICT_WORDS.search(before):
            chosen = unit_at(districts, "2025-06-30")
        if chosen is not None:
            out.append(Mention(m_start, m_end, "adm", chosen.iri))
    return out


_NAME_CHAR = re.compile(r"[\wÀ-ỹ]")  # what the name pattern's final look-ahead refuses


@lru_cache(maxsize=4)
def _doc_name_hits(mtext: str) -> tuple[list[int], list[tuple[int, int, str]]]:
    """Every name match of a whole text, with their starts (cached by the text: a document is
    searched line by line for its province, then sentence by sentence)."""
    rx, _index = _name_index()
    hits = [(m.start(), m.end(), m.group(1)) for m in rx.finditer(mtext)]
    return [h[0] for h in hits], hits


def _name_hits(mtext: str, start: int, end: int) -> list[tuple[int, int, str]]:
    """What ``finditer`` of the name pattern gives in ``mtext[start:end]``, as (start, end, name).

    The matches of the whole text inside the range are those of the range itself, unless one
    crosses ``start`` or ``end``, or the character at ``end`` would fail the final look-ahead
    that the end of the range lets pass (a name cut by the range's end): then the range is
    searched itself."""
    starts, hits = _doc_name_hits(mtext)
    lo = bisect_left(starts, start)
    hi = bisect_left(starts, end, lo)
    if (lo and hits[lo - 1][1] > start) or (hi > lo and hits[hi - 1][1] > end) \
            or (end < len(mtext) and _NAME_CHAR.match(mtext, end)):
        rx, _index = _name_index()
        return [(m.start(), m.end(), m.group(1)) for m in rx.finditer(mtext, start, end)]
    return hits[lo:hi]


def unit_by_iri(iri: str) -> Unit | None:
    return _by_iri().get(iri)


@lru_cache(maxsize=1)
def _by_iri() -> dict[str, Unit]:
    return {u.iri: u for u in gazetteer()}


# -- information systems ------------------------------------------------------------------
NATIONAL_SYSTEMS: dict[str, str] = {
    "national-public-service-portal":
        r"cổng (?:dịch vụ công|dvc) ?(?:quốc gia|qg)|cổng dvcqg|dichvucong\.gov\.vn",
    "national-tthc-database":
        r"cơ sở dữ liệu quốc gia về (?:thủ tục hành chính|tthc)|csdl ?(?:qg|quốc gia) về (?:thủ tục hành chính|tthc)",
    "national-data-exchange-platform":
        r"nền tảng (?:tích hợp,? chia sẻ|chia sẻ,? tích hợp) dữ liệu quốc gia|\bndxp\b|\bngsp\b",
    "national-document-exchange": r"trục liên thông văn bản (?:quốc gia|qg)|\bvdxp\b",
    "paygov": r"paygov|cổng hỗ trợ thanh toán quốc gia|pay\.gov\.vn",
    "national-payment-platform":
        r"nền tảng thanh toán trực tuyến(?: trên cổng (?:dịch vụ công|dvc) quốc gia)?|cổng thanh toán tập trung(?: quốc gia)?",
    "national-population-database":
        r"cơ sở dữ liệu quốc gia về dân cư|csdl ?(?:qg|quốc gia) về dân cư|dữ liệu (?:quốc gia )?về dân cư",
    "vneid": r"vneid|ứng dụng định danh điện tử",
    "feedback-system": r"hệ thống (?:tiếp nhận,? (?:trả lời|xử lý) )?phản ánh,? kiến nghị",
    "government-reporting-system": r"hệ thống thông tin báo cáo (?:chính phủ|quốc gia)",
    "government-operations-center": r"trung tâm thông tin,? chỉ đạo,? điều hành của chính phủ",
    "e-cabinet": r"e-?cabinet",
    "government-task-tracking-system": r"hệ thống theo dõi nhiệm vụ",
    "specialized-data-network": r"mạng truyền số liệu chuyên dùng",
    "personal-data-store": r"kho (?:quản lý )?dữ liệu điện tử của (?:tổ chức,? cá nhân|cá nhân,? tổ chức)",
    "dvcqg-coordination-system": r"hệ thống điều phối",
}
PROVINCIAL_SYSTEMS: dict[str, tuple[str, str, str]] = {
    # slug: (cue, Vietnamese label template, English label template)
    "tthc-information-system": (
        r"hệ thống thông tin (?:giải quyết )?(?:thủ tục hành chính|tthc)|hệ thống (?:thông tin )?một cửa điện tử|"
        r"phần mềm một cửa(?: điện tử)?|\bigate\b",
        "Hệ thống thông tin giải quyết TTHC {vi}", "{en} administrative procedure information system"),
    "public-service-portal": (
        r"cổng (?:dịch vụ công|dvc)(?! ?quốc gia| ?qg)",
        "Cổng Dịch vụ công {vi}", "{en} public service portal"),
    "local-data-exchange-platform": (
        r"\blgsp\b|nền tảng (?:tích hợp,? chia sẻ|chia sẻ,? tích hợp) dữ liệu(?! quốc gia)(?: cấp tỉnh)?|"
        r"(?:ứng dụng|trục) tích hợp,? chia sẻ dữ liệu",
        "Nền tảng tích hợp, chia sẻ dữ liệu (LGSP) {vi}", "{en} local data exchange platform (LGSP)"),
    "reporting-system": (
        r"hệ thống thông tin báo cáo(?! chính phủ| quốc gia)",
        "Hệ thống thông tin báo cáo {vi}", "{en} reporting information system"),
    "document-management-system": (
        r"(?:hệ thống|phần mềm) quản lý văn bản(?: và điều hành)?|\bqlvb(?:&đh)?\b",
        "Hệ thống quản lý văn bản và điều hành {vi}", "{en} document management system"),
    "ioc": (r"trung tâm giám sát,? điều hành (?:đô thị )?thông minh|\bioc\b",
            "Trung tâm giám sát, điều hành thông minh {vi}", "{en} intelligent operations centre (IOC)"),
    "web-portal": (r"cổng thông tin điện tử (?:của )?(?:tỉnh|thành phố)",
                   "Cổng thông tin điện tử {vi}", "{en} web portal"),
}
_GROUP_CUE = re.compile(
    r"(?:(?:các|những|nhiều) |(?<=nối tới )|(?<=nối với )|(?<=nối đến ))(?:cơ sở dữ liệu|csdl|hệ thống(?: thông tin)?|"
    r"nền tảng|phần mềm)[^,.;]{0,40}?(?:bộ|ngành|trung ương|quốc gia)[^,.;]{0,30}")
# each with its gate (``rxgate``): most sentences name no system and are not scanned for one
_SYS_RX = [(slug, rx, needles(rx))
           for slug, rx in ((k, re.compile(p)) for k, p in NATIONAL_SYSTEMS.items())]
_PSYS_RX = [(slug, rx, needles(rx))
            for slug, rx in ((k, re.compile(v[0])) for k, v in PROVINCIAL_SYSTEMS.items())]
_GROUP_GATE = needles(_GROUP_CUE)


def find_systems(mtext: str, start: int, end: int) -> list[Mention]:
    """System mentions in ``mtext[start:end]``: national (canonical), provincial, unnamed groups."""
    found: list[Mention] = []
    taken: list[tuple[int, int]] = []

    def add(s: int, e: int, kind: str, key: str, extra: str = "") -> None:
        if any(a < e and s < b for a, b in taken):
            return
        taken.append((s, e))
        found.append(Mention(s, e, kind, key, extra))

    seg = mtext[start:end]
    for slug, rx, g in _SYS_RX:
        for m in rx.finditer(mtext, start, end) if may_match(g, seg) else ():
            add(m.start(), m.end(), "system", slug, "national")
    for slug, rx, g in _PSYS_RX:
        for m in rx.finditer(mtext, start, end) if may_match(g, seg) else ():
            add(m.start(), m.end(), "system", slug, "provincial")
    for m in _GROUP_CUE.finditer(mtext, start, end) if may_match(_GROUP_GATE, seg) else ():
        add(m.start(), m.end(), "system-group", "national-databases", "national")
    return sorted(found, key=lambda x: x.start)


# -- agencies -----------------------------------------------------------------------------
_SO = (r"nội vụ|tư pháp|khoa học và công nghệ|kh&cn|khcn|thông tin và truyền thông|tt&tt|tttt|tài chính|"
       r"kế hoạch và đầu tư|kh&đt|công thương|xây dựng|y tế|giáo dục và đào tạo|gd&đt|"
       r"nông nghiệp và môi trường|nông nghiệp và phát triển nông thôn|tài nguyên và môi trường|"
       r"lao động - thương binh và xã hội|lđtbxh|văn hóa, thể thao và du lịch|giao thông vận tải|"
       r"dân tộc và tôn giáo|ngoại vụ")
AGENCY_CUES: list[tuple[str, re.Pattern[str], str, str]] = [
    # slug, cue, Vietnamese label, English label (templates; {vi}/{en} = jurisdiction)
    ("one-stop-unit", re.compile(
        r"bộ phận (?:tiếp nhận và trả kết quả|một cửa|tn ?& ?tkq)(?: giải quyết (?:thủ tục hành chính|tthc))?"),
     "Bộ phận Một cửa {vi}", "{en} one-stop unit"),
    ("public-administration-service-center", re.compile(
        r"trung tâm phục vụ hành chính công|trung tâm hành chính công|trung tâm pvhcc|trung tâm hcc"),
     "Trung tâm Phục vụ hành chính công {vi}", "{en} public administration service centre"),
    ("commune-people-committees", re.compile(r"(?:ubnd|ủy ban nhân dân) (?:cấp xã|các xã, phường(?:, thị trấn)?)"),
     "UBND cấp xã {vi}", "Commune-level People's Committees of {en}"),
    ("ubnd", re.compile(r"(?:chủ tịch )?(?:ubnd|ủy ban nhân dân) (?:tỉnh|thành phố|huyện|thị xã|quận)"),
     "UBND {vi}", "{en} People's Committee"),
    ("hdnd", re.compile(r"(?:hđnd|hội đồng nhân dân) (?:tỉnh|thành phố|huyện|thị xã|quận)"),
     "HĐND {vi}", "{en} People's Council"),
    ("so", re.compile(rf"sở ({_SO})"), "Sở {name} {vi}", "{en} Department of {name}"),
]
_BO = re.compile(rf"bộ ({_SO.replace('|kh&cn', '|khoa học và công nghệ').replace('sở', '')}|công an|quốc phòng|ngoại giao)")
# gates (``rxgate``): most sentences name no agency and are not scanned for one
_AGENCY_GATES = [needles(rx) for _slug, rx, _vi, _en in AGENCY_CUES]
_BO_GATE = needles(_BO)
# one test for all of them first: most sentences hold none of their strings (in the order of
# the cues: the test stops at the first string found, and the general cues come first)
_ANY_AGENCY = None if None in (*_AGENCY_GATES, _BO_GATE) else \
    tuple(dict.fromkeys(n for g in (*_AGENCY_GATES, _BO_GATE) for n in g))  # type: ignore[union-attr]


def find_agencies(mtext: str, start: int, end: int) -> list[Mention]:
    """Agency mentions (provincial and central) in ``mtext[start:end]``."""
    out: list[Mention] = []
    taken: list[tuple[int, int]] = []
    seg = mtext[start:end]
    if not may_match(_ANY_AGENCY, seg):
        return out
    for (slug, rx, _vi, _en), g in zip(AGENCY_CUES, _AGENCY_GATES, strict=True):
        for m in rx.finditer(mtext, start, end) if may_match(g, seg) else ():
            if any(a < m.end() and m.start() < b for a, b in taken):
                continue
            key = slug if slug != "so" else "so-" + slugify(m.group(1))
            taken.append((m.start(), m.end()))
            out.append(Mention(m.start(), m.end(), "agency", key, m.group(0)))
    for m in _BO.finditer(mtext, start, end) if may_match(_BO_GATE, seg) else ():
        if any(a < m.end() and m.start() < b for a, b in taken):
            continue
        out.append(Mention(m.start(), m.end(), "agency", "central/bo-" + slugify(m.group(1)), m.group(0)))
    return sorted(out, key=lambda x: x.start)


def system_iri(slug: str, province_slug: str | None) -> str:
    """Canonical IRI of a national system, or a provincial system's IRI under its province."""
    if slug in NATIONAL_SYSTEMS or province_slug is None:
        return str(ID["system/" + slug])
    return str(ID[f"system/{province_slug}/{slug}"])
