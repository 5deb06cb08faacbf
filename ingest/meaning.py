"""What a number means: its kind (rate, growth, ratio, target …), its indicator, its range role
and its period. The indicator is the nearest cue of ``ontology/indicators.ttl`` before the
number (else right after it, within its clause); the period is the nearest period expression
of the sentence, else the paragraph's, else the document's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from .facts import Period
from .lexicon import Indicator, indicators
from .normalize import Sentence
from .periods import PeriodMention, make_period, year_period
from .rxgate import may_match, needles
from .state import Fact, State
from .tokens import Candidate

__all__ = ["COUNT_UNITS", "GENERIC", "PART_MARK", "Cue", "indicator_of", "kind_of", "mtext_clause", "period_of",
           "plan_period", "range_role", "respectively", "sentence_cues", "sentence_period"]

GENERIC = {
    "dossiers-received", "dossiers-resolved", "procedures-announced", "decisions-issued",
    "plan-tasks-completed", "plan-tasks-assigned", "units-reached", "systems-connected",
    "feedback-received", "training-participants", "inspections", "growth-target",
    "procedures-online-service", "procedures-total",
}
COUNT_UNITS = {"dossier", "procedure", "decision", "task", "system", "enterprise", "person", "other"}
PART_MARK = re.compile(r"trong đó|bao gồm|gồm có|gồm|cụ thể|chia ra|bao gồm cả|of which|including|among them|in which")
_B = r"(?<![\wÀ-ỹ])"
# A target: a cue in the clause before the number ("Năm 2026, tỉnh phấn đấu … đạt tối thiểu 65%") with
# no "đã" between, or the number named as what a plan set ("80% đặt ra tại Kế hoạch").
_TARGET = re.compile(
    rf"{_B}(?:phấn đấu|mục tiêu|dự kiến|đặt ra|đề ra|kế hoạch đạt|yêu cầu đạt|hướng tới|thời gian tới|sắp tới|tới đây|"
    r"chỉ tiêu (?:năm|đến|là|giao|đặt|đề ra|phấn đấu)|chỉ tiêu:|giao chỉ tiêu|(?<!có )yêu cầu(?! nghĩa vụ| thanh toán)|"
    r"aims? to|aiming|targets?|targeted|goal|plans? to|expects? to|will)(?![\wÀ-ỹ])")
_TARGET_AFTER = re.compile(r"\s*(?:đặt ra|đề ra|theo kế hoạch|theo chỉ tiêu|kế hoạch đề ra|as (?:planned|targeted)|target)")
_DONE = re.compile(rf"{_B}(?:đã|đạt được|vượt chỉ tiêu|achieved|reached|has|had)(?![\wÀ-ỹ])")
_GROWTH_BEFORE = re.compile(
    rf"(?:{_B}(tăng|giảm|tăng trưởng|sụt giảm|cao hơn|thấp hơn|up|down|rose|fell|increased|decreased|grew|dropped|"
    r"declined|jumped|climbed|gained|lost|rising|falling|increase of|decrease of|rise of|drop of|growth of)|(\+))"
    r"(?: thêm| lần lượt| khoảng| hơn| gần| ước| ước tính| đạt| bình quân| mạnh| nhẹ| by| about| nearly| almost| some|"
    r" over| more than| an estimated| (?:so với |than )?(?:năm \d{4}|cùng kỳ(?: năm trước| năm \d{4})?|năm trước|kỳ trước|"
    r"tháng trước|quý trước)(?: là)?)*\s*$")
_NEGATIVE = re.compile(r"giảm|thấp hơn|down|fell|decreased|dropped|declined|lost|falling|decrease|drop")
_LEVEL_BEFORE = re.compile(r"(?:tăng|giảm) (?:lên|xuống)(?: mức| còn)?\s*$|lên (?:mức )?\s*$|xuống (?:mức |còn )?\s*$"
                           r"|còn\s*$|(?:rose|fell|increased|decreased|dropped|climbed|jumped) to\s*$")
_RATIO_BEFORE = re.compile(r"bằng(?: khoảng| gần| hơn)?\s*$")
_FOLD = re.compile(r"\s*(?:lần(?! thứ| lượt)|times(?! (?:a|per) ))")
_COMPARED = re.compile(
    r"\s*(?:so với\s+)?(cùng kỳ(?: năm trước| năm \d{4})?|dự toán[^,.;]{0,30}|kế hoạch[^,.;]{0,30}|năm trước|năm \d{4}"
    r"|bình quân chung[^,.;]{0,20}|trung bình cả nước"
    r"|(?:from|over|compared (?:with|to)|than) (?:the )?(?:previous year|a year earlier|\d{4}|same period[^,.;]{0,20})"
    r"|year[- ]on[- ]year|y-o-y|yoy)")


_RANGE_NEXT = re.compile(r"[\d.,]+\s*%?\s*(?:(?P<word>đến|tới|to|–)|(?P<dash>-))\s*(?:dưới\s*|under\s*)?\d")
_RANGE_PREV = re.compile(r"(?P<open>(?:từ|from|between)\s*)?(?<![\w.,])[\d.,]+\s*%?\s*(?:(?P<word>đến|tới|to|–)|(?P<dash>-|and))"
                         r"\s*(?:dưới\s*|under\s*)?$")
_RANGE_OPEN = re.compile(r"(?:từ|from|between)\s*$")


def range_role(mtext: str, s: Sentence, c: Candidate) -> str | None:
    """"từ 62% đến 95%", "khoảng 5.000 đến 6.000 hồ sơ", "between 80 and 90%": the lower bound
    is at_least, the upper up_to. A hyphen or "and" makes a range only after "từ"/"between"."""
    opened = _RANGE_OPEN.search(mtext, max(s.start, c.start - 12), c.start)
    nxt = _RANGE_NEXT.match(mtext, c.start, min(s.end, c.start + 30))
    if nxt and (nxt.group("word") or opened):
        return "at_least"
    if nxt is None and opened and re.match(r"[\d.,]+\s*%?\s*and\s*\d", mtext[c.start:c.start + 30]):
        return "at_least"  # "between 80 and 90%"
    prev = _RANGE_PREV.search(mtext, max(s.start, c.start - 30), c.start)
    if prev and (prev.group("word") or prev.group("open")):
        return "up_to"
    return None


def kind_of(mtext: str, c: Candidate, unit: str, before: str, unit_end: int, s: Sentence) -> tuple[str, bool, str | None]:
    """Kind of a number, whether it is a decrease, and what it is compared with."""
    after = mtext[unit_end:min(s.end, unit_end + 60)]
    cm = _COMPARED.match(after)
    compared = cm.group(1).strip() if cm else None
    near = before[-60:]
    growth, negative, level = _change_before(near)
    if c.form == "rank":
        return "rank", False, None
    if c.form == "top":
        return ("target" if _is_target(mtext, s, c, unit_end) else "rank"), False, None
    if c.form == "score" or unit == "point":
        return ("growth", negative, compared) if growth else ("score", False, None)
    if unit == "rank":
        return ("target" if _is_target(mtext, s, c, unit_end) else "growth"), negative, None
    if level:
        growth = False
    if _FOLD.match(mtext, c.after):
        return "ratio", False, compared
    if growth and (unit in ("percent", "VND") or compared or re.search(r"so với|so cùng kỳ|from|year-on-year", after)):
        return "growth", negative, compared
    if unit == "percent" and compared and re.search(r"tăng trưởng|growth", near):
        return "growth", False, compared  # "tăng trưởng GRDP quý I ước đạt 8,75% so với cùng kỳ"
    if unit == "percent" and _RATIO_BEFORE.search(near):
        return "ratio", False, compared
    if _is_target(mtext, s, c, unit_end):
        return "target", False, None
    if unit == "percent":
        return "rate", False, None
    if unit == "VND":
        return "money", False, None
    if unit in COUNT_UNITS:
        return "count", False, None
    return "other", False, None


@lru_cache(maxsize=4096)
def _change_before(near: str) -> tuple[bool, bool, bool]:
    """Whether the words before a number announce a change, a decrease, a level reached
    ("tăng lên"); cached by those words, which reports repeat."""
    growth = _GROWTH_BEFORE.search(near)
    negative = bool(growth and growth.group(1) and _NEGATIVE.search(growth.group(1)))
    return growth is not None, negative, _LEVEL_BEFORE.search(near) is not None


def _is_target(mtext: str, s: Sentence, c: Candidate, unit_end: int) -> bool:
    """A goal rather than a result: a target cue earlier in the number's clause with nothing
    "done" after it, or the number named as what a plan set."""
    if _TARGET_AFTER.match(mtext, unit_end, s.end):
        return True
    return _target_clause(mtext_clause(mtext, s.start, c.start)[-120:])


@lru_cache(maxsize=4096)
def _target_clause(clause: str) -> bool:
    cues = list(_TARGET.finditer(clause))
    return bool(cues) and not _DONE.search(clause, cues[-1].end())


@dataclass(frozen=True, slots=True)
class Cue:
    """An indicator cue found in a sentence."""

    start: int
    end: int
    slug: str
    units: frozenset[str]
    specific: int  # 0 for generic indicators ("tiếp nhận"), 1 for specific ones ("trực tuyến")


@lru_cache(maxsize=1)
def _gated_cues() -> list[tuple[Indicator, tuple[str, ...] | None]]:
    """The indicators with a cue, each with its gate: a sentence without any of the gate's
    strings cannot hold the cue, and most sentences hold few of the cues."""
    return [(ind, needles(ind.cue)) for ind in indicators().values() if ind.cue is not None]


@lru_cache(maxsize=4)
def _doc_cues(mtext: str) -> list[tuple[Indicator, tuple[str, ...] | None]]:
    """The gated cues that may match somewhere in a document, each gated by the strings of its
    gate that the document holds: its sentences are tested for these only (cached by the
    document's text, which every sentence of it shares)."""
    out: list[tuple[Indicator, tuple[str, ...] | None]] = []
    for ind, g in _gated_cues():
        if g is None:
            out.append((ind, g))
            continue
        held = tuple(n for n in g if n in mtext)  # a string the document lacks no sentence holds
        if held:
            out.append((ind, held))
    return out


@lru_cache(maxsize=4)
def _doc_index_cues(mtext: str) -> list[tuple[Indicator, tuple[str, ...] | None]]:
    """The gated cues of family "index" that may match somewhere in a document (in the order
    of :func:`_doc_cues`)."""
    return [(ind, g) for ind, g in _doc_cues(mtext) if ind.family == "index"]


def sentence_cues(mtext: str, s: Sentence) -> list[Cue]:
    """Every indicator cue of a sentence, found once per sentence (not once per number)."""
    out: list[Cue] = []
    seg = mtext[s.start:s.end]
    for ind, g in _doc_cues(mtext):
        if not may_match(g, seg):
            continue
        for m in ind.cue.finditer(mtext, s.start, s.end):  # type: ignore[union-attr]
            if m.end() > m.start():
                out.append(Cue(m.start(), m.end(), ind.slug, ind.units, 0 if ind.slug in GENERIC else 1))
    return out


def last_index(mtext: str, s: Sentence, cues: list[Cue] | None = None) -> str | None:
    """The index (an indicator of family "index": PAR INDEX, SIPAS, PCI, 766 …) a sentence names
    last, if any: a score or rank in the next sentences ("đạt 88,72/100 điểm, đứng thứ 6/34")
    is about it. ``cues``: the sentence's cues, when already found (they hold its index cues,
    in the same order)."""
    best: tuple[int, str] | None = None
    if cues is not None:
        inds = indicators()
        for q in cues:
            if inds[q.slug].family == "index" and (best is None or q.end > best[0]):
                best = (q.end, q.slug)
        return best[1] if best else None
    seg = mtext[s.start:s.end]
    for ind, g in _doc_index_cues(mtext):
        if not may_match(g, seg):
            continue
        for m in ind.cue.finditer(mtext, s.start, s.end):  # type: ignore[union-attr]
            if m.end() > m.start() and (best is None or m.end() > best[0]):
                best = (m.end(), ind.slug)
    return best[1] if best else None


def indicator_of(mtext: str, s: Sentence, c: Candidate, unit: str, window_start: int, unit_end: int,
                 facts: list[Fact], kind: str, cues: list[Cue], next_start: int) -> str:
    """The most specific cue nearest before the number (after its previous fact), else the
    nearest after it in its clause, else the previous fact's indicator for a rate or change,
    else any cue earlier in the sentence."""
    usable = [q for q in cues if unit in q.units]

    def consider(a: int, b: int, after: bool) -> tuple[int, int, int, int, str] | None:
        # before the number the most specific cue wins, then the nearest; after it, the nearest
        keys = [((0, -q.start) if after else (q.specific, q.end)) + (q.specific, q.end - q.start, q.slug)
                for q in usable if a <= q.start and q.end <= b]
        return max(keys) if keys else None

    best = consider(window_start, c.start, after=False)
    if best is None:
        nxt = next_start
        clause_end = _clause_end(mtext, unit_end, s.end)
        mark = PART_MARK.search(mtext, unit_end, clause_end)
        clause_end = mark.start() if mark else clause_end
        best = consider(c.after, min(nxt, clause_end), after=True)  # the unit words may be the cue
    if best is None and facts and kind in ("growth", "ratio", "rate"):
        return facts[-1].ind
    if best is None:
        best = consider(s.start, c.start, after=False)
    return best[4] if best else "unclassified"


def _clause_end(mtext: str, pos: int, end: int) -> int:
    m = re.compile(r"[;.]|,\s+(?:tăng|giảm|đạt|bằng)").search(mtext, pos, end)
    return m.start() if m else end


def respectively(mtext: str, s: Sentence, cands: list[Candidate], cues: list[Cue]) -> dict[int, str]:
    """"A, B và C lần lượt đạt 60%, 30% và 10%": the i-th cue before "lần lượt" names the i-th number."""
    m = _RESPECTIVELY.search(mtext, s.start, s.end)
    if not m:
        return {}
    pivot = m.start()
    after = [c for c in cands if c.start > pivot]
    if len(after) < 2:
        return {}
    head_start = max((c.after for c in cands if c.start < pivot), default=s.start)
    found = sorted((q.start, q.slug) for q in cues if q.specific and head_start <= q.start and q.end <= pivot)
    dedup: list[tuple[int, str]] = []
    for pos, slug in found:
        if dedup and pos < dedup[-1][0] + 3:
            continue
        dedup.append((pos, slug))
    if len(dedup) != len(after):
        return {}
    return {c.start: slug for c, (_, slug) in zip(after, dedup, strict=True)}


_RESPECTIVELY = re.compile(r"lần lượt|respectively")
_CURRENT = re.compile(r"(?<![\wÀ-ỹ])(?:hiện(?: nay| tại| có| đang| đã)?|đến nay|tới nay|currently|now)(?![\wÀ-ỹ])")


def period_of(st: State, s: Sentence, periods: list[PeriodMention], pos: int, target: bool = False) -> Period | None:
    """The period of a number at ``pos``: the nearest period expression before it in its sentence
    (else the first after it); a target also takes a plan's year. Without one: the paragraph's
    period, the document's reporting period, the edition of the indices it reports on, the
    year of its date. A stock stated with "hiện"/"đến nay" in a document without a reporting
    period is dated by the month of the date line."""
    ctx = st.ctx
    roles = ("period", "index", "plan") if target else ("period", "index")
    last_before: PeriodMention | None = None
    first_after: PeriodMention | None = None
    for pm in periods:
        if pm.role in roles:
            if pm.end <= pos:
                last_before = pm
            if pm.start >= pos and first_after is None:
                first_after = pm
    for pm in (last_before, first_after):
        if pm is None:
            continue
        p = pm.resolve(ctx.year, ctx.date)
        if p is not None:
            if target and pm.kind == "range" and pm.year:
                return year_period(pm.year)  # "mục tiêu … giai đoạn 2021-2025": the end year
            return p
    if target and ctx.year:
        return year_period(ctx.year)
    if st.para_period is not None:
        return st.para_period
    if ctx.period is not None:
        return ctx.period
    clause = mtext_clause(ctx.mtext, s.start, pos)
    if ctx.date and _CURRENT.search(clause):
        return make_period(ctx.date[:7])
    if ctx.index_period is not None:
        return ctx.index_period
    if ctx.date:
        return year_period(int(ctx.date[:4]))
    return None


def mtext_clause(mtext: str, start: int, pos: int) -> str:
    """The clause of ``mtext`` that ends at ``pos`` (from the last ";" or sentence start)."""
    cut = mtext.rfind(";", start, pos)
    return mtext[(cut + 1 if cut >= 0 else start):pos]


def sentence_period(st: State, periods: list[PeriodMention]) -> Period | None:
    """The period a sentence leaves in force for the rest of its paragraph: its last reporting
    period or index edition outside parentheses."""
    mtext = st.ctx.mtext
    for pm in reversed(periods):
        opened = mtext.rfind("(", max(0, pm.start - 80), pm.start)
        if opened >= 0 and mtext.rfind(")", opened, pm.start) < 0:
            continue  # "(quý II/2023 đạt 98,5%)": an aside, not the period of what follows
        if pm.kind == "ytd" and pm.interval:
            continue  # "tính đến ngày 20/12/2024": the cut-off date of one figure, not of the paragraph
        if pm.role in ("period", "index"):
            p = pm.resolve(st.ctx.year, st.ctx.date)
            if p is not None:
                return p
    return None


_DONE_TASKS = re.compile(r"hoàn thành|đã|đạt|xong|completed|finished")


def plan_period(st: State, periods: list[PeriodMention], start: int, end: int, total: bool = False) -> Period | None:
    """The year of the plan a count of tasks belongs to: the plan named right after the count
    ("18/64 nhiệm vụ thuộc Kế hoạch CCHC năm 2025"), or, for a plan's total, the plan named
    before it with nothing done in between ("Kế hoạch CCHC năm 2025 của tỉnh có 86 nhiệm vụ")."""
    mtext = st.ctx.mtext
    for pm in periods:
        if pm.role == "plan" and pm.kind == "year" and pm.start >= end and not re.search(r"[.;]", mtext[end:pm.start]) \
                and pm.start - end < 80 and not total:
            return pm.resolve(st.ctx.year, st.ctx.date)
    for pm in reversed(periods):
        if pm.role == "plan" and pm.kind == "year" and pm.end <= start and total:
            between = mtext[pm.end:start]
            if re.search(r"[.;]", between) or _DONE_TASKS.search(between) or len(between) > 80:
                return None
            return pm.resolve(st.ctx.year, st.ctx.date)
    return None
