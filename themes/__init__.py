"""Theme files shipped with chatterm, one TOML file per theme (data only).

A package only so the files ship in the wheel: pyproject maps this folder to
`chatterm.themes` (package-dir) and its "*.toml" are package data;
`chatterm.tui.themes` reads them, and documents the keys.
"""
