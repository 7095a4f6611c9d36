"""The config file's parsed TOML checked against the settings schema (`config.SETTINGS`).

A value of the wrong type (a list element too: `allowed_dirs = [1]`) or out of bounds is
an error: it would otherwise crash `ask` or the TUI later, far from its cause. An unknown
key or table (`modle = ...`, `[tool]`) is only a warning, since a newer chatterm may have
written it, but a typo silently ignored is a setting that never applies, so the warning
names the closest valid key. Every message names the file, the dotted key (with the list
index) and, where the key can be found in the text, the line.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from chatterm.config import SETTINGS, ConfigError, Setting


def check_data(data: Mapping[str, Any], path: Path, text: str) -> tuple[dict[str, Any], list[str]]:
    """The known values by dotted key, and warnings for the unknown ones.

    Raises ConfigError at the first value of the wrong type or out of bounds."""
    by_key = {s.key: s for s in SETTINGS}
    tables = _tables(by_key)
    values: dict[str, Any] = {}
    warnings: list[str] = []

    def at(dotted: str, *, table: bool = False) -> str:
        line = _header_line(text, dotted) if table else _line_of(text, dotted)
        return f"{path}, line {line}" if line else str(path)

    def walk(table: Mapping[str, Any], prefix: str) -> None:
        for name, value in table.items():
            dotted = prefix + name
            setting = by_key.get(dotted)
            if setting is not None:
                values[dotted] = _checked(setting, value, at(dotted))
                if dotted == "keys":
                    values[dotted] = _key_table(value, at, warnings)
                elif dotted == "presets":
                    from chatterm.presets import check_presets

                    values[dotted] = check_presets(value, at, warnings)
                elif dotted == "prices":
                    _check_prices(value, at)
            elif dotted in tables:
                if not isinstance(value, dict):
                    raise ConfigError(f"{at(dotted)}: {dotted} must be a table ([{dotted}]) (got {value!r})")
                walk(value, dotted + ".")
            elif isinstance(value, dict):
                warnings.append(
                    f"{at(dotted, table=True)}: unknown table [{dotted}] is ignored{_hint(dotted, True, by_key, tables)}"
                )
            else:
                warnings.append(
                    f"{at(dotted)}: unknown setting {dotted!r} is ignored{_hint(dotted, False, by_key, tables)}"
                )

    walk(data, "")
    return values, warnings


def _key_table(table: Mapping[str, Any], at: Callable[[str], str], warnings: list[str]) -> dict[str, str]:
    """`[keys]`: action name -> keys. A name the app does not know is a warning (a newer
    chatterm may have written it), naming the closest one; a key that cannot be bound is
    an error, naming the file, the line and the action."""
    from difflib import get_close_matches

    from chatterm.key_actions import ALL_KEYS, keys_problem

    keys: dict[str, str] = {}
    for name, value in table.items():
        if name not in ALL_KEYS:
            near = get_close_matches(name, list(ALL_KEYS), n=1, cutoff=0.6)
            hint = f"; did you mean {near[0]!r}?" if near else " (F1 in the app lists the actions)"
            warnings.append(f"{at('keys.' + name)}: unknown action {name!r} under [keys] is ignored{hint}")
            continue
        problem = keys_problem(name, value)
        if problem:
            raise ConfigError(f"{at('keys.' + name)}: keys.{name} {problem}")
        keys[name] = value
    return keys


def _check_prices(table: Mapping[str, Any], at: Callable[..., str]) -> None:
    """`[prices."<model>"]`: input and output (and cached_input) per million tokens, none
    negative. The message names the model, the field and its line."""
    from chatterm.price_table import price_problem

    for model, entry in table.items():
        found = price_problem(entry)
        if found is None:
            continue
        name, problem = found
        quoted = f'prices."{model}"'
        if name:
            where = at(f"prices.{model}.{name}")
            if ", line " not in where:  # an inline table: the model's own line
                where = at(f"prices.{model}", table=True)
            raise ConfigError(f"{where}: {quoted}.{name} {problem}")
        raise ConfigError(f"{at(f'prices.{model}', table=isinstance(entry, dict))}: {quoted} {problem}")


def type_problem(setting: Setting, value: Any) -> str | None:
    """Why `value` cannot be this setting's value (type, element type, bounds), or None."""
    if not _is(value, setting.kind):
        return f"{setting.key} must be of type {_names(setting.kind)} (got {value!r})"
    if setting.item is not None and isinstance(value, list):
        for index, item in enumerate(value):
            if not _is(item, setting.item):
                return f"{setting.key}[{index}] must be of type {_names(setting.item)} (got {item!r})"
    problem = setting.check(value) if setting.check else None
    if problem and isinstance(value, dict):  # a nested table: the check names the part at fault
        return f"{setting.key}: {problem}"
    return f"{setting.key} {problem} (got {value!r})" if problem else None


