"""Who or what a number is about: an agency, a place or a system, and the locality in focus.

Reports move between localities ("toàn tỉnh", "thành phố Phúc Yên", "huyện X") and agencies
("Sở Nội vụ tỉnh Bắc Giang"); the subject of a number is the nearest such mention before it in
its sentence, else the paragraph's subject, else the locality in focus.
"""

from __future__ import annotations

import re

from ontology import ID

from .facts import Entity
from .link import AGENCY_CUES, Mention, Unit, unit_by_iri
from .normalize import Sentence
from .state import State

__all__ = ["agency_of", "move_locality", "subject_of"]

_LOCALITY_MOVE = re.compile(r"(?:toàn|trên địa bàn|địa bàn) (tỉnh|thành phố|huyện|thị xã|quận)(?![\wÀ-ỹ])")
_LOCALITY_REF = re.compile(r"(?:toàn|trên địa bàn|địa bàn|của|trong) (tỉnh|thành phố|huyện|thị xã|quận)(?![\wÀ-ỹ]*\s+[A-ZĐ])")


def move_locality(st: State, s: Sentence, places: list[Mention]) -> None:
    """The locality in focus follows the last place the sentence names ("thành phố Phúc Yên",
    "toàn tỉnh"), so "thành phố" in the next paragraph still means Phúc Yên."""
    marks: list[tuple[int, str]] = [(m.start, m.key) for m in places]
    marks += [(m.start(1), "ref:" + m.group(1)) for m in _LOCALITY_MOVE.finditer(st.ctx.mtext, s.start, s.end)]
    if not marks:
        return
    _pos, key = max(marks)
    if key.startswith("ref:"):
        _resolve_ref(st, key[4:])
    else:
        st.locality = key


def subject_of(st: State, s: Sentence, pos: int, places: list[Mention], agencies: list[Mention],
               system: str | None) -> tuple[str, str | None]:
    """The entity a number is about and its administrative unit."""
    ctx, doc = st.ctx, st.doc
    if system:
        return system, st.locality or doc.main_place
    # "Sở Nội vụ tỉnh Bắc Giang": a place right after an agency names the agency's jurisdiction
    qualified: dict[int, str] = {}
    for a in agencies:
        for p in places:
            if 0 <= p.start - a.end <= 16 and re.fullmatch(r"\s*(?:của\s+)?(?:tỉnh|thành phố|tp\.?|huyện|quận|thị xã)?\s*",
                                                           ctx.mtext[a.end:p.start]):
                qualified[p.start] = p.key
                qualified[a.start] = p.key
    mentions = sorted([m for m in places + agencies if m.start < pos and not (m.kind == "adm" and m.start in qualified)],
                      key=lambda m: m.start)
    for r in _LOCALITY_REF.finditer(ctx.mtext, s.start, pos):
        mentions.append(Mention(r.start(1), r.end(1), "locality-ref", r.group(1)))
    mentions.sort(key=lambda x: x.start)
    if mentions:
        m = mentions[-1]
        if m.kind == "adm":
            return m.key, m.key
        if m.kind == "locality-ref":
            loc = _resolve_ref(st, m.key)
            return loc or str(ID["adm/unknown"]), loc
        if m.kind == "agency":
            iri, place = _agency(st, m, qualified.get(m.start))
            return iri, place
    if st.para_subject is not None:
        return st.para_subject, st.locality
    loc = st.locality or doc.main_place
    return (loc or str(ID["adm/unknown"])), loc


def _resolve_ref(st: State, word: str) -> str | None:
    prov = st.ctx.province
    cur = unit_by_iri(st.locality) if st.locality else None
    if word == "tỉnh" or cur is None:
        st.locality = prov.iri if prov else st.locality
        return st.locality
    if cur.level == "district" or (word == "thành phố" and cur.level == "provincial"):
        return cur.iri
    return prov.iri if prov else cur.iri


