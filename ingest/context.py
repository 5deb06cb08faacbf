"""What a whole document tells about each of its numbers: metadata lines, the document's
reporting period and year, its main place, and the locale of its numbers."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date as Date
from functools import lru_cache

from .facts import Period
from .link import Unit, find_places, gazetteer, unit_by_iri
from .normalize import Line, Sentence, fold, match_form, sentences, split_lines
from .numbers import EN_MONTH_RE, EN_MONTHS, detect_locale
from .periods import PeriodMention, find_periods, year_period

__all__ = ["DocContext", "build_context"]

_URL = re.compile(r"https?://\S+")
_DATE = re.compile(r"(?<!\d)(\d{1,2})\s*(?:[/.-]|tháng)\s*(\d{1,2})\s*(?:[/.-]|năm)\s*((?:19|20)\d{2})(?!\d)")
_EN_DATE = re.compile(rf"(?:({EN_MONTH_RE})\.?\s+(\d{{1,2}})|(\d{{1,2}})\s+({EN_MONTH_RE})\.?),?\s+((?:19|20)\d{{2}})")


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
    index_period: Period | None = None  # the edition of the indices reported on, when no report period
    period_starts: list[int] = field(default_factory=list)  # sorted starts of ``periods`` (bisect)
    english: bool = False  # an English-language text (English period and rank patterns apply)

    @property
    def when(self) -> str | None:
        """The date the document's facts are about (for resolving unit names in time)."""
        if self.period is not None:
            return self.period.end
        return self.date


_VI_LETTER = re.compile(r"[à-ỹđÀ-ỸĐ]")
_LETTER = re.compile(r"[^\W\d_]")


def is_english(text: str) -> bool:
    """An English-language text: almost none of its letters carry Vietnamese diacritics (names
    such as "Đà Nẵng" do, so a small share is allowed)."""
    sample = text[:20000]
    # A Vietnamese text shows enough marked letters early on: once they reach 3% of all the
    # characters they are 3% of the letters too, and the letters need no counting.
    marked = 0
    for i in range(0, len(sample), 1000):
        marked += len(_VI_LETTER.findall(sample, i, i + 1000))
        if marked >= 0.03 * len(sample):
            return False
    # each distinct character is classified once: a text has few of them
    letters = sum(n for ch, n in Counter(sample).items() if _LETTER.match(ch))
    return letters > 0 and marked < 0.03 * letters


def _iso_date(text: str) -> str | None:
    m = _DATE.search(text)
    if m:
        d, mo, y = int(m.group(1)), int(m.group(2)), int(m.group(3))
    else:
        e = _EN_DATE.search(text.lower())
        if not e:
            return None
        mo = EN_MONTHS[e.group(1) or e.group(4)]
        d, y = int(e.group(2) or e.group(3)), int(e.group(5))
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
    english = is_english(body_text)

    year_hint = int(date[:4]) if date else None
    mentions: list[PeriodMention] = []
    for ln in lines:
        if ln.role in ("body", "title"):
            mentions.extend(find_periods(mtext, ln.start, ln.end, year_hint, english))
    period = _main_period(mentions, lines, date)
    index_period = _main_period(mentions, lines, date, role="index")
    year = int(period.end[:4]) if period else (int(index_period.label[:4]) if index_period else year_hint)
    province = _main_province(text, mtext, lines, url, period.end if period else date)
    mentions.sort(key=lambda pm: pm.start)
    return DocContext(text, mtext, lines, sents, locale, date, url, author, publisher, title,
                      period, year, province, mentions, index_period, [pm.start for pm in mentions], english)


def _main_period(mentions: list[PeriodMention], lines: list[Line], date: str | None,
                 role: str = "period") -> Period | None:
    """The most frequent explicit period with a year (the title counts double) among mentions
    of one role: the reporting period ("period"), or the edition of the indices the document
    reports on ("index": "Chỉ số CCHC năm 2024")."""
    title = next((ln for ln in lines if ln.role == "title"), None)
    votes: dict[str, float] = {}
    first: dict[str, Period] = {}
    kinds: dict[str, str] = {}
    for pm in mentions:
        if pm.role != role or (pm.kind == "ytd" and not date):
            continue
        p = pm.resolve(None, date)
        if p is None:
            continue
        w = 2.0 if title and title.start <= pm.start < title.end else 1.0
        if pm.kind == "year" and role == "period":
            w /= 2  # "năm 2025" often names a plan or a target, not the report's period
        votes[p.label] = votes.get(p.label, 0.0) + w
        first.setdefault(p.label, p)
        kinds.setdefault(p.label, pm.kind)
    if not votes:
        return None
    best = first[max(votes.items(), key=lambda kv: (kv[1], -list(first).index(kv[0])))[0]]
    # "kỳ báo cáo quý I/2023 … từ ngày 15/12/2022 đến ngày 14/3/2023": the stated interval is the
    # precise form of the labelled period (reporting regimes close their data mid-month)
    for label, p in first.items():
        if kinds[label] in ("interval", "since") and label != best.label and _overlap_share(p, best) >= 0.6:
            return p
    return best


def _overlap_share(a: Period, b: Period) -> float:
    """Overlap of two periods as a share of the longer one."""
    da = (Date.fromisoformat(a.start), Date.fromisoformat(a.end))
    db = (Date.fromisoformat(b.start), Date.fromisoformat(b.end))
    days = (min(da[1], db[1]) - max(da[0], db[0])).days + 1
    longest = max((da[1] - da[0]).days, (db[1] - db[0]).days) + 1
    return max(0, days) / longest


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
        for u, slug in _host_slugs():
            if slug in host:
                if when is None or (u.valid_from <= when and (u.valid_until is None or when <= u.valid_until)):
                    votes[u.iri] += 1
    if not votes:
        return None
    return unit_by_iri(votes.most_common(1)[0][0])


@lru_cache(maxsize=1)
def _host_slugs() -> list[tuple[Unit, str]]:
    """The provinces a source URL's host may name, with their slug as a host writes it
    ("vinhphuc"); short slugs are left out (they occur inside other words)."""
    return [(u, u.slug.replace("-", "")) for u in gazetteer()
            if u.level == "provincial" and len(u.slug) > 4]


def context_year_period(ctx: DocContext) -> Period | None:
    """The year of the document's context as a period (targets, plans)."""
    return year_period(ctx.year) if ctx.year else None