def _checked(setting: Setting, value: Any, at: str) -> Any:
    problem = type_problem(setting, value)
    if problem:
        raise ConfigError(f"{at}: {problem}")
    return list(value) if isinstance(value, list) else value


def _is(value: Any, kind: type | tuple[type, ...]) -> bool:
    kinds = kind if isinstance(kind, tuple) else (kind,)
    if isinstance(value, bool):  # bool is an int to Python, not to a config file
        return bool in kinds
    return isinstance(value, kinds)


def _names(kind: type | tuple[type, ...]) -> str:
    kinds = kind if isinstance(kind, tuple) else (kind,)
    return " or ".join(k.__name__ for k in kinds)


def _tables(by_key: Mapping[str, Setting]) -> set[str]:
    """Every table the schema has (`tools` for `tools.safe`; `a` and `a.b` for `a.b.c`)."""
    tables: set[str] = set()
    for key in by_key:
        parts = key.split(".")
        tables.update(".".join(parts[:n]) for n in range(1, len(parts)))
    return tables


def _hint(dotted: str, is_table: bool, by_key: Mapping[str, Setting], tables: Iterable[str]) -> str:
    best = _closest(dotted, is_table, by_key, tables)
    if best is None:
        return ""
    return f"; did you mean {_spelled(best, is_table)}?"


def _closest(dotted: str, is_table: bool, by_key: Mapping[str, Setting], tables: Iterable[str]) -> str | None:
    """The valid key the user most likely meant: the same name in another table (a
    misplaced key), else the nearest spelling of the whole path, else of the last name."""
    from difflib import get_close_matches

    table_like = sorted(set(tables) | {k for k, s in by_key.items() if s.kind is dict})
    candidates = table_like if is_table else sorted(by_key)
    leaf = dotted.rpartition(".")[2]
    same_name = [k for k in candidates if k.rpartition(".")[2] == leaf and k != dotted]
    if same_name:
        return same_name[0]
    near = get_close_matches(dotted, candidates, n=1, cutoff=0.6)
    if near:
        return near[0]
    leaves = {k.rpartition(".")[2]: k for k in reversed(candidates)}
    near = get_close_matches(leaf, list(leaves), n=1, cutoff=0.75)
    return leaves[near[0]] if near else None


def _spelled(key: str, is_table: bool) -> str:
    """How the user writes `key` in the file: `[tools]`, `model`, `safe under [tools]`."""
    if is_table:
        return f"[{key}]"
    table, _, name = key.rpartition(".")
    return f"{name!r} under [{table}]" if table else f"{name!r} (at the top, before any [table])"


def _line_of(text: str, key: str) -> int | None:
    """Line number (1-based) where a dotted key is set, for messages."""
    table, _, name = key.rpartition(".")
    current = ""
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        header = re.match(r"^\[\[?([^\]]+)\]\]?\s*(#.*)?$", stripped)
        if header:
            current = _unquote(header.group(1))
            continue
        if current == table and re.match(rf"^[\"']?{re.escape(name)}[\"']?\s*=", stripped):
            return number
    return None


def _header_line(text: str, table: str) -> int | None:
    """Line number (1-based) of a `[table]` header."""
    for number, line in enumerate(text.splitlines(), 1):
        header = re.match(r"^\[\[?([^\]]+)\]\]?\s*(#.*)?$", line.strip())
        if header and _unquote(header.group(1)) == table:
            return number
    return _line_of(text, table)  # `table = {...}` inline


def _unquote(header: str) -> str:
    return ".".join(part.strip().strip("\"'") for part in header.split("."))
