"""``api.settings.Settings``: defaults, environment, validation."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import api.settings
from api.settings import Settings, SettingsError


def test_defaults() -> None:
    s = Settings()
    assert s.store == Path("./reformkg-data")
    assert (s.host, s.port, s.query_timeout, s.max_rows) == ("127.0.0.1", 8000, 30.0, 10_000)
    assert s.endpoint is None and s.ingest_token is None
    assert s.cors_origins == ("*",) and s.max_body_bytes == 1_000_000
    assert "ingest_token" not in repr(Settings(ingest_token="secret")).replace("ingest_token=", "")


def test_from_env() -> None:
    env = {
        "REFORMKG_STORE": "/data/kg", "REFORMKG_PORT": "9000", "REFORMKG_QUERY_TIMEOUT": "2.5",
        "REFORMKG_MAX_ROWS": "50", "REFORMKG_INGEST_TOKEN": "t0k3n",
        "REFORMKG_CORS_ORIGINS": "http://a.example, http://b.example",
        "REFORMKG_SERVICE_ALLOWLIST": "https://query.wikidata.org/sparql",
        "UNRELATED": "x",
    }
    s = Settings.from_env(env)
    assert s.store == Path("/data/kg") and s.port == 9000 and s.query_timeout == 2.5
    assert s.max_rows == 50 and s.ingest_token == "t0k3n"
    assert s.cors_origins == ("http://a.example", "http://b.example")
    assert s.service_allowlist == ("https://query.wikidata.org/sparql",)


def test_overrides_win_and_none_falls_through() -> None:
    s = Settings.from_env({"REFORMKG_PORT": "9000", "REFORMKG_HOST": "0.0.0.0"}, port=8001,
                          host=None)
    assert s.port == 8001 and s.host == "0.0.0.0"


def test_empty_token_means_disabled() -> None:
    assert Settings.from_env({"REFORMKG_INGEST_TOKEN": ""}).ingest_token is None


@pytest.mark.parametrize(
    "env",
    [{"REFORMKG_PORT": "eighty"}, {"REFORMKG_PORT": "70000"}, {"REFORMKG_QUERY_TIMEOUT": "0"},
     {"REFORMKG_MAX_ROWS": "0"}, {"REFORMKG_ENDPOINT": "ftp://x"}],
)
def test_nonsense_rejected(env: dict[str, str]) -> None:
    with pytest.raises(SettingsError):
        Settings.from_env(env)


def test_not_instantiated_at_import() -> None:
    tree = ast.parse(Path(api.settings.__file__).read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign | ast.AnnAssign) and isinstance(node.value, ast.Call):
            func = node.value.func
            assert not (isinstance(func, ast.Name) and func.id == "Settings")
            assert not (isinstance(func, ast.Attribute) and func.attr == "from_env")
