"""What a whole document tells about each of its numbers: metadata lines, the document's
reporting period and year, its main place, and the locale of its numbers."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from .facts import Period
from .link import Unit, find_places, gazetteer, unit_by_iri
from .normalize import Line, Sentence, fold, match_form, sentences, split_lines
from .numbers import detect_locale
from .periods import PeriodMention, find_periods, year_period

__all__ = ["DocContext", "build_context"]

_URL = re.compile(r"https?://\S+")
_DATE = re.compile(r"(?<!\d)(\d{1,2})\s*[/.-]\s*(\d{1,2})\s*[/.-]\s*((?:19|20)\d{2})(?!\d)")


@dataclass(slots=True)
class DocContext:
    text: str
    mtext: str
    lines: list[Line]
    sentences: list[Sentence]
    locale: str
    date: str | None
    url: str | None
    author: str | None
    publisher: str | None
    title: str | None
    period: Period | None  # the document's main reporting period
    year: int | None
    province: Unit | None
    periods: list[PeriodMention] = field(default_factory=list)

    @property
    def when(self) -> str | None:
        """The date the document's facts are about (for resolving unit names in time)."""
        if self.period is not None:
            return self.period.end
        return self.date


def _iso_date(text: str) -> str | None:
    m = _DATE.search(text)
    if not m:
        return None
    d, mo, y = int(m.group(1)), int(m.group(2)), int(m.group(3))
    if 1 <= mo <= 12 and 1 <= d <= 31:
        return f"{y}-{mo:02d}-{d:02d}"
    return None


def build_context(
    text: str,
    *,
    date: str | None = None,
    url: str | None = None,
    title: str | None = None,
    author: str | None = None,
    publisher: str | None = None,
) -> DocContext:
    """Read the document-level context from ``text`` and the metadata given with it."""
    lines = split_lines(text)
    # a first short line without final punctuation, followed by more text, is a title
    body = [ln for ln in lines if ln.role == "body"]
    if body and len(body) > 1 and body[0] is lines[0] and len(body[0].text) <= 180 \
            and body[0].text.rstrip()[-1:] not in ".;:…" and not any(ch == "," for ch in body[0].text[-3:]):
        first = body[0]
        lines[0] = Line(first.start, first.end, first.text, "title")
        title = title or first.text.strip()
    for ln in lines:
        if ln.role == "source":
            u = _URL.search(ln.text)
            if u and not url:
                url = u.group(0).rstrip(".,;)")
            elif not u and not publisher:
                publisher = re.sub(r"^\s*(nguồn|theo|source)\s*:\s*", "", ln.text, flags=re.I).strip()
        elif ln.role == "author" and not author:
            author = ln.text.strip()
        elif ln.role == "dateline" and not date:
            date = _iso_date(ln.text)
    mtext = match_form(text)
    sents = sentences(text, lines)
    body_text = " ".join(s.text for s in sents)
    locale = detect_locale(body_text)

    year_hint = int(date[:4]) if date else None
    mentions: list[PeriodMention] = []
    for ln in lines:
        if ln.role in ("body", "title"):
            mentions.extend(find_periods(mtext, ln.start, ln.end, year_hint))
    period = _main_period(mentions, lines, date)
    year = int(period.label[:4]) if period else year_hint
    province = _main_province(text, mtext, lines, url, period.end if period else date)
    return DocContext(text, mtext, lines, sents, locale, date, url, author, publisher, title,
                      period, year, province, mentions)


def _main_period(mentions: list[PeriodMention], lines: list[Line], date: str | None) -> Period | None:
    """The most frequent explicit period with a year (the title counts double)."""
    title = next((ln for ln in lines if ln.role == "title"), None)
    votes: Counter[str] = Counter()
    first: dict[str, Period] = {}
    for pm in mentions:
        if pm.role != "period" or pm.kind == "ytd":
            continue
        p = pm.resolve(None)
        if p is None:
            continue
        w = 2 if title and title.start <= pm.start < title.end else 1
        if pm.kind == "year":
            w = 0.5  # "năm 2025" often names a plan or a target, not the report's period
        votes[p.label] += w
        first.setdefault(p.label, p)
    if votes:
        best = max(votes.items(), key=lambda kv: (kv[1], -list(first).index(kv[0])))[0]
        return first[best]
    if date:
        return None
    return None


def _main_province(text: str, mtext: str, lines: list[Line], url: str | None, when: str | None) -> Unit | None:
    """The province the document is mostly about: its names and its districts' names count,
    and a hint from the source URL's host ("baovinhphuc")."""
    votes: Counter[str] = Counter()
    for ln in lines:
        if ln.role not in ("body", "title"):
            continue
        for m in find_places(text, mtext, when, None, ln.start, ln.end):
            u = unit_by_iri(m.key)
            if u is None:
                continue
            prov = unit_by_iri(u.parent) if u.level == "district" and u.parent else u
            if prov is not None:
                votes[prov.iri] += 2 if ln.role == "title" else 1
    if url:
        host = fold(url.split("/")[2] if "//" in url else url).replace("-", "")
        for u in gazetteer():
            if u.level == "provincial" and len(u.slug) > 4 and u.slug.replace("-", "") in host:
                if when is None or (u.valid_from <= when and (u.valid_until is None or when <= u.valid_until)):
                    votes[u.iri] += 1
    if not votes:
        return None
    return unit_by_iri(votes.most_common(1)[0][0])


def context_year_period(ctx: DocContext) -> Period | None:
    """The year of the document's context as a period (targets, plans)."""
    return year_period(ctx.year) if ctx.year else None
