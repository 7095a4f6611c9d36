"""Presets: `[presets.<name>]` tables in the config, each a reusable start for a chat.

A user who keeps a "reviewer" (a strict system prompt on a careful model, low
temperature) and a "brainstorm" (another model, high temperature, search on) names each
once instead of setting five values by hand every time. A preset sets only what it
names; everything else stays as the chat (or the config's defaults for a new chat) has
it. The TUI starts a chat from one or applies one to the open chat; `ask --preset`
starts from one, and flags given on the command line win over it.

Values follow the rules of the settings they stand for (`system` is `system_prompt`,
`temperature` the top-level `temperature`, ...: the same schema rows, so the same
messages with file, key and line); `thinking` and `search` are booleans; `tools` is a
list of `--tools` words (tool names, `all`, a source such as `mcp:time`) or one string
of them. The words are resolved against the registry only when a preset is applied,
since tools load after the config. Stdlib only: `config_check.py` checks the tables on
load.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from chatterm.config import Setting

PRESET_KEYS: dict[str, str] = {
    "system": "system_prompt",
    "model": "model",
    "temperature": "temperature",
    "top_p": "top_p",
    "max_tokens": "max_tokens",
    "thinking": "thinking",
    "search": "search",
    "tools": "tools",
}
"""A preset's keys -> the `ChatSettings` field each sets (`tools` is resolved apart)."""


@dataclass(frozen=True, slots=True)
class Preset:
    """One `[presets.<name>]` table, checked. None: the preset leaves that value alone."""

    name: str
    system: str | None = None
    model: str | None = None
    temperature: float | None = None
    top_p: float | None = None
    max_tokens: int | None = None
    thinking: bool | None = None
    search: bool | None = None
    tools: tuple[str, ...] | None = None
    """`--tools` words; () offers no tool at all."""

    def settings_values(self) -> dict[str, Any]:
        """What the preset sets, by `ChatSettings` field name (tools apart: see `tool_words`)."""
        values: dict[str, Any] = {}
        for key, field_name in PRESET_KEYS.items():
            value = getattr(self, key)
            if key != "tools" and value is not None:
                values[field_name] = float(value) if key in ("temperature", "top_p") else value
        return values

    def tool_words(self) -> str | None:
        """The tools as one `--tools` string ("" for none), or None when the preset leaves them."""
        return None if self.tools is None else ",".join(self.tools)

    def summary(self) -> list[str]:
        """What the preset sets, for the picker: a line of settings, then the system
        prompt's first line, cut (either left out when the preset does not set it)."""
        parts: list[str] = []
        if self.model:
            parts.append(self.model)
        for key in ("temperature", "top_p", "max_tokens"):
            value = getattr(self, key)
            if value is not None:
                parts.append(f"{key} {value:g}" if isinstance(value, float) else f"{key} {value}")
        for key in ("thinking", "search"):
            value = getattr(self, key)
            if value is not None:
                parts.append(f"{key} {'on' if value else 'off'}")
        if self.tools is not None:
            parts.append(f"tools: {', '.join(self.tools) or 'none'}")
        summary = [" · ".join(parts)] if parts else []
        lines = (self.system or "").strip().splitlines()
        if lines:
            cut = len(lines) > 1 or len(lines[0]) > 60
            summary.append(f"system: {lines[0][:60]}{'…' if cut else ''}")
        return summary or ["sets nothing"]


class UnknownPresetError(LookupError):
    """A preset name the config does not have; the message lists the ones it has."""


def find_preset(presets: Mapping[str, Preset], name: str, config_path: Path | None = None) -> Preset:
    """The preset called `name`, or UnknownPresetError saying which there are."""
    preset = presets.get(name)
    if preset is not None:
        return preset
    if presets:
        raise UnknownPresetError(f"no preset named {name!r}; presets: {', '.join(sorted(presets))}")
    where = config_path or "the config file"
    raise UnknownPresetError(
        f"no preset named {name!r}; there are no presets yet: add a [presets.{name}] table to {where}"
    )


def check_presets(table: Mapping[str, Any], at: Callable[[str], str], warnings: list[str]) -> dict[str, Preset]:
    """`[presets]`: every `[presets.<name>]` checked by the rules of the settings its
    keys stand for. A bad value is a `ConfigError` naming file, key and line (through
    `at`, the config check's locator); an unknown key is a warning naming the closest
    one, since a newer chatterm may have written it."""
    from difflib import get_close_matches

    from chatterm.config import ConfigError
    from chatterm.config_check import type_problem

    presets: dict[str, Preset] = {}
    for name, body in table.items():
        if not isinstance(body, dict):
            raise ConfigError(
                f"{at(f'presets.{name}')}: presets.{name} must be a table ([presets.{name}]) (got {body!r})"
            )
        values: dict[str, Any] = {}
        for key, value in body.items():
            dotted = f"presets.{name}.{key}"
            if key not in PRESET_KEYS:
                near = get_close_matches(key, list(PRESET_KEYS), n=1, cutoff=0.6)
                hint = f"; did you mean {near[0]!r}?" if near else f" (a preset takes {', '.join(PRESET_KEYS)})"
                warnings.append(f"{at(dotted)}: unknown setting {dotted!r} is ignored{hint}")
                continue
            problem = type_problem(replace(_rule(key), key=dotted), value)
            if problem:
                raise ConfigError(f"{at(dotted)}: {problem}")
            values[key] = _tool_words(value) if key == "tools" else value
        presets[name] = Preset(name=name, **values)
    return presets


def _rule(key: str) -> Setting:
    """The schema row whose rules a preset key follows; `thinking` and `search` are
    booleans and `tools` is `--tools` words, none of which has a top-level row."""
    from chatterm.config import _BY_KEY, Setting

    field_name = PRESET_KEYS[key]
    if field_name in _BY_KEY:
        return _BY_KEY[field_name]
    if key == "tools":
        return Setting(key, (list, str), None, "--tools words: tool names, all, a source.", item=str)
    return Setting(key, bool, None, f"{key} on or off.")


def _tool_words(value: str | list[str]) -> tuple[str, ...]:
    words = value.split(",") if isinstance(value, str) else value
    return tuple(word.strip() for word in words if word.strip())
