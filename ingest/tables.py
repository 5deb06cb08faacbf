"""Tables written as text: rows of cells separated by "|" (reports converted from PDF or Word,
and trafilatura's rendering of HTML tables).

A table is a run of consecutive "|" lines. Its header row (the first row without numbers)
names each column; a caption line just above it ("Bảng 1. … năm 2024 (đơn vị tính: hồ sơ)")
gives the unit and the period. Every numeric cell of a data row becomes a fact: its unit
comes from the cell ("99,61%"), else from the column header ("Tỷ lệ đúng hạn" → percent,
"Số hồ sơ" → dossier), else from the caption's "đơn vị tính"; its indicator from the column
header's cue; its subject from the row's first text cell (an agency or a place). A column
whose unit nothing names gives no facts: a wrong number is worse than a missing one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from .facts import Observation
from .lexicon import indicators, match_unit
from .link import find_agencies, find_places
from .normalize import Line
from .numbers import parse_number
from .periods import find_periods

__all__ = ["table_observations"]

_CELL_SPLIT = re.compile(r"\|")
_NUMERIC = re.compile(r"^\s*(?P<num>\d+(?:[.,]\d+)*)\s*(?P<pct>%)?\s*$")
_ROW_NUMBER = re.compile(r"^\s*(?:stt|tt|số tt|no\.?|#)\s*$", re.IGNORECASE)
_UNIT_OF_TABLE = re.compile(r"(?:đơn vị(?: tính)?|đvt|unit)\s*[:.]\s*([^);,]+)", re.IGNORECASE)
_RATE_HEADER = re.compile(r"tỷ lệ|tỉ lệ|%|rate|share|percent")


@dataclass(slots=True)
class _Cell:
    start: int
    end: int
    text: str


def _cells(text: str, line: Line) -> list[_Cell]:
    out: list[_Cell] = []
    pos = line.start
    for part in _CELL_SPLIT.split(line.text):
        lead = len(part) - len(part.lstrip())
        body = part.strip()
        out.append(_Cell(pos + lead, pos + lead + len(body), body))
        pos += len(part) + 1
    # a leading or trailing "|" leaves an empty first or last cell
    while out and not out[0].text:
        out.pop(0)
    while out and not out[-1].text:
        out.pop()
    return out


def _groups(lines: list[Line]) -> list[tuple[Line | None, list[Line]]]:
    """Runs of consecutive table rows, each with the caption line just above it."""
    out: list[tuple[Line | None, list[Line]]] = []
    run: list[Line] = []
    caption: Line | None = None
    previous: Line | None = None
    for ln in lines:
        if ln.role == "table":
            if not run:
                caption = previous if previous is not None and previous.role in ("body", "title") else None
            run.append(ln)
        elif run:
            out.append((caption, run))
            run = []
        previous = ln
    if run:
        out.append((caption, run))
    return out


def table_observations(text: str, mtext: str, lines: list[Line], locale: str, ctx_period, province,  # type: ignore[no-untyped-def]
                       when: str | None, year: int | None, date: str | None, default_subject: str | None,
                       agency_iri) -> list[Observation]:
    """The facts of every table in ``lines`` (those with role "table")."""
    out: list[Observation] = []
    for caption, rows in _groups(lines):
        cells = [_cells(text, r) for r in rows]
        header_i = next((i for i, cs in enumerate(cells)
                         if not any(_NUMERIC.match(c.text) for c in cs[1:])), None)
        if header_i is None:
            continue
        header = cells[header_i]
        cap_text = mtext[caption.start:caption.end] if caption else ""
        table_unit: str | None = None
        um = _UNIT_OF_TABLE.search(cap_text)
        if um:
            mu = match_unit(um.group(1).strip() + " ", 0)
            table_unit = mu[0] if mu else None
        period = ctx_period
        if caption is not None:
            for pm in find_periods(mtext, caption.start, caption.end, year):
                p = pm.resolve(year, date)
                if p is not None and pm.role in ("period", "index"):
                    period = p
                    break
        if period is None:
            continue
        col_units, col_inds = _columns(mtext, header, table_unit)
        for r_i, cs in enumerate(cells[header_i + 1:], start=header_i + 1):
            row = rows[r_i]
            subject, place = _row_subject(text, mtext, cs, province, when, default_subject, agency_iri)
            for c_i, cell in enumerate(cs):
                if c_i >= len(header) or _ROW_NUMBER.match(header[c_i].text):
                    continue
                m = _NUMERIC.match(cell.text)
                if not m:
                    continue
                parsed = parse_number(m.group("num"), locale)
                if parsed is None:
                    continue
                unit = "percent" if m.group("pct") else col_units[c_i]
                if unit is None:
                    continue
                value, decimals = parsed
                kind = "rate" if unit == "percent" else ("money" if unit == "VND" else "count")
                out.append(Observation(
                    value=value, unit=unit, kind=kind, qualifier="exact", indicator=col_inds[c_i],
                    subject=subject, place=place, period=period, surface=cell.text, start=cell.start,
                    end=cell.end, sentence_start=row.start, sentence_end=row.end,
                    resolution=Decimal(1).scaleb(-decimals),
                ))
    return out


def _columns(mtext: str, header: list[_Cell], table_unit: str | None) -> tuple[list[str | None], list[str]]:
    units: list[str | None] = []
    inds: list[str] = []
    for h in header:
        low = mtext[h.start:h.end]
        unit: str | None
        if _RATE_HEADER.search(low):
            unit = "percent"
        else:
            found = None
            for i in range(len(low)):
                if i == 0 or not low[i - 1].isalnum():
                    found = match_unit(low, i)
                    if found:
                        break
            unit = found[0] if found and found[0] != "percent" else table_unit
        units.append(unit)
        best: tuple[int, str] | None = None
        for ind in indicators().values():
            if ind.cue is None or (unit is not None and unit not in ind.units):
                continue
            cm = ind.cue.search(low)
            if cm and cm.end() > cm.start() and (best is None or cm.end() - cm.start() > best[0]):
                best = (cm.end() - cm.start(), ind.slug)
        inds.append(best[1] if best else "unclassified")
    return units, inds


def _row_subject(text: str, mtext: str, cs: list[_Cell], province, when: str | None,  # type: ignore[no-untyped-def]
                 default_subject: str | None, agency_iri) -> tuple[str, str | None]:
    """The entity a row is about: the agency or place its first text cell names."""
    label = next((c for c in cs if c.text and not _NUMERIC.match(c.text)), None)
    fallback = default_subject or (province.iri if province else "")
    if label is None:
        return fallback, province.iri if province else None
    agencies = find_agencies(mtext, label.start, label.end)
    if agencies:
        return agency_iri(agencies[0])
    places = find_places(text, mtext, when, province, label.start, label.end)
    if places:
        return places[0].key, places[0].key
    return fallback, province.iri if province else None
