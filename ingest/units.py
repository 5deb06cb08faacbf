"""Where a number's unit comes from.

In order: its form (ranks, scores, average times), a currency written before it
("VND214.6 billion"), the noun right after it ("657 TTHC"), the noun after the list it
ends ("lần lượt 6.214 và 4.870 hồ sơ"), the list it continues ("trong đó: trực tuyến 800,
trực tiếp 200"), the noun its clause opened with ("Số hồ sơ đã giải quyết là 39.806"), and for
scaled amounts in a money sentence, VND. A number with no unit from any of these is not a fact.
"""

from __future__ import annotations

import re

from .lexicon import match_unit
from .meaning import COUNT_UNITS, PART_MARK
from .normalize import Sentence
from .numbers import SCALE_RE
from .state import Fact
from .tokens import Candidate

__all__ = ["unit_of"]

_FORM_UNITS = {"rank": "rank", "top": "rank", "score": "point", "target-double-digit": "percent", "duration": "other"}
_LIST_TAIL = re.compile(r"(?:\s*(?:,|và|and|or|hoặc|;)\s*(?:lần lượt\s+)?\d[\d.,]*(?:\s*%)?)+")
_RANGE_TAIL = re.compile(r"\s*(?:đến|tới|to|–|-)\s*(?:dưới\s*|under\s*)?\d[\d.,]*")
_CLAUSE_NOUN = re.compile(
    r"[.;:,(]\s*(?:(?:tổng )?số(?: lượng)?\s+)?(hồ sơ|thủ tục hành chính|tthc|doanh nghiệp|phản ánh,? kiến nghị|"
    r"văn bản|quyết định|nhiệm vụ|hệ thống)(?![\wÀ-ỹ])[^.;:,]{0,70}?(?:\s(?:là|đạt|có|gồm)|:)\s*"
    r"(?:(?:khoảng|hơn|gần|trên|dưới|xấp xỉ|ước|chỉ|mới|tới|đến)\s+)*$")
_OPEN_BRACKET = re.compile(r"\s*\((?![^)]*%)")
_NOUN_UNIT = {"hồ sơ": "dossier", "thủ tục hành chính": "procedure", "tthc": "procedure", "doanh nghiệp": "enterprise",
              "văn bản": "other", "quyết định": "decision", "nhiệm vụ": "task", "hệ thống": "system"}
_SCORE_BEFORE = re.compile(r"(?:a score of|scored|scoring|điểm số(?: đạt| là)?)\s*$")
_MONEY_CONTEXT = re.compile(r"đồng|ngân sách|vốn|giá trị|thu |chi |đầu tư|giải ngân|vnd|revenue|budget|capital")


def unit_of(mtext: str, s: Sentence, c: Candidate, facts: list[Fact],
            respectively: dict[int, str]) -> tuple[str, int] | None:
    """The unit of candidate ``c`` and where its unit words end (the end of the number if none)."""
    if c.form in _FORM_UNITS:
        return _FORM_UNITS[c.form], c.after
    if c.lead is not None:
        return ("VND" if mtext[c.lead] == "v" else "other"), c.after
    mu = match_unit(mtext, c.after)
    if mu is not None:
        return mu
    if c.form == "word":
        return None  # a number word counts only with its noun ("sáu địa phương")
    rng = _RANGE_TAIL.match(mtext, c.after, s.end)  # "từ 80 đến 90%", "5.000 đến 6.000 hồ sơ"
    if rng:
        sm = SCALE_RE.match(mtext, rng.end())
        mu = match_unit(mtext, sm.end() if sm else rng.end())
        if mu is not None and mu[0] not in ("rank", "point"):
            return mu[0], c.after
    tail = _LIST_TAIL.match(mtext, c.after, s.end)
    if tail and tail.end() > c.after:
        end = tail.end()
        sm = SCALE_RE.match(mtext, end)
        mu = match_unit(mtext, sm.end() if sm else end)
        if mu is not None and mu[0] not in ("percent", "rank", "point") and not mtext.startswith("%", end - 1):
            return mu[0], c.after
    unit = _inherited(mtext, s, c, facts, respectively)
    if unit is not None:
        return unit, c.after
    lo = max(s.start, c.start - 110)
    cm = _CLAUSE_NOUN.search(("." if lo == s.start else "") + mtext[lo:c.start])  # "." marks the sentence start
    if cm:
        noun = re.sub(r"phản ánh,? kiến nghị", "pakn", cm.group(1))
        return _NOUN_UNIT.get(noun, "other"), c.after
    if _SCORE_BEFORE.search(mtext, max(s.start, c.start - 20), c.start):
        return "point", c.after  # "with a score of 0.5412"
    if c.scale > 1 and _MONEY_CONTEXT.search(mtext, s.start, s.end):
        return "VND", c.after
    return None


def _inherited(mtext: str, s: Sentence, c: Candidate, facts: list[Fact], respectively: dict[int, str]) -> str | None:
    """A number without a unit noun takes the unit of the list it stands in."""
    if not facts:
        return None
    last = facts[-1]
    between = mtext[last.unit_end:c.start]
    if c.start in respectively and last.obs.unit != "percent":
        return last.obs.unit
    if PART_MARK.search(mtext[facts[0].cand.start:c.start]) and last.obs.unit in COUNT_UNITS \
            and not re.search(r"[.;]", between[:-1] if between.endswith(";") else between) \
            and len(between) < 60:
        return last.obs.unit
    if re.fullmatch(r"\s*(?:,|và|;|-|–)\s*(?:[\wÀ-ỹ ]{0,25}\s)?", between) and last.obs.unit in COUNT_UNITS \
            and PART_MARK.search(mtext[s.start:c.start]):
        return last.obs.unit
    # "công bố 120 TTHC (mới ban hành 30; sửa đổi, bổ sung 70; bãi bỏ 20)": a breakdown in brackets
    total = next((f for f in facts if f.obs.unit in COUNT_UNITS and f.cand.form == "plain"
                  and _OPEN_BRACKET.match(mtext, f.unit_end)), None)
    if total is not None and total.obs.unit == last.obs.unit and ")" not in mtext[total.unit_end:c.start] \
            and not re.search(r"[.]|\d\s*%", mtext[last.unit_end:c.start]) and len(between) < 40:
        return last.obs.unit
    return None
