"""Theme files shipped with chatterm, one TOML file per theme (data only).

A package only so the files ship in the wheel (package-data "*.toml");
`chatterm.tui.themes` reads them, and documents the keys.
"""
