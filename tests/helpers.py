"""Small helpers shared by tests: reading JSONL and matching facts against gold rows."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def read_jsonl(path: Path | str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines() if line.strip()]


def parse_jsonl(text: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def _close(a: Any, b: float) -> bool:
    try:
        return abs(float(a) - b) <= 1e-6 * max(1.0, abs(float(a)), abs(b))
    except (TypeError, ValueError):
        return False


def match_facts(gold: list[dict[str, Any]], pred: list[dict[str, Any]], slack: int = 6) -> dict[str, Any]:
    """Match predicted fact rows to gold rows by scaled value and overlapping span (each used
    once); a match is strict when unit, qualifier and period agree too."""
    used: set[int] = set()
    strict, missed, partial = 0, [], []
    for g in gold:
        gv = float(g["value"]) * float(g.get("scale") or 1)
        best: tuple[int, int] | None = None
        for i, p in enumerate(pred):
            if i in used or not _close(p.get("value"), gv):
                continue
            if g.get("start") is not None and (p["end"] < g["start"] - slack or p["start"] > g["end"] + slack):
                continue
            score = sum((p["unit"] == g["unit"], p["qualifier"] == g["qualifier"], p["period"] == g["period"]))
            if best is None or score > best[1]:
                best = (i, score)
        if best is None:
            missed.append(g)
            continue
        used.add(best[0])
        if best[1] == 3:
            strict += 1
        else:
            partial.append((g, pred[best[0]]))
    extra = [p for i, p in enumerate(pred) if i not in used]
    return {"matched": len(used), "strict": strict, "missed": missed, "partial": partial, "extra": extra}
