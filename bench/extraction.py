"""Extraction quality on our own corpus: precision and recall per phenomenon and overall.

    python bench/extraction.py                  # corpus, examples and held-out set, summary table
    python bench/extraction.py -v               # also every miss, partial and extra
    python bench/extraction.py --json out.json  # machine-readable

A predicted fact matches a gold fact when the values agree (base unit) and the spans overlap
(6 characters of slack); it is *strict* when unit, qualifier and period agree too. Recall and
precision below are strict: a number with the wrong unit, qualifier or period counts as wrong.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ingest.pipeline import build  # noqa: E402
from ingest.read import read_text  # noqa: E402


def _close(a: Any, b: float) -> bool:
    try:
        return abs(float(a) - b) <= 1e-6 * max(1.0, abs(float(a)), abs(b))
    except (TypeError, ValueError):
        return False


def match_facts(gold: list[dict[str, Any]], pred: list[dict[str, Any]], slack: int = 6) -> dict[str, Any]:
    """Match predicted rows to gold rows (each used once): by scaled value and overlapping span;
    strict when unit, qualifier and period agree as well."""
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


@dataclass
class Score:
    gold: int = 0
    pred: int = 0
    strict: int = 0
    files: list[str] = field(default_factory=list)

    @property
    def recall(self) -> float:
        return self.strict / self.gold if self.gold else 1.0

    @property
    def precision(self) -> float:
        return self.strict / self.pred if self.pred else 1.0


def predict(path: Path) -> list[dict[str, Any]]:
    doc = build(read_text(path)).document
    return [{"value": float(o.value), "unit": o.unit, "qualifier": o.qualifier, "period": o.period.label,
             "surface": o.surface, "start": o.start, "end": o.end, "kind": o.kind, "indicator": o.indicator}
            for o in doc.observations]


def evaluate(texts: list[Path], gold_for: Any, verbose: bool = False) -> tuple[Score, dict[str, Score], list[str]]:
    overall = Score()
    per: dict[str, Score] = defaultdict(Score)
    lines: list[str] = []
    for path in texts:
        gold_path = gold_for(path)
        if not gold_path.exists():
            continue
        gold = [json.loads(x) for x in gold_path.read_text(encoding="utf-8").splitlines() if x.strip()]
        easy = [g for g in gold if not g.get("hard")]
        pred = predict(path)
        m = match_facts(easy, pred)
        bonus = match_facts([g for g in gold if g.get("hard")], m["extra"])["matched"]
        n_pred = len(pred) - bonus
        meta_path = path.with_suffix(".meta.json")
        tags = json.loads(meta_path.read_text(encoding="utf-8")).get("phenomena", []) if meta_path.exists() else []
        for sc in [overall, *(per[t] for t in tags)]:
            sc.gold += len(easy)
            sc.pred += n_pred
            sc.strict += m["strict"]
            sc.files.append(path.stem)
        if verbose:
            for g in m["missed"]:
                lines.append(f"{path.stem}: missed {g['surface']!r} @{g.get('start')} {g['unit']} {g['qualifier']} {g['period']}")
            for g, p in m["partial"]:
                lines.append(f"{path.stem}: partial {g['surface']!r} gold {g['unit']}/{g['qualifier']}/{g['period']}"
                             f" got {p['unit']}/{p['qualifier']}/{p['period']}")
            for p in m["extra"]:
                if bonus and any(_close(p["value"], float(g["value"]) * float(g.get("scale") or 1)) for g in gold if g.get("hard")):
                    continue
                lines.append(f"{path.stem}: extra {p['surface']!r} @{p['start']} = {p['value']} {p['unit']}")
    return overall, per, lines


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-v", "--verbose", action="store_true")
    ap.add_argument("--json", type=Path)
    a = ap.parse_args()
    corpus = sorted((ROOT / "tests/data/corpus").glob("*.txt"))
    examples = sorted((ROOT / "examples").glob("*.txt"))
    heldout = sorted((ROOT / "tests/data/heldout").glob("*.txt"))
    ov1, per, lines1 = evaluate(corpus, lambda p: p.with_suffix(".facts.jsonl"), a.verbose)
    ov2, _, lines2 = evaluate(examples, lambda p: p.parent / "gold" / (p.stem + ".facts.jsonl"), a.verbose)
    ov3, _, lines3 = evaluate(heldout, lambda p: p.with_suffix(".facts.jsonl"), a.verbose)
    for line in lines1 + lines2 + lines3:
        print(line)
    print(f"{'set / phenomenon':34} {'files':>5} {'gold':>5} {'pred':>5} {'recall':>7} {'precision':>9}")
    sets = [("corpus (tests/data/corpus)", ov1), ("examples", ov2), ("held-out (tests/data/heldout)", ov3)]
    for name, sc in sets + sorted(per.items()):
        print(f"{name[:34]:34} {len(set(sc.files)):5} {sc.gold:5} {sc.pred:5} {sc.recall:7.3f} {sc.precision:9.3f}")
    if a.json:
        a.json.write_text(json.dumps({
            "corpus": {"recall": ov1.recall, "precision": ov1.precision, "gold": ov1.gold, "pred": ov1.pred},
            "examples": {"recall": ov2.recall, "precision": ov2.precision, "gold": ov2.gold, "pred": ov2.pred},
            "heldout": {"recall": ov3.recall, "precision": ov3.precision, "gold": ov3.gold, "pred": ov3.pred},
            "phenomena": {k: {"recall": v.recall, "precision": v.precision, "gold": v.gold} for k, v in per.items()},
        }, indent=2))


if __name__ == "__main__":
    main()
