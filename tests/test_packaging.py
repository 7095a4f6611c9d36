"""What `pip install .` ships: every package of the source tree, and the themes.

pyproject lists its packages by name (the top-level themes/ folder is mapped to
`chatterm.themes`, which automatic discovery cannot do), so a new package folder that is
not added there would silently be missing from wheels.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import chatterm

ROOT = Path(chatterm.__file__).resolve().parent.parent


def _listed() -> set[str]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return set(config["tool"]["setuptools"]["packages"])


def test_every_package_folder_is_listed_in_pyproject() -> None:
    folders = {
        ".".join(path.parent.relative_to(ROOT).parts)
        for path in (ROOT / "chatterm").rglob("*.py")
        if "__pycache__" not in path.parts
    }
    assert folders - _listed() == set()
    assert "chatterm.themes" in _listed()


def test_the_shipped_themes_are_the_top_level_folder() -> None:
    from chatterm.tui.themes import SHIPPED_THEME_NAMES, shipped_themes_dir

    assert shipped_themes_dir() == ROOT / "themes"
    for name in SHIPPED_THEME_NAMES:
        assert (ROOT / "themes" / f"{name}.toml").is_file()
