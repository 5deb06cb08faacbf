"""Small helpers shared by tests: reading JSONL and matching facts against gold rows."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def read_jsonl(path: Path | str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines() if line.strip()]


def parse_jsonl(text: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


from bench.extraction import match_facts  # noqa: E402  (one matcher for tests and the bench)

__all__ = ["match_facts", "parse_jsonl", "read_jsonl"]
