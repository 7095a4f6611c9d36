"""chatterm's themes: TOML files turned into Textual `Theme`s.

Themes are data, not code, so a user can copy a shipped file into
`<config dir>/themes/`, change a few colours and pick it in the palette:

    themes/*.toml                 shipped (the repository's top-level themes/, installed as chatterm.themes): chatterm-dark, chatterm-light, chatterm-high-contrast
    <user_dir>/*.toml             the user's own (a broken file is skipped and reported)

One theme per file. Keys (all colours are CSS-style strings such as "#1e90ff"):

    name        required, the name shown in the theme picker
    primary     required
    secondary, accent, foreground, background, surface, panel, boost,
    success, warning, error                       optional colours
    dark        bool, default true
    luminosity_spread, text_alpha                 optional floats
    [variables] optional Textual design variables ("border" = "#fff", ...)

Files are read only when `load_themes` is called (never at import). Each theme is
checked by building its colour system, so a bad colour is caught here, with the file
name, rather than when the user switches to it.
"""

from __future__ import annotations

import functools
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from textual.app import App
    from textual.theme import Theme


@functools.cache
def shipped_themes_dir() -> Path:
    """The folder of theme files shipped with chatterm (top-level `themes/`, installed as `chatterm.themes`)."""
    # The folder behind the `chatterm.themes` package: the repository's themes/ in an
    # editable install or a checkout, the package's own folder in an installed wheel.
    import importlib.util

    spec = importlib.util.find_spec("chatterm.themes")
    assert spec is not None and spec.submodule_search_locations, "chatterm.themes is not installed"
    return Path(next(iter(spec.submodule_search_locations)))


SHIPPED_THEME_NAMES = ("chatterm-dark", "chatterm-light", "chatterm-high-contrast")
DEFAULT_THEME = "chatterm-dark"

_COLOUR_KEYS = (
    "primary",
    "secondary",
    "accent",
    "foreground",
    "background",
    "surface",
    "panel",
    "boost",
    "success",
    "warning",
    "error",
)
_FLOAT_KEYS = ("luminosity_spread", "text_alpha")
_KNOWN_KEYS = {"name", "dark", "variables", *_COLOUR_KEYS, *_FLOAT_KEYS}


class ThemeFileError(ValueError):
    """A theme file that cannot be used; the message says what to fix."""


@dataclass(frozen=True, slots=True)
class ThemeLoadError:
    """A theme file that was skipped, and why (for a notification at start-up)."""

    path: Path
    message: str

    def __str__(self) -> str:
        return f"Theme file {self.path.name} skipped: {self.message}"


def _check_colour(key: str, value: Any) -> str:
    from textual.color import Color, ColorParseError

    if not isinstance(value, str):
        raise ThemeFileError(f'{key!r} must be a colour string like "#1e90ff"')
    # Design variables may carry an alpha as a trailing percentage: "#81a1c1 35%".
    colour, _, alpha = value.strip().partition(" ")
    try:
        Color.parse(colour)
    except ColorParseError:
        raise ThemeFileError(f"{key!r} is not a colour: {value!r}") from None
    if alpha and not (alpha.endswith("%") and alpha[:-1].replace(".", "", 1).isdigit()):
        raise ThemeFileError(f'{key!r} has a bad alpha {alpha!r} (use e.g. "50%")')
    return value


def theme_from_data(data: dict[str, Any]) -> Theme:
    """Build a `Theme` from a parsed TOML table, or raise `ThemeFileError`."""
    from textual.theme import Theme

    unknown = sorted(set(data) - _KNOWN_KEYS)
    if unknown:
        raise ThemeFileError(f"unknown key(s): {', '.join(unknown)}")
    name = data.get("name")
    if not isinstance(name, str) or not name.strip():
        raise ThemeFileError("'name' is missing or empty")
    if "primary" not in data:
        raise ThemeFileError("'primary' is missing")
    colours = {key: _check_colour(key, data[key]) for key in _COLOUR_KEYS if key in data}
    dark = data.get("dark", True)
    if not isinstance(dark, bool):
        raise ThemeFileError("'dark' must be true or false")
    floats: dict[str, float] = {}
    for key in _FLOAT_KEYS:
        if key in data:
            value = data[key]
            if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
                raise ThemeFileError(f"{key!r} must be a number from 0 to 1")
            floats[key] = float(value)
    raw_variables = data.get("variables", {})
    if not isinstance(raw_variables, dict):
        raise ThemeFileError("[variables] must be a table")
    variables: dict[str, str] = {}
    for key, value in raw_variables.items():
        if not isinstance(value, str):
            raise ThemeFileError(f"variable {key!r} must be a string")
        # Text styles ("bold", "none", "reverse") are not colours.
        variables[key] = value if key.endswith("text-style") else _check_colour(key, value)
    # Theme's colour and float fields are checked above, key by key; typed as one mapping
    # they would not match each parameter's type.
    fields: dict[str, Any] = {**colours, **floats}
    theme = Theme(name=name.strip(), dark=dark, variables=variables, **fields)
    try:
        theme.to_color_system().generate()
    except Exception as error:  # any failure here means Textual could not apply it
        raise ThemeFileError(f"Textual cannot build it: {error}") from None
    return theme


def load_theme_file(path: Path) -> Theme:
    """Read one theme file; raises `ThemeFileError` with a message fit for the user."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise ThemeFileError(f"cannot read it ({error.strerror or error})") from None
    except UnicodeDecodeError:
        raise ThemeFileError("it is not UTF-8 text") from None
    except tomllib.TOMLDecodeError as error:
        raise ThemeFileError(f"invalid TOML: {error}") from None
    return theme_from_data(data)


def _theme_files(folder: Path) -> list[Path]:
    try:
        return sorted(p for p in folder.glob("*.toml") if p.is_file())
    except OSError:
        return []


def load_themes_with_errors(
    user_dir: Path | None = None,
) -> tuple[list[Theme], list[ThemeLoadError]]:
    """The shipped themes, then the user's (a user theme may replace a shipped one of the
    same name), and the user files that were skipped."""
    themes: dict[str, Theme] = {}
    errors: list[ThemeLoadError] = []
    folders = [shipped_themes_dir()] + ([Path(user_dir)] if user_dir is not None else [])
    for folder in folders:
        for path in _theme_files(folder):
            try:
                theme = load_theme_file(path)
            except ThemeFileError as error:
                errors.append(ThemeLoadError(path, str(error)))
                continue
            themes[theme.name] = theme
    return list(themes.values()), errors


def load_themes(user_dir: Path | None = None) -> list[Theme]:
    """The shipped and user themes, skipping broken files (see `load_themes_with_errors`)."""
    return load_themes_with_errors(user_dir)[0]


def register_themes(app: App[Any], user_dir: Path | None = None) -> list[ThemeLoadError]:
    """Register every loadable theme on `app` and return the skipped files, so the
    caller can tell the user (e.g. `app.notify(str(error), severity="warning")`)."""
    themes, errors = load_themes_with_errors(user_dir)
    for theme in themes:
        app.register_theme(theme)
    return errors
