"""Reading sources: plain text, HTML news pages and JSONL corpora.

A text file is stored whole (after NFC): boilerplate stays in the text so that offsets point
into the file as a researcher sees it, and the extractor skips the boilerplate lines. From
HTML the main text is taken with trafilatura (page debris, menus and comments dropped).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from .errors import InputError, RecordError
from .normalize import nfc

__all__ = ["SourceDoc", "iter_sources", "read_html", "read_record", "read_text", "safe_id"]

TEXT_SUFFIXES = {".txt", ".text", ".md"}
HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
JSONL_SUFFIXES = {".jsonl", ".ndjson"}
MAX_BYTES = 5 * 1024 * 1024  # one report is well under 1 MB; a 20 MB "document" is a dump, not a report
MIN_ARTICLE_CHARS = 60
#: A DOCTYPE with an internal subset (``<!DOCTYPE x [ <!ENTITY …> ]>``): HTML never needs one;
#: it only serves entity-expansion ("billion laughs") and external-entity (XXE) attacks.
_DTD_SUBSET = re.compile(r"<!DOCTYPE[^\[>]*\[.*?\]\s*>", re.IGNORECASE | re.DOTALL)


@dataclass(slots=True)
class SourceDoc:
    source_id: str
    text: str
    origin: str  # where it came from, for messages: "a.txt", "corpus.jsonl:12"
    file_name: str | None = None
    url: str | None = None
    title: str | None = None
    date: str | None = None
    publisher: str | None = None
    author: str | None = None


# letters only Vietnamese writes (not French "é", "à", "ê"): ă, đ, ơ, ư and the hook-above,
# dot-below and tilde tones
_VI_LETTERS = set("ăđơưảãạằắẳẵặầấẩẫậẻẽẹềếểễệỉĩịỏõọồốổỗộờớởỡợủũụừứửữựỳỷỹỵ")
_EN_WORDS = re.compile(r"\b(?:the|and|of|in|to|with|for|was|were|has|have|from|by|on|its|this)\b", re.I)


def language_of(text: str) -> str | None:
    """"vi", "en" or None (another language): reformkg reads Vietnamese reports and
    English-language Vietnamese outlets, nothing else.

    >>> language_of("Tỉnh tiếp nhận 1.392 hồ sơ, đạt 98,5%."), language_of("The province received 1,392 dossiers.")
    ('vi', 'en')
    >>> language_of("La province a reçu 1 392 dossiers administratifs en mars.") is None
    True
    """
    sample = text[:20000]
    letters = [c for c in sample.lower() if c.isalpha()]
    if not letters:
        return None
    if sum(c in _VI_LETTERS for c in letters) / len(letters) >= 0.015:
        return "vi"
    ascii_share = sum(c.isascii() for c in letters) / len(letters)
    words = max(1, len(sample.split()))
    if ascii_share >= 0.97 and len(_EN_WORDS.findall(sample)) / words >= 0.04:
        return "en"
    return None


def _check_language(text: str, where: str) -> None:
    if language_of(text) is None:
        raise InputError(f"{where}: not a Vietnamese or English text (reformkg reads reports in "
                         "Vietnamese and English-language Vietnamese outlets)")


def safe_id(raw: str) -> str:
    """A source id usable in an IRI path segment.

    >>> safe_id("Vĩnh Phúc 2025/Q1")
    'Vĩnh-Phúc-2025-Q1'
    """
    s = re.sub(r"[^\w.\-]+", "-", raw.strip(), flags=re.UNICODE).strip("-.")
    return s or "source"


def _decode(path: Path, data: bytes) -> str:
    if not data.strip():
        raise InputError(f"{path}: empty file")
    nul = data.find(b"\x00", 0, 8192)
    if nul >= 0:
        raise InputError(f"{path}: binary file, not text (NUL byte at offset {nul})")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{path}: not UTF-8 text (invalid byte 0x{data[exc.start]:02x} at byte offset {exc.start}); "
            "convert it with `iconv -t UTF-8`"
        ) from None


def _read_bytes(path: Path) -> bytes:
    if not path.exists():
        raise InputError(f"{path}: no such file")
    if path.is_dir():
        raise InputError(f"{path}: is a directory")
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise InputError(f"{path}: {size} bytes is over the {MAX_BYTES} byte limit for one document")
    try:
        return path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror}") from None


def read_text(path: Path) -> SourceDoc:
    """A .txt file as one source; its id is the file name stem."""
    text = nfc(_decode(path, _read_bytes(path)))
    _check_language(text, str(path))
    return SourceDoc(safe_id(path.stem), text, str(path), file_name=path.name)


def read_html(path: Path) -> SourceDoc:
    """The main article text and metadata of an HTML page."""
    raw = _decode(path, _read_bytes(path))
    doc = html_to_source(raw, path.stem, str(path))
    doc.file_name = path.name
    return doc


def html_to_source(html: str, source_id: str, origin: str) -> SourceDoc:
    """Main text and metadata of an HTML string (trafilatura)."""
    import trafilatura  # imported here: it is slow to import and only HTML needs it

    # lxml's HTML parser neither expands entities nor loads external ones (tests/hardening);
    # dropping the DTD first keeps it so whatever parser trafilatura picks (issue 7).
    html = _DTD_SUBSET.sub("", html, count=1)
    result = trafilatura.bare_extraction(
        html, include_comments=False, include_tables=True, with_metadata=True, favor_precision=True
    )
    data = result.as_dict() if hasattr(result, "as_dict") else (result or {})
    text = (data.get("text") or "").strip()
    # trafilatura falls back to menus and captions when a page has no article: a few words of
    # debris are not an article either
    if len(text) < MIN_ARTICLE_CHARS or len(text.split()) < 8:
        raise InputError(f"{origin}: HTML with no article text (nothing left after removing page debris)")
    _check_language(text, origin)
    return SourceDoc(
        safe_id(source_id), nfc(text), origin, url=data.get("url"), title=data.get("title"),
        date=data.get("date"), publisher=data.get("sitename"), author=data.get("author"),
    )


def read_record(line: str, lineno: int, origin: str) -> SourceDoc:
    """One JSONL record: ``{"id", "text", "url"?, "title"?, "date"?, "publisher"?, "author"?}``."""
    try:
        rec = json.loads(line)
    except json.JSONDecodeError as exc:
        raise RecordError(f"{origin}:{lineno}: not JSON ({exc.msg} at column {exc.colno})") from None
    if not isinstance(rec, dict):
        raise RecordError(f"{origin}:{lineno}: a record must be a JSON object")
    rid = rec.get("id")
    label = f"{origin}:{lineno} (id {rid!r})" if rid is not None else f"{origin}:{lineno}"
    text = rec.get("text")
    if not isinstance(text, str) or not text.strip():
        raise RecordError(f"{label}: no \"text\"")
    if len(text.encode("utf-8")) > MAX_BYTES:
        raise RecordError(f"{label}: text over the {MAX_BYTES} byte limit")
    for key in ("url", "title", "date", "publisher", "author"):
        if rec.get(key) is not None and not isinstance(rec[key], str):
            raise RecordError(f"{label}: \"{key}\" must be a string")
    date = rec.get("date")
    if date and not re.match(r"\d{4}-\d{2}-\d{2}", date):
        raise RecordError(f"{label}: \"date\" must be an ISO date (YYYY-MM-DD), got {date!r}")
    if language_of(text) is None:
        raise RecordError(f"{label}: not a Vietnamese or English text")
    sid = str(rid) if rid is not None else f"{Path(origin).stem}-{lineno}"
    return SourceDoc(safe_id(sid), nfc(text), f"{origin}:{lineno}", url=rec.get("url"),
                     title=rec.get("title"), date=date[:10] if date else None,
                     publisher=rec.get("publisher"), author=rec.get("author"))


def _corpus_files(paths: list[Path]) -> Iterator[Path | InputError]:
    """The files behind the given paths: directories walked (sorted), files as given."""
    for p in paths:
        if p.is_dir():
            files = sorted(f for f in p.rglob("*") if f.is_file()
                           and f.suffix.lower() in TEXT_SUFFIXES | HTML_SUFFIXES | JSONL_SUFFIXES)
            if not files:
                yield InputError(f"{p}: no .txt, .html or .jsonl files in this directory")
            yield from files
        else:
            yield p


def iter_sources(paths: list[Path]) -> Iterator[SourceDoc | InputError | RecordError]:
    """Every source of the given files and directories, or the error that stopped one.
    JSONL corpora are streamed line by line, so a corpus may be any size."""
    for p in _corpus_files(paths):
        if isinstance(p, InputError):
            yield p
            continue
        suffix = p.suffix.lower()
        try:
            if suffix in JSONL_SUFFIXES:
                yield from _iter_jsonl(p)
            elif suffix in HTML_SUFFIXES:
                yield read_html(p)
            else:
                yield read_text(p)
        except (InputError, RecordError) as exc:
            yield exc


def count_sources(paths: list[Path]) -> int:
    """How many items :func:`iter_sources` yields (one per file, one per non-empty JSONL line),
    for a progress bar; counting reads JSONL files once without decoding them."""
    n = 0
    for f in _corpus_files(paths):
        if not isinstance(f, InputError) and f.suffix.lower() in JSONL_SUFFIXES and f.is_file():
            try:
                with f.open("rb") as fh:
                    n += max(1, sum(1 for line in fh if line.strip()))
            except OSError:
                n += 1
        else:
            n += 1
    return n


def _iter_jsonl(path: Path) -> Iterator[SourceDoc | RecordError]:
    """Records of a JSONL corpus, streamed line by line (a corpus may be far larger than one
    document's limit); a line that is not UTF-8 is reported with its number."""
    if not path.exists():
        raise InputError(f"{path}: no such file")
    try:
        handle = path.open("rb")
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror}") from None
    empty = True
    with handle:
        for lineno, raw in enumerate(handle, start=1):
            if not raw.strip():
                continue
            empty = False
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                yield RecordError(f"{path}:{lineno}: not UTF-8 (invalid byte 0x{raw[exc.start]:02x} at column {exc.start + 1})")
                continue
            try:
                yield read_record(line, lineno, str(path))
            except RecordError as exc:
                yield exc
    if empty:
        raise InputError(f"{path}: empty file")
