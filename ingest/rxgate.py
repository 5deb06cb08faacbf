"""Cheap gates in front of regular expressions.

The extractor runs many patterns over every sentence; most of them cannot match most
sentences, yet each ``finditer`` scans the whole sentence. :func:`needles` reads a compiled
pattern and returns literal strings one of which every match contains (its first characters,
"tiế" for "tiếp nhận|…", or a longer literal it cannot match without, "trực tuyến"), so a
caller can skip the pattern when none of them occurs in the text (:func:`may_match`). The
gate is exact by construction: assertions (look-arounds, ``\\b``) are ignored, which only
widens what is allowed, and anything the analysis does not understand disables the gate.
"""

from __future__ import annotations

import re
from re import _constants as C  # type: ignore[attr-defined]
from re import _parser as P  # type: ignore[attr-defined]
from typing import Any

__all__ = ["may_match", "needles"]


class _Unknown(Exception):
    """The next character of a match cannot be told (a negated class, ``.``, a back-reference)."""


_MAX = 256  # prefixes per pattern: beyond this the gate costs more than it saves
_MAX_CLASS = 12  # characters of one class expanded ("[.,]" is two prefixes, "\w" is unknown)

# A prefix set: (text, closed). An open entry is all the text matched so far; a closed one
# is only its first characters (whatever follows is unknown or beyond the prefix length).
_Set = set[tuple[str, bool]]


def _concat(left: _Set, right: _Set | None, k: int) -> _Set:
    out: _Set = set()
    for p, closed in left:
        if closed or right is None:
            out.add((p, True))
        else:
            for e, e_closed in right:
                s = p + e
                out.add((s[:k], True) if len(s) >= k else (s, e_closed))
    if len(out) > _MAX:
        raise _Unknown
    return out


def _seq(items: P.SubPattern | list, k: int) -> _Set:  # type: ignore[type-arg]
    cur: _Set = {("", False)}
    for op, av in items:
        cur = _concat(cur, _item(op, av, k), k)
        if all(closed for _p, closed in cur):
            break
    return cur


def _item(op: object, av: Any, k: int) -> _Set | None:
    """The prefixes of one pattern element; None when its first character is unknown."""
    if op is C.LITERAL:
        return {(chr(av), False)}
    if op is C.IN:
        chars: list[str] = []
        for sop, sav in av:
            if sop is C.LITERAL:
                chars.append(chr(sav))
            elif sop is C.RANGE and sav[1] - sav[0] < _MAX_CLASS:
                chars.extend(chr(c) for c in range(sav[0], sav[1] + 1))
            else:
                return None  # a negation, a category (\w, \d, \s) or a wide range
        return {(ch, False) for ch in chars} if len(chars) <= _MAX_CLASS else None
    if op in (C.AT, C.ASSERT, C.ASSERT_NOT):
        return {("", False)}  # zero width: ignoring an assertion only lets more through
    if op is C.SUBPATTERN:
        _group, add_flags, _del_flags, p = av
        if add_flags & re.IGNORECASE:
            raise _Unknown
        return _seq(p, k)
    if op is C.ATOMIC_GROUP:
        return _seq(av, k)
    if op is C.BRANCH:
        out: _Set = set()
        for alt in av[1]:
            out |= _seq(alt, k)
        return out
    if op in (C.MAX_REPEAT, C.MIN_REPEAT, C.POSSESSIVE_REPEAT):
        lo, hi, p = av
        body = _seq(p, k)
        out = {("", False)} if lo == 0 else set()
        cur: _Set = {("", False)}
        reps = min(hi, k)
        for i in range(1, reps + 1):
            cur = _concat(cur, body, k)
            if i >= lo:
                out |= cur
        if hi > reps:  # more repetitions may follow: only the first characters are known
            out |= {(p_, True) for p_, _closed in cur}
        return out
    return None


def _needs(items: P.SubPattern | list) -> set[str] | None:
    """Literal strings one of which every match of ``items`` contains, or None when none are
    known. A run of literals counts whole ("trực tuyến"); assertions are zero width and do not
    break a run; of several candidates, the one with the longest shortest string is kept."""
    found: list[set[str]] = []
    run: list[str] = []

    def flush() -> None:
        if run:
            found.append({"".join(run)})
            run.clear()

    for op, av in items:
        if op is C.LITERAL:
            run.append(chr(av))
            continue
        if op in (C.AT, C.ASSERT, C.ASSERT_NOT):
            continue  # zero width: the characters around it are contiguous in the match
        flush()
        need: set[str] | None = None
        if op is C.SUBPATTERN and not av[1] & re.IGNORECASE:
            need = _needs(av[3])
        elif op is C.BRANCH:
            alts = [_needs(alt) for alt in av[1]]
            need = None if None in alts else set().union(*alts)  # type: ignore[arg-type]
        elif op in (C.MAX_REPEAT, C.MIN_REPEAT) and av[0] >= 1:
            need = _needs(av[2])
        if need:
            found.append(need)
    flush()
    if not found:
        return None
    return max(found, key=lambda ns: (min(map(len, ns)), -len(ns)))


def needles(rx: re.Pattern[str], k: int = 3) -> tuple[str, ...] | None:
    """Strings one of which every match of ``rx`` contains: its literal prefixes (at most ``k``
    characters each) or, when longer, literal strings it cannot match without ("trực tuyến" in
    "(?:nộp |qua )?trực tuyến"); None when no such set is known (the pattern may match
    anything, even nothing)."""
    if rx.flags & re.IGNORECASE:
        return None
    parsed = P.parse(rx.pattern, rx.flags)
    try:
        found: _Set | None = _seq(parsed, k)
    except _Unknown:
        found = None
    if found is not None and ("", False) in found:
        return None  # the pattern may match the empty string
    # ("", True): a match may start with any character, so there are no prefixes to test
    texts = None if found is None or ("", True) in found else {p for p, _closed in found}
    needs = _needs(parsed)
    if needs and (texts is None or min(map(len, needs)) > min(map(len, texts))):
        texts = needs
    if texts is None:
        return None
    # "km" already admits everything "kms" would: keep the shortest
    return tuple(sorted(t for t in texts if not any(t != s and t.startswith(s) for s in texts)))


def may_match(gate: tuple[str, ...] | None, seg: str) -> bool:
    """Whether a pattern gated by ``gate`` (from :func:`needles`) can match inside ``seg``."""
    if gate is None:
        return True
    for p in gate:  # noqa: SIM110 - a plain loop is several times faster than any() over a generator
        if p in seg:
            return True
    return False
