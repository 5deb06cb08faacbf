"""Text → typed facts: numeric observations and system connections with offsets.

The extractor is number-centred. Every candidate number of a sentence (``tokens.py``) must
name its unit ("657 TTHC", "74,26%", "1.880 tỷ đồng") or inherit one from a list it belongs
to ("trong đó: trực tuyến 800, trực tiếp 200"), otherwise it is not a fact. Its meaning
comes from the nearest indicator cue (``ontology/indicators.ttl``), its qualifier from the
hedge before it, its period from the sentence, paragraph or document, and its subject from
the nearest agency, place or system mention. A wrong number is worse than a missing one:
when in doubt, nothing comes out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from ontology import ID

from .connect import sentence_connections
from .context import DocContext, build_context
from .facts import Document, Entity, Observation, Period
from .lexicon import Indicator, indicators, match_unit, qualifier_before
from .link import AGENCY_CUES, Mention, Unit, find_agencies, find_places, unit_by_iri
from .normalize import Sentence, slugify
from .periods import PeriodMention, year_period
from .tokens import Candidate, candidates

__all__ = ["extract"]

_GENERIC = {
    "dossiers-received", "dossiers-resolved", "procedures-announced", "decisions-issued",
    "plan-tasks-completed", "plan-tasks-assigned", "units-reached", "systems-connected",
    "feedback-received", "training-participants", "inspections", "growth-target",
    "procedures-online-service", "procedures-total",
}
_COUNT_UNITS = {"dossier", "procedure", "decision", "task", "system", "enterprise", "person", "other"}
_PART_MARK = re.compile(r"trong đó|bao gồm|gồm có|gồm|cụ thể|chia ra|bao gồm cả")
_EXHAUSTIVE_MARK = re.compile(r"bao gồm|gồm có|gồm|chia ra")
_TOTAL_VERB = re.compile(r"tiếp nhận|công bố|kết nối|ban hành|thành lập")
_LOCALITY_MOVE = re.compile(r"(?:toàn|trên địa bàn|địa bàn) (tỉnh|thành phố|huyện|thị xã|quận)(?![\wÀ-ỹ])")
_LOCALITY_REF = re.compile(r"(?:toàn|trên địa bàn|địa bàn|của|trong) (tỉnh|thành phố|huyện|thị xã|quận)(?![\wÀ-ỹ]*\s+[A-ZĐ])")
_TARGET = re.compile(r"phấn đấu|mục tiêu|chỉ tiêu|dự kiến|đặt ra|đề ra|kế hoạch đạt|yêu cầu đạt|hướng tới")
_GROWTH_BEFORE = re.compile(r"(tăng|giảm|tăng trưởng|sụt giảm|cao hơn|thấp hơn)(?: thêm| lần lượt| khoảng| hơn| gần| ước| ước tính| đạt| bình quân| mạnh| nhẹ)*\s*$")
_LEVEL_BEFORE = re.compile(r"(?:tăng|giảm) (?:lên|xuống)(?: mức| còn)?\s*$|lên (?:mức )?\s*$|xuống (?:mức |còn )?\s*$|còn\s*$")
_RATIO_BEFORE = re.compile(r"bằng(?: khoảng| gần| hơn)?\s*$")
_COMPARED = re.compile(r"\s*(?:so với\s+)?(cùng kỳ(?: năm trước| năm \d{4})?|dự toán[^,.;]{0,30}|kế hoạch[^,.;]{0,30}|năm trước|năm \d{4}|bình quân chung[^,.;]{0,20}|trung bình cả nước)")


@dataclass(slots=True)
class _Fact:
    obs: Observation
    cand: Candidate
    unit_end: int
    ind: str


@dataclass(slots=True)
class _State:
    ctx: DocContext
    doc: Document
    locality: str | None = None  # administrative unit IRI in focus
    para_period: Period | None = None
    para_subject: str | None = None
    facts: list[_Fact] = field(default_factory=list)


def extract(
    text: str,
    *,
    source_id: str,
    file_name: str | None = None,
    url: str | None = None,
    title: str | None = None,
    date: str | None = None,
    publisher: str | None = None,
    author: str | None = None,
) -> Document:
    """Extract observations and connections from ``text`` (already NFC).

    >>> d = extract("Quý I/2025, tỉnh Vĩnh Phúc tiếp nhận 1.392 hồ sơ, đạt 98,5% đúng hạn.", source_id="t")
    >>> [(str(o.value), o.unit, o.period.label) for o in d.observations]
    [('1392', 'dossier', '2025-Q1'), ('98.5', 'percent', '2025-Q1')]
    """
    ctx = build_context(text, date=date, url=url, title=title, author=author, publisher=publisher)
    doc = Document(source_id, text, file_name, ctx.url, ctx.title, ctx.publisher, ctx.author,
                   ctx.date, ctx.province.iri if ctx.province else None)
    st = _State(ctx, doc, locality=doc.main_place)
    para = -1
    for s in ctx.sentences:
        if s.paragraph != para:
            para, st.para_period, st.para_subject = s.paragraph, None, None
        _sentence(st, s)
    _number_keys(doc)
    return doc


def _sentence(st: _State, s: Sentence) -> None:
    ctx = st.ctx
    mtext, text = ctx.mtext, ctx.text
    periods = [pm for pm in ctx.periods if s.start <= pm.start < s.end]
    prov = ctx.province
    places = find_places(text, mtext, ctx.when, prov, s.start, s.end)
    agencies = find_agencies(mtext, s.start, s.end)
    conns, from_system, groups = sentence_connections(st.ctx, st.doc, s, _period(st, s, periods, s.start))
    st.doc.connections.extend(conns)
    blocked = [(pm.start, pm.end) for pm in periods]
    blocked += [(m.start, m.end) for m in agencies]
    cands = candidates(mtext, s.start, s.end, ctx.locale, blocked)
    facts: list[_Fact] = []
    prev_end = s.start
    respectively = _respectively(mtext, s, cands)
    for c in cands:
        fact = _fact(st, s, c, prev_end, facts, periods, places, agencies, from_system, groups, respectively)
        if fact is None:
            continue
        facts.append(fact)
        prev_end = fact.unit_end
        if c.form == "fraction" and c.den is not None and c.den_span is not None:
            facts.append(_denominator(st, s, fact, periods))
    _link_parts(mtext, facts, agencies, places)
    _link_ratios(mtext, facts)
    for f in facts:
        st.doc.observations.append(f.obs)
    if facts:
        st.para_subject = facts[-1].obs.subject
    _move_locality(st, s, places)


def _move_locality(st: _State, s: Sentence, places: list[Mention]) -> None:
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


def _fact(st: _State, s: Sentence, c: Candidate, prev_end: int, facts: list[_Fact],
          periods: list[PeriodMention], places: list[Mention], agencies: list[Mention],
          from_system: str | None, groups: dict[int, str], respectively: dict[int, str]) -> _Fact | None:
    ctx, mtext = st.ctx, st.ctx.mtext
    unit_end = c.after
    if c.form == "rank":
        unit = "rank"
    elif c.form == "score":
        unit = "point"
    elif c.form == "target-double-digit":
        unit = "percent"
    else:
        mu = match_unit(mtext, c.after)
        if mu is not None:
            unit, unit_end = mu
        else:
            unit = _inherited_unit(mtext, s, c, facts, respectively)
            if unit is None and c.scale > 1 and re.search(r"đồng|ngân sách|vốn|giá trị|thu |chi |đầu tư|giải ngân", mtext[s.start:s.end]):
                unit = "VND"
            if unit is None:
                return None
    if c.form == "word" and unit == "percent":
        return None
    value = c.value * c.scale
    window_start = max(prev_end, s.start)
    before = mtext[window_start:c.start]
    qualifier = qualifier_before(mtext, c.start, window_start)
    tail = mtext[unit_end:unit_end + 12]
    if re.match(r"\s*trở lên", tail):
        qualifier = "at_least"
    elif re.match(r"\s*trở xuống", tail):
        qualifier = "up_to"
    rng = _range_role(mtext, s, c)
    if rng:
        qualifier = rng
    kind, negative, compared = _kind(mtext, c, unit, before, unit_end, s)
    if negative:
        value = -value
    if c.form == "target-double-digit":
        kind, qualifier = "target", "at_least"
    indicator = "growth-target" if c.form == "target-double-digit" else respectively.get(c.start) or _indicator(mtext, s, c, unit, window_start, unit_end, facts, kind)
    if unit == "system" and from_system:
        indicator = groups.get(c.start, "systems-connected")
    subject, place = _subject(st, s, c.start, places, agencies, from_system if unit == "system" else None)
    period = _period(st, s, periods, c.start, target=(kind == "target"))
    if period is None:
        return None
    end = unit_end if unit in ("percent", "VND") else (c.den_span[1] if c.form in ("score", "rank") and c.den_span else c.end)
    if c.form == "fraction" and c.den_span:
        end = c.den_span[1]
    if c.form == "target-double-digit":
        end = c.after
    surface = ctx.text[c.start:end].rstrip(" .")
    end = c.start + len(surface)
    obs = Observation(
        value=value, unit=unit, kind=kind, qualifier=qualifier, indicator=indicator,
        subject=subject, place=place, period=period, surface=surface, start=c.start, end=end,
        sentence_start=s.start, sentence_end=s.end,
        resolution=(c.scale * Decimal(1).scaleb(-c.decimals)),
        scale_max=c.den if c.form == "score" else None, compared_to=compared,
    )
    return _Fact(obs, c, unit_end, indicator)


def _inherited_unit(mtext: str, s: Sentence, c: Candidate, facts: list[_Fact], respectively: dict[int, str]) -> str | None:
    """A number without a unit noun takes the unit of the list it stands in."""
    if not facts:
        return None
    last = facts[-1]
    between = mtext[last.unit_end:c.start]
    if c.start in respectively and last.obs.unit != "percent":
        return last.obs.unit
    if _PART_MARK.search(mtext[facts[0].cand.start:c.start]) and last.obs.unit in _COUNT_UNITS \
            and not re.search(r"[.;]", between[:-1] if between.endswith(";") else between) \
            and len(between) < 60:
        return last.obs.unit
    if re.fullmatch(r"\s*(?:,|và|;|-|–)\s*(?:[\wÀ-ỹ ]{0,25}\s)?", between) and last.obs.unit in _COUNT_UNITS \
            and _PART_MARK.search(mtext[s.start:c.start]):
        return last.obs.unit
    return None


def _range_role(mtext: str, s: Sentence, c: Candidate) -> str | None:
    before = mtext[max(s.start, c.start - 12):c.start]
    if re.search(r"từ\s*$", before) and re.match(r"[\d.,]*\s*%?\s*(?:đến|tới|-|–)\s*(?:dưới\s*)?\d", mtext[c.start:c.start + 30]):
        return "at_least"
    if re.search(r"(?:từ\s*[\d.,]+\s*%?\s*(?:đến|tới|-|–)\s*(?:dưới\s*)?)$", mtext[max(s.start, c.start - 30):c.start]):
        return "up_to"
    return None


def _kind(mtext: str, c: Candidate, unit: str, before: str, unit_end: int, s: Sentence) -> tuple[str, bool, str | None]:
    """Kind of a number, whether it is a decrease, and what it is compared with."""
    after = mtext[unit_end:min(s.end, unit_end + 60)]
    cm = _COMPARED.match(after)
    compared = cm.group(1).strip() if cm else None
    near = before[-40:]
    if c.form == "rank":
        return "rank", False, None
    if c.form == "score" or unit == "point":
        g = _GROWTH_BEFORE.search(near)
        return ("growth", bool(g and "giảm" in g.group(1)), compared) if g else ("score", False, None)
    if unit == "rank":
        g = _GROWTH_BEFORE.search(near)
        return "growth", bool(g and ("giảm" in g.group(1) or "thấp" in g.group(1))), None
    growth = _GROWTH_BEFORE.search(near)
    if _LEVEL_BEFORE.search(near):
        growth = None
    if re.match(r"\s*lần(?! thứ| lượt)", mtext[c.after:c.after + 6]):
        return "ratio", False, compared
    if growth and (unit in ("percent", "VND") or compared or re.search(r"so với|so cùng kỳ", after)):
        neg = any(w in growth.group(1) for w in ("giảm", "thấp hơn"))
        return "growth", neg, compared
    if unit == "percent" and _RATIO_BEFORE.search(near):
        return "ratio", False, compared
    if _TARGET.search(near[-50:]) and not re.search(r"\bđã\b|đạt được", near):
        return "target", False, None
    if unit == "percent":
        return "rate", False, None
    if unit == "VND":
        return "money", False, None
    if unit in _COUNT_UNITS:
        return "count", False, None
    return "other", False, None


def _indicator(mtext: str, s: Sentence, c: Candidate, unit: str, window_start: int, unit_end: int,
               facts: list[_Fact], kind: str) -> str:
    inds = indicators()
    best: tuple[int, int, int, str] | None = None

    def consider(a: int, b: int, after: bool) -> tuple[int, int, int, str] | None:
        found: tuple[int, int, int, str] | None = None
        for ind in inds.values():
            if ind.cue is None or unit not in ind.units:
                continue
            for m in ind.cue.finditer(mtext, a, b):
                if m.end() == m.start():
                    continue
                specific = 0 if ind.slug in _GENERIC else 1
                pos = -m.start() if after else m.end()
                key = (specific, pos, m.end() - m.start(), ind.slug)
                if found is None or key > found:
                    found = key
        return found

    best = consider(window_start, c.start, after=False)
    if best is None:
        nxt = min((f.cand.start for f in facts if f.cand.start > c.start), default=s.end)
        clause_end = _clause_end(mtext, unit_end, s.end)
        mark = _PART_MARK.search(mtext, unit_end, clause_end)
        clause_end = mark.start() if mark else clause_end
        after = consider(unit_end, min(nxt, clause_end), after=True)
        if after is not None and (best is None or after[0] > best[0]):
            best = after
    if best is None and facts and kind in ("growth", "ratio", "rate"):
        return facts[-1].ind
    if best is None:
        best = consider(s.start, c.start, after=False)
    return best[3] if best else "unclassified"


def _clause_end(mtext: str, pos: int, end: int) -> int:
    m = re.compile(r"[;.]|,\s+(?:tăng|giảm|đạt|bằng)").search(mtext, pos, end)
    return m.start() if m else end


def _respectively(mtext: str, s: Sentence, cands: list[Candidate]) -> dict[int, str]:
    """"A, B và C lần lượt đạt 60%, 30% và 10%": the i-th cue before "lần lượt" names the i-th number."""
    m = re.search(r"lần lượt", mtext[s.start:s.end])
    if not m:
        return {}
    pivot = s.start + m.start()
    after = [c for c in cands if c.start > pivot]
    if len(after) < 2:
        return {}
    cues: list[tuple[int, str]] = []
    head_start = s.start
    for f in reversed([c for c in cands if c.start < pivot]):
        head_start = f.after
        break
    for ind in indicators().values():
        if ind.cue is None or ind.slug in _GENERIC:
            continue
        for mm in ind.cue.finditer(mtext, head_start, pivot):
            cues.append((mm.start(), ind.slug))
    cues.sort()
    dedup: list[tuple[int, str]] = []
    for pos, slug in cues:
        if dedup and pos < dedup[-1][0] + 3:
            continue
        dedup.append((pos, slug))
    if len(dedup) != len(after):
        return {c.start: "" for c in after if False}
    return {c.start: slug for c, (_, slug) in zip(after, dedup, strict=True)}


def _period(st: _State, s: Sentence, periods: list[PeriodMention], pos: int, target: bool = False) -> Period | None:
    ctx = st.ctx
    usable = [pm for pm in periods if pm.role == "period" or (target and pm.role == "plan")]
    before = [pm for pm in usable if pm.end <= pos]
    after = [pm for pm in usable if pm.start >= pos]
    for pm in (before[-1:] + after[:1]):
        p = pm.resolve(ctx.year, ctx.date)
        if p is not None:
            if not target:
                st.para_period = p
            return p
    if target and ctx.year:
        return year_period(ctx.year)
    if st.para_period is not None:
        return st.para_period
    if ctx.period is not None:
        return ctx.period
    if ctx.date:
        return year_period(int(ctx.date[:4]))
    return None


def _plan_period(st: _State, periods: list[PeriodMention]) -> Period | None:
    for pm in periods:
        if pm.role == "plan":
            p = pm.resolve(st.ctx.year, st.ctx.date)
            if p is not None:
                return p
    return None


def _denominator(st: _State, s: Sentence, num: _Fact, periods: list[PeriodMention]) -> _Fact:
    o = num.obs
    c = num.cand
    assert c.den is not None
    period = _plan_period(st, periods) or o.period
    ind = "plan-tasks-assigned" if o.unit == "task" else o.indicator
    den = Observation(
        value=c.den, unit=o.unit, kind="count", qualifier="exact", indicator=ind,
        subject=o.subject, place=o.place, period=period, surface=o.surface, start=o.start,
        end=o.end, sentence_start=o.sentence_start, sentence_end=o.sentence_end,
        resolution=Decimal(1),
    )
    o.part_of = None
    return _Fact(den, Candidate(c.start, c.end, c.den, 0, "denominator", after=c.after), num.unit_end, ind)


def _link_parts(mtext: str, facts: list[_Fact], agencies: list[Mention], places: list[Mention]) -> None:
    """Parts introduced by "trong đó" / "gồm" after a total of the same unit."""
    for i, total in enumerate(facts):
        o = total.obs
        if o.unit not in _COUNT_UNITS | {"VND"} or o.kind not in ("count", "money") or total.cand.form == "denominator":
            continue
        mark = _PART_MARK.search(mtext, total.unit_end, total.unit_end + 40)
        if not mark:
            continue
        parts: list[_Fact] = []
        for f in facts[i + 1:]:
            if f.cand.form == "denominator":
                continue
            if f.obs.unit != o.unit or f.obs.kind != o.kind:
                if f.obs.unit in ("percent",):
                    continue
                break
            gap = (mark.end(), f.cand.start)
            if any(gap[0] <= m.start < gap[1] for m in agencies) or _TOTAL_VERB.search(mtext, gap[0], gap[1]):
                break
            parts.append(f)
        if not parts:
            continue
        for p in parts:
            p.obs.part_of = o.key or f"#{id(o)}"
            p.obs.part_of = _key_ref(o)
        fams = {indicators()[p.ind].family if p.ind in indicators() else "" for p in parts}
        if _EXHAUSTIVE_MARK.match(mark.group(0)) or (len(parts) >= 2 and len(fams) == 1 and "" not in fams):
            o.parts_exhaustive = True
        break


def _key_ref(o: Observation) -> str:
    return f"obj:{id(o)}"


def _link_ratios(mtext: str, facts: list[_Fact]) -> None:
    """"18/64 nhiệm vụ, đạt 28,13%" or "28,13% (18/64)": the rate is the fraction's ratio."""
    for i, f in enumerate(facts):
        if f.cand.form != "fraction":
            continue
        den = facts[i + 1] if i + 1 < len(facts) else None
        for g in facts[i + 2:i + 3] + facts[max(0, i - 1):i]:
            if g.obs.unit == "percent" and g.obs.kind in ("rate", "ratio") and abs(g.cand.start - f.cand.start) < 80:
                g.obs.numerator = _key_ref(f.obs)
                g.obs.indicator = g.ind = f.ind
                g.obs.denominator = _key_ref(den.obs) if den else None
                break


