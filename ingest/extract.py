"""Text → typed facts: numeric observations and system connections with offsets.

The extractor is number-centred. Every candidate number of a sentence (``tokens.py``) must
name its unit ("657 TTHC", "74,26%", "1.880 tỷ đồng") or get one from the list or clause it
stands in (``units.py``), otherwise it is not a fact. Its kind, indicator and period come from
``meaning.py`` (the nearest cue of ``ontology/indicators.ttl``, the nearest period expression of
the sentence, paragraph or document), its qualifier from the hedge before it (``lexicon.py``),
and its subject from the nearest agency, place or system mention (``subjects.py``). A wrong
number is worse than a missing one: when in doubt, nothing comes out.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass
from decimal import Decimal

from .connect import sentence_connections
from .context import build_context
from .facts import Document, Observation
from .lexicon import Indicator, indicators, qualifier_before
from .link import Mention, find_agencies, find_places
from .meaning import (
    COUNT_UNITS,
    PART_MARK,
    Cue,
    indicator_of,
    kind_of,
    mtext_clause,
    period_of,
    plan_period,
    range_role,
    respectively,
    last_index,
    sentence_cues,
    sentence_period,
)
from .normalize import Sentence, slugify
from .periods import PeriodMention, year_period
from .state import Fact, State
from .subjects import agency_of, move_locality, subject_of
from .tables import table_observations
from .tokens import Candidate, candidates
from .units import unit_of

__all__ = ["extract"]

_EXHAUSTIVE_MARK = re.compile(r"bao gồm|gồm có|gồm|chia ra")
_CLAUSE_ESTIMATE = re.compile(r"\s*(?:ước|dự ước|ước tính|theo ước tính|estimated)(?![\wÀ-ỹ])")
_BOUND_AFTER = re.compile(r"\s*(trở lên|trở xuống|or more|and above|or less|and below)")
_INDEX_INDICATORS = {"par-index", "sipas", "papi", "pci", "dti", "service-index-766", "ddci"}
_OF_PLAN = re.compile(r"\s*(?:nhiệm vụ|tasks?)?[^.;]{0,30}?(?:kế hoạch|chương trình|plan)")
_TOTAL_VERB = re.compile(r"tiếp nhận|công bố|kết nối|ban hành|thành lập")


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
    st = State(ctx, doc, locality=doc.main_place)
    para = -1
    for s in ctx.sentences:
        if s.paragraph != para:
            para, st.para_period, st.para_subject = s.paragraph, None, None
        _sentence(st, s)
    doc.observations.extend(table_observations(
        text, ctx.mtext, ctx.lines, ctx.locale, ctx.period or (year_period(ctx.year) if ctx.year else None),
        ctx.province, ctx.when, ctx.year, ctx.date, doc.main_place, lambda m: agency_of(st, m)))
    _number_keys(doc)
    return doc


@dataclass(slots=True)
class _Here:
    """What one sentence offers its numbers: period expressions, places, agencies, the system
    its connections start from (with the level of each count of systems), the "lần lượt"
    assignment of cues to numbers, and its indicator cues."""

    s: Sentence
    periods: list[PeriodMention]
    places: list[Mention]
    agencies: list[Mention]
    from_system: str | None
    groups: dict[int, str]
    respectively: dict[int, str]
    cues: list[Cue]
    next_start: dict[int, int]  # where the next candidate number starts (a cue after it is not ours)


def _sentence(st: State, s: Sentence) -> None:
    ctx = st.ctx
    mtext, text = ctx.mtext, ctx.text
    lo = bisect_left(ctx.period_starts, s.start)
    periods = ctx.periods[lo:bisect_left(ctx.period_starts, s.end, lo)]
    places = find_places(text, mtext, ctx.when, ctx.province, s.start, s.end)
    agencies = find_agencies(mtext, s.start, s.end)
    conns, from_system, groups = sentence_connections(st.ctx, st.doc, s, period_of(st, s, periods, s.start), st.carry)
    st.doc.connections.extend(conns)
    blocked = [(pm.start, pm.end) for pm in periods] + [(m.start, m.end) for m in agencies]
    cands = candidates(mtext, s.start, s.end, ctx.locale, blocked)
    cues: list[Cue] | None = None
    if cands:
        cues = sentence_cues(mtext, s)
        nexts = {c.start: (cands[i + 1].start if i + 1 < len(cands) else s.end) for i, c in enumerate(cands)}
        here = _Here(s, periods, places, agencies, from_system, groups, respectively(mtext, s, cands, cues), cues,
                     nexts)
        facts: list[Fact] = []
        prev_end = s.start
        for c in cands:
            fact = _fact(st, here, c, prev_end, facts)
            if fact is None:
                continue
            facts.append(fact)
            prev_end = fact.unit_end
            if c.form == "fraction" and c.den is not None and c.den_span is not None:
                facts.append(_denominator(st, s, fact, periods))
        _link_parts(mtext, facts, agencies, places)
        _link_ratios(mtext, facts)
        st.doc.observations.extend(f.obs for f in facts)
        if facts:
            st.para_subject = facts[-1].obs.subject
    st.index = last_index(mtext, s, cues) or st.index
    st.para_period = sentence_period(st, periods) or st.para_period
    move_locality(st, s, places)


def _fact(st: State, here: _Here, c: Candidate, prev_end: int, facts: list[Fact]) -> Fact | None:
    ctx, mtext, s = st.ctx, st.ctx.mtext, here.s
    found = unit_of(mtext, s, c, facts, here.respectively)
    if found is None:
        return None
    unit, unit_end = found
    if c.form == "word" and (unit == "percent" or mtext.startswith("lần", unit_end - 3)
                             or (ctx.text[c.start].isupper() and c.start > s.start
                                 and not re.search(r"[:;(\-–•]\s*$", ctx.text[max(s.start, c.start - 3):c.start]))):
        return None  # "huyện Năm Căn", "Hai Bà Trưng": a capitalised number word inside a sentence is a name
    value = c.value * c.scale
    window_start = max(prev_end, s.start)
    before = mtext[window_start:c.start]
    qualifier = qualifier_before(mtext, c.start, window_start)
    tail = _BOUND_AFTER.match(mtext, unit_end, min(s.end, unit_end + 16))
    if tail:
        qualifier = "at_least" if tail.group(1) in ("trở lên", "or more", "and above") else "up_to"
    qualifier = range_role(mtext, s, c) or qualifier
    if qualifier == "exact" and _CLAUSE_ESTIMATE.match(mtext_clause(mtext, s.start, c.start)):
        qualifier = "estimated"  # "Ước cả năm 2024, tỉnh tiếp nhận 300.000 hồ sơ"
    kind, negative, compared = kind_of(mtext, c, unit, before, unit_end, s)
    if unit == "point" and kind == "growth" and c.form == "plain" and facts and facts[-1].obs.unit == "percent":
        unit = "percent"  # "(+3.79 percentage points), while … fell 1.60 points": the same unit
    if negative:
        value = -value
    if c.form == "target-double-digit":
        kind, qualifier = "target", "at_least"
    elif c.form == "top":
        qualifier = "up_to"
    elif c.form == "duration":
        kind = "other"
    if c.form == "target-double-digit":
        indicator = "growth-target"
    else:
        indicator = here.respectively.get(c.start) or indicator_of(
            mtext, s, c, unit, window_start, unit_end, facts, kind, here.cues, here.next_start[c.start])
        if indicator == "unclassified" and unit in ("point", "rank") and st.index:
            indicator = st.index
    if unit == "system" and here.from_system:
        indicator = here.groups.get(c.start, "systems-connected")
    if kind in ("rate", "other") and unit in ("percent", "point") and indicator in _INDEX_INDICATORS:
        kind = "score"  # "PAR INDEX đạt 91,24%": an index score written as a percentage
    subject, place = subject_of(st, s, c.start, here.places, here.agencies,
                                here.from_system if unit == "system" else None)
    period = period_of(st, s, here.periods, c.start, target=(kind == "target"))
    if unit == "task" and kind == "count" and c.form == "plain":
        period = plan_period(st, here.periods, c.start, c.after, total=True) or period
    if period is None:
        return None
    start, end = _surface_span(mtext, c, unit, unit_end, kind)
    surface = ctx.text[start:end].rstrip(" .")
    end = start + len(surface)
    obs = Observation(
        value=value, unit=unit, kind=kind, qualifier=qualifier, indicator=indicator,
        subject=subject, place=place, period=period, surface=surface, start=start, end=end,
        sentence_start=s.start, sentence_end=s.end,
        resolution=(c.scale * Decimal(1).scaleb(-c.decimals)),
        scale_max=c.den if c.form == "score" else None, compared_to=compared,
    )
    return Fact(obs, c, unit_end, indicator)


def _surface_span(mtext: str, c: Candidate, unit: str, unit_end: int, kind: str) -> tuple[int, int]:
    """The characters a fact is quoted by: a percentage or an amount of money with its unit
    words ("28,13%", "1.880 tỷ đồng", "VND214.6 billion"), a scaled count with its scale word
    ("1,2 triệu"), a fold change with "lần"/"times", a fraction or score with its maximum
    ("18/64", "84,36/100"); any other count, score or rank as the bare number."""
    start = c.lead if c.lead is not None else c.start
    if c.form == "target-double-digit":
        return start, c.after
    if c.form in ("fraction", "score") and c.den_span:
        return start, c.den_span[1]
    if c.form == "rank" and c.den_span and c.den_span[0] - c.end <= 3:
        return start, c.den_span[1]
    if unit in ("percent", "VND"):
        return start, unit_end
    if kind == "ratio" and unit == "other":
        return start, unit_end
    if c.scale > 1:
        return start, c.after
    return start, c.end


def _denominator(st: State, s: Sentence, num: Fact, periods: list[PeriodMention]) -> Fact:
    o = num.obs
    c = num.cand
    assert c.den is not None
    period = plan_period(st, periods, c.start, c.after)
    if period is None and o.unit == "task" and _OF_PLAN.match(st.ctx.mtext, c.after, s.end):
        period = year_period(int(o.period.end[:4]))  # the total of a yearly plan takes the plan's year
    period = period or o.period
    ind = "plan-tasks-assigned" if o.unit == "task" else o.indicator
    den = Observation(
        value=c.den, unit=o.unit, kind="count", qualifier="exact", indicator=ind,
        subject=o.subject, place=o.place, period=period, surface=o.surface, start=o.start,
        end=o.end, sentence_start=o.sentence_start, sentence_end=o.sentence_end,
        resolution=Decimal(1),
    )
    o.part_of = None
    return Fact(den, Candidate(c.start, c.end, c.den, 0, "denominator", after=c.after), num.unit_end, ind)


def _link_parts(mtext: str, facts: list[Fact], agencies: list[Mention], places: list[Mention]) -> None:
    """Parts introduced by "trong đó" / "gồm" after a total of the same unit."""
    for i, total in enumerate(facts):
        o = total.obs
        if o.unit not in COUNT_UNITS | {"VND"} or o.kind not in ("count", "money") or total.cand.form == "denominator":
            continue
        mark = PART_MARK.search(mtext, total.unit_end, total.unit_end + 40)
        if not mark:
            continue
        parts: list[Fact] = []
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
            p.obs.part_of = _key_ref(o)
        fams = {indicators()[p.ind].family if p.ind in indicators() else "" for p in parts}
        if _EXHAUSTIVE_MARK.match(mark.group(0)) or (len(parts) >= 2 and len(fams) == 1 and "" not in fams):
            o.parts_exhaustive = True
        break


def _key_ref(o: Observation) -> str:
    return f"obj:{id(o)}"


def _link_ratios(mtext: str, facts: list[Fact]) -> None:
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
    conn_keys = {f"conn:{id(x)}": x.key for x in doc.connections}
    system_counts: dict[int, str] = {}
    for o in doc.observations:
        if o.unit == "system":
            system_counts.setdefault(o.start, o.key)
    for c in doc.connections:
        if c.part_of and c.part_of.startswith("conn:"):
            c.part_of = conn_keys.get(c.part_of)
        if c.count_observation:
            c.count_observation = system_counts.get(c.start)


def slug_for(text: str) -> str:
    return slugify(text)


__all__ += ["Indicator", "build_context"]
