"""The README stays true: every setting, named query and command is documented there."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from api.cli import main
from api.settings import Settings
from graph import queries

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("field", [f.name for f in dataclasses.fields(Settings)])
def test_every_setting_is_in_the_configuration_table(field: str) -> None:
    assert f"| `{field}` | `REFORMKG_{field.upper()}` |" in README


@pytest.mark.parametrize("name", queries.names())
def test_every_named_query_is_in_the_readme(name: str) -> None:
    assert f"| `{name}` |" in README


@pytest.mark.parametrize("command", sorted(main.commands))
def test_every_command_is_in_the_readme(command: str) -> None:
    assert f"`reformkg {command}" in README


def test_the_readme_shows_pictures_that_exist() -> None:
    root = Path(__file__).resolve().parent.parent
    for picture in ("docs/page.png", "docs/network.png"):
        assert f"({picture})" in README and (root / picture).stat().st_size > 10_000