def _subject(st: _State, s: Sentence, pos: int, places: list[Mention], agencies: list[Mention],
             system: str | None) -> tuple[str, str | None]:
    """The entity a number is about and its administrative unit."""
    ctx, doc = st.ctx, st.doc
    prov = ctx.province
    if system:
        return system, st.locality or doc.main_place
    mentions = sorted([m for m in places + agencies if m.start < pos], key=lambda m: m.start)
    for m in _LOCALITY_REF.finditer(ctx.mtext, s.start, pos):
        mentions.append(Mention(m.start(1), m.end(1), "locality-ref", m.group(1)))
    mentions.sort(key=lambda m: m.start)
    if mentions:
        m = mentions[-1]
        if m.kind == "adm":
            return m.key, m.key
        if m.kind == "locality-ref":
            loc = _resolve_ref(st, m.key)
            return loc, loc
        if m.kind == "agency":
            iri, place = _agency(st, m)
            return iri, place
    if st.para_subject is not None:
        return st.para_subject, st.locality
    loc = st.locality or doc.main_place
    return (loc or str(ID["adm/unknown"])), loc


def _resolve_ref(st: _State, word: str) -> str | None:
    prov = st.ctx.province
    cur = unit_by_iri(st.locality) if st.locality else None
    if word == "tỉnh" or cur is None:
        st.locality = prov.iri if prov else st.locality
        return st.locality
    if cur.level == "district" or (word == "thành phố" and cur.level == "provincial"):
        return cur.iri
    return prov.iri if prov else cur.iri


