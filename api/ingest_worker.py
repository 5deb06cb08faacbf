"""Warm state for the worker processes of a parallel ingest with validation.

:mod:`api.loader` has its forkserver import this module before it forks the workers, so that
what each worker would otherwise build for itself on its first document (the shapes translated
into SPARQL and Python, ~0.9 s; the reference graph and its index, ~0.2 s; the extractor's
lexicons, ~0.1 s) is built once and shared by every worker through fork.
"""

from __future__ import annotations

from graph.fastcheck import warm_up
from ingest.extract import extract

warm_up()
extract("Tỉnh đã tiếp nhận 1.234 hồ sơ, đạt 98,5%.", source_id="warm-up")