def agency_of(st: State, m: Mention) -> tuple[str, str | None]:
    """The IRI and jurisdiction of an agency mention, in the locality in focus."""
    return _agency(st, m)


def _agency(st: State, m: Mention, where: str | None = None) -> tuple[str, str | None]:
    prov = st.ctx.province
    cur = unit_by_iri(st.locality) if st.locality else prov
    named = unit_by_iri(where) if where else None
    if named is not None:
        if named.level == "provincial":
            prov, cur = named, named
        else:
            cur = named
            prov = unit_by_iri(named.parent) if named.parent else prov
    if m.key.startswith("central/"):
        return str(ID["agency/" + m.key]), None
    text = m.extra
    district: Unit | None = None
    if cur is not None and cur.level == "district" and "tỉnh" not in text:
        district = cur
    pslug = prov.slug if prov else (cur.slug if cur else "unknown")
    path = f"{pslug}/{district.slug}/{m.key}" if district else f"{pslug}/{m.key}"
    iri = str(ID["agency/" + path])
    place = district.iri if district else (prov.iri if prov else None)
    if iri not in st.doc.entities:
        where_vi = _lower_type(district.label if district else (prov.label if prov else ""))
        where_en = district.label_en if district else (prov.label_en if prov else "")
        tmpl = next(((vi, en) for slug, _rx, vi, en in AGENCY_CUES if m.key == slug or (slug == "so" and m.key.startswith("so-"))), ("{vi}", "{en}"))
        name = name_en = ""
        parent = None
        if m.key.startswith("so-"):
            # "Sở Nội vụ" as written; the English name from the department table
            name = st.ctx.text[m.start:m.end].split(None, 1)[-1].strip()
            name_en = _DEPARTMENTS_EN.get(m.key[3:], name)
            parent = str(ID[f"agency/{pslug}/ubnd"])
        st.doc.entities[iri] = Entity(
            iri, "agency", tmpl[0].format(vi=where_vi, en=where_en, name=name).strip(),
            tmpl[1].format(vi=where_vi, en=where_en, name=name_en).strip(),
            level="district" if district else "provincial", place=place, parent=parent,
        )
    return iri, place


_DEPARTMENTS_EN = {
    "noi-vu": "Home Affairs", "tu-phap": "Justice", "khoa-hoc-va-cong-nghe": "Science and Technology",
    "kh-cn": "Science and Technology", "khcn": "Science and Technology",
    "thong-tin-va-truyen-thong": "Information and Communications", "tt-tt": "Information and Communications",
    "tttt": "Information and Communications", "tai-chinh": "Finance",
    "ke-hoach-va-dau-tu": "Planning and Investment", "kh-dt": "Planning and Investment",
    "cong-thuong": "Industry and Trade", "xay-dung": "Construction", "y-te": "Health",
    "giao-duc-va-dao-tao": "Education and Training", "gd-dt": "Education and Training",
    "nong-nghiep-va-moi-truong": "Agriculture and Environment",
    "nong-nghiep-va-phat-trien-nong-thon": "Agriculture and Rural Development",
    "tai-nguyen-va-moi-truong": "Natural Resources and Environment",
    "lao-dong-thuong-binh-va-xa-hoi": "Labour, Invalids and Social Affairs",
    "ldtbxh": "Labour, Invalids and Social Affairs",
    "van-hoa-the-thao-va-du-lich": "Culture, Sports and Tourism", "giao-thong-van-tai": "Transport",
    "dan-toc-va-ton-giao": "Ethnic and Religious Affairs", "ngoai-vu": "Foreign Affairs",
}


def _lower_type(label: str) -> str:
    """"Tỉnh Vĩnh Phúc" → "tỉnh Vĩnh Phúc" inside a longer name."""
    for word in ("Tỉnh", "Thành phố", "Huyện", "Thị xã", "Quận"):
        if label.startswith(word + " "):
            return word.lower() + label[len(word):]
    return label