def _agency(st: _State, m: Mention) -> tuple[str, str | None]:
    prov = st.ctx.province
    cur = unit_by_iri(st.locality) if st.locality else prov
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
        name = m.extra[4:].strip().title() if m.key.startswith("so-") else ""
        st.doc.entities[iri] = Entity(
            iri, "agency", tmpl[0].format(vi=where_vi, en=where_en, name=name).strip(),
            tmpl[1].format(vi=where_vi, en=where_en, name=name).strip(),
            level="district" if district else "provincial", place=place,
        )
    return iri, place


def _lower_type(label: str) -> str:
    """"Tỉnh Vĩnh Phúc" → "tỉnh Vĩnh Phúc" inside a longer name."""
    for word in ("Tỉnh", "Thành phố", "Huyện", "Thị xã", "Quận"):
        if label.startswith(word + " "):
            return word.lower() + label[len(word):]
    return label


def _number_keys(doc: Document) -> None:
    """Stable keys "{start}-{end}-{i}" and resolved part/ratio references."""
    seen: dict[tuple[int, int], int] = {}
    by_obj: dict[str, str] = {}
    for o in doc.observations:
        n = seen.get((o.start, o.end), 0) + 1
        seen[(o.start, o.end)] = n
        o.key = f"{o.start}-{o.end}-{n}"
        by_obj[_key_ref(o)] = o.key
    for o in doc.observations:
        o.part_of = by_obj.get(o.part_of) if o.part_of else None
        o.numerator = by_obj.get(o.numerator) if o.numerator else None
        o.denominator = by_obj.get(o.denominator) if o.denominator else None
    seen = {}
    for c in doc.connections:
        n = seen.get((c.start, c.end), 0) + 1
        seen[(c.start, c.end)] = n
        c.key = f"{c.start}-{c.end}-{n}"
    for c in doc.connections:
        if c.part_of and c.part_of.startswith("conn:"):
            target = next((x for x in doc.connections if f"conn:{id(x)}" == c.part_of), None)
            c.part_of = target.key if target else None
        if c.count_observation:
            c.count_observation = next((o.key for o in doc.observations if o.start == c.start and o.unit == "system"), None)


def slug_for(text: str) -> str:
    return slugify(text)


__all__ += ["Indicator", "build_context"]
