"""Themes: the shipped files load, register and apply; user files add or replace;
broken user files are skipped and reported by name."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.app import App, ComposeResult
from textual.widgets import Button, Label

from chatterm.tui.themes import (
    SHIPPED_THEME_NAMES,
    load_theme_file,
    load_themes,
    load_themes_with_errors,
    register_themes,
    shipped_themes_dir,
)


class Host(App[None]):
    def __init__(self, user_dir: Path | None = None) -> None:
        super().__init__()
        self.user_dir = user_dir
        self.theme_errors = register_themes(self, user_dir)

    def compose(self) -> ComposeResult:
        yield Label("hello")
        yield Button("Press", variant="primary")


def test_three_shipped_themes_one_file_each() -> None:
    names = {theme.name for theme in load_themes()}
    assert set(SHIPPED_THEME_NAMES) <= names
    for name in SHIPPED_THEME_NAMES:
        assert (shipped_themes_dir() / f"{name}.toml").is_file()
    by_name = {theme.name: theme for theme in load_themes()}
    assert by_name["chatterm-dark"].dark and not by_name["chatterm-light"].dark
    assert by_name["chatterm-high-contrast"].background == "#000000"
    assert by_name["chatterm-high-contrast"].foreground == "#FFFFFF"


@pytest.mark.parametrize("name", SHIPPED_THEME_NAMES)
async def test_each_shipped_theme_registers_and_applies(name: str) -> None:
    app = Host()
    async with app.run_test() as pilot:
        assert app.theme_errors == []
        assert name in app.available_themes
        app.theme = name
        await pilot.pause()
        assert app.current_theme.name == name
        expected = app.get_theme(name)
        assert expected is not None
        assert app.screen.styles.background.hex.upper() == (expected.background or "").upper()


def test_user_theme_is_added_and_may_replace_a_shipped_one(tmp_path: Path) -> None:
    (tmp_path / "mine.toml").write_text('name = "mine"\nprimary = "#ff8800"\ndark = false\n')
    (tmp_path / "dark.toml").write_text('name = "chatterm-dark"\nprimary = "#123456"\n')
    themes, errors = load_themes_with_errors(tmp_path)
    assert errors == []
    by_name = {theme.name: theme for theme in themes}
    assert by_name["mine"].primary == "#ff8800" and not by_name["mine"].dark
    assert by_name["chatterm-dark"].primary == "#123456"
    assert len([t for t in themes if t.name == "chatterm-dark"]) == 1


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('name = "x"\nprimary = "#12"\n', "'primary' is not a colour"),
        ('name = "x"\nprimary = \n', "invalid TOML"),
        ('primary = "#123456"\n', "'name' is missing"),
        ('name = "x"\n', "'primary' is missing"),
        ('name = "x"\nprimary = "#123456"\nprimry = "#fff"\n', "unknown key(s): primry"),
        ('name = "x"\nprimary = "#123456"\n[variables]\nborder = "glow"\n', "'border' is not a colour"),
        ('name = "x"\nprimary = "#123456"\ndark = "yes"\n', "'dark' must be true or false"),
    ],
)
def test_broken_user_theme_is_skipped_and_reported(tmp_path: Path, text: str, message: str) -> None:
    (tmp_path / "broken.toml").write_text(text)
    (tmp_path / "good.toml").write_text('name = "good"\nprimary = "#00ff00"\n')
    themes, errors = load_themes_with_errors(tmp_path)
    names = {theme.name for theme in themes}
    assert "good" in names and set(SHIPPED_THEME_NAMES) <= names
    [error] = errors
    assert error.path.name == "broken.toml"
    assert message in error.message
    assert "broken.toml" in str(error)


async def test_app_starts_with_a_broken_user_theme(tmp_path: Path) -> None:
    (tmp_path / "broken.toml").write_bytes(b"\xff\xfe not text")
    app = Host(tmp_path)
    async with app.run_test():
        assert [e.path.name for e in app.theme_errors] == ["broken.toml"]
        assert "not UTF-8" in app.theme_errors[0].message
        app.theme = "chatterm-light"


def test_missing_user_dir_is_fine(tmp_path: Path) -> None:
    themes, errors = load_themes_with_errors(tmp_path / "does-not-exist")
    assert errors == [] and len(themes) == len(SHIPPED_THEME_NAMES)


def test_variables_with_alpha_and_text_styles(tmp_path: Path) -> None:
    path = tmp_path / "v.toml"
    path.write_text(
        'name = "v"\nprimary = "#123456"\n[variables]\n'
        '"input-selection-background" = "#81a1c1 35%"\n"block-cursor-text-style" = "none"\n'
    )
    theme = load_theme_file(path)
    assert theme.variables == {"input-selection-background": "#81a1c1 35%", "block-cursor-text-style": "none"}
