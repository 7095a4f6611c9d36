"""What the client learned about one server's habits, as data that can be kept.

The client learns these on the first failure and works around them for the rest of
the run (`field_fallback.py`, `route_fallback.py`, `format_fallback.py`). A profile
keeps them (`[profiles.<name>.quirks]`), so the next run starts where the last left
off instead of paying the failed request (and the notice) again. Values read back
from the config file are checked: a hand-edited table that does not fit is ignored.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from chatterm.api.format_fallback import LEVELS


@dataclass(slots=True)
class ServerQuirks:
    refused: dict[str, str | None] = field(default_factory=dict)
    """Optional request fields the server refused -> the name it wants instead (None: drop)."""
    no_responses_route: bool = False
    """The server has no `/v1/responses`: catalogue-routed requests go to chat completions."""
    format_level: int = 0
    """How far structured output had to step down (`format_fallback.LEVELS`)."""

    def to_dict(self) -> dict[str, Any]:
        """TOML-ready: a dropped field is written as "" (TOML has no null)."""
        data: dict[str, Any] = {}
        if self.refused:
            data["refused"] = {name: renamed or "" for name, renamed in self.refused.items()}
        if self.no_responses_route:
            data["no_responses_route"] = True
        if self.format_level:
            data["format_level"] = self.format_level
        return data

    @classmethod
    def from_dict(cls, data: object) -> ServerQuirks:
        quirks = cls()
        if not isinstance(data, dict):
            return quirks
        refused = data.get("refused")
        if isinstance(refused, dict):
            quirks.refused = {
                str(name): (renamed or None) for name, renamed in refused.items() if isinstance(renamed, str)
            }
        if isinstance(data.get("no_responses_route"), bool):
            quirks.no_responses_route = data["no_responses_route"]
        level = data.get("format_level")
        if isinstance(level, int) and not isinstance(level, bool) and 0 <= level < len(LEVELS):
            quirks.format_level = level
        return quirks
