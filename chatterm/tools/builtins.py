"""The built-in tools: small, read-only, safe to offer to any model.

    builtin_registry(allowed_dirs=["~/notes"], max_file_bytes=256_000) -> ToolRegistry
        current_time(timezone=None)           date and time with zone and UTC offset
        calculator(expression)                arithmetic by parsing (see calculator.py)
        read_file(path, max_bytes=None)       a UTF-8 text file inside an allowed folder
        list_directory(path=".")              a folder's entries inside an allowed folder

All four are `safe=True`: they change nothing, so the user may let them run without
asking (the engine and config decide that). The file tools see only the folders the
user listed in the config; with none listed they refuse and say how to allow one.
Paths are resolved (symlinks followed, `..` collapsed) *before* the check, so a
symlink or `..` that leads outside an allowed folder is refused.

Errors are raised as `ToolError` so the model sees a plain "Error: ..." line.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from pathlib import Path

from .calculator import CalculatorError, evaluate, format_number
from .registry import ToolRegistry
from .runner import MAX_OUTPUT_CHARS, ToolError

__all__ = ["ALLOW_DIRS_HINT", "FileAccess", "builtin_registry"]

ALLOW_DIRS_HINT = (
    "file access is off: no folders are allowed. To allow one, add it to the config "
    'file under [tools], e.g. allowed_dirs = ["~/notes"]'
)
MAX_LIST_ENTRIES = 500
_MAX_TEXT_CHARS = MAX_OUTPUT_CHARS - 200
"""The most text read_file returns, leaving room for its note within the output cap."""


# --- time ----------------------------------------------------------------------------


def _offset(dt: datetime) -> str:
    offset = dt.utcoffset()
    if offset is None:
        return "UTC"
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    hours, mins = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours:02d}:{mins:02d}"


def _zone_ignoring_case(name: str) -> tzinfo:
    """The zone whose IANA name matches `name` but for case ("europe/berlin"), else
    ToolError; the list of zones is read only when the exact name failed."""
    from zoneinfo import ZoneInfo, available_timezones

    wanted = name.replace(" ", "_").casefold()
    for zone in available_timezones():
        if zone.casefold() == wanted:
            return ZoneInfo(zone)
    raise ToolError(
        f"unknown time zone {name!r}; use an IANA name such as 'Europe/Berlin', 'America/New_York' or 'UTC'"
    )


def current_time(timezone: str | None = None) -> str:
    """Get the current date and time, with the time zone and its UTC offset.

    Args:
        timezone: An IANA time zone name such as "Europe/Berlin" or "UTC". Leave it
            out for the user's local time zone.
    """
    if timezone is None or not timezone.strip():
        now = datetime.now().astimezone()
        zone = f"local time zone ({now.tzname()})"
    else:
        name = timezone.strip()
        if name.upper() in {"UTC", "Z", "GMT"}:
            tz: tzinfo = UTC
        else:
            from zoneinfo import ZoneInfo, ZoneInfoNotFoundError  # only when asked

            try:
                tz = ZoneInfo(name)
            except (ZoneInfoNotFoundError, ValueError, OSError):
                tz = _zone_ignoring_case(name)
        now = datetime.now(tz)
        zone = f"{getattr(tz, 'key', None) or name} ({now.tzname()})"
    return f"{now.strftime('%A')} {now.isoformat(timespec='seconds')} - time zone {zone}, {_offset(now)}"


# --- calculator ------------------------------------------------------------------------


def calculator(expression: str) -> str:
    """Evaluate an arithmetic expression (more reliable than mental arithmetic).

    Args:
        expression: Numbers with + - * / // % ** and parentheses, plus sqrt, exp,
            log, log10, log2, sin, cos, tan, asin, acos, atan, abs, round, floor,
            ceil, min, max, hypot, factorial and the constants pi, e, tau.
            Example: "sqrt(2) * (3 + 4) ** 2".
    """
    try:
        return format_number(evaluate(expression))
    except CalculatorError as exc:
        raise ToolError(f"calculator: {exc}") from None


# --- files -----------------------------------------------------------------------------


def _size(n: int) -> str:
    return f"{n:,} bytes"


@dataclass(frozen=True, slots=True)
class FileAccess:
    """The folders the file tools may read, and the size cap. Relative paths are
    taken from the first allowed folder."""

    allowed: tuple[Path, ...]
    max_file_bytes: int

    @classmethod
    def of(cls, dirs: Sequence[str | Path], max_file_bytes: int) -> FileAccess:
        roots = tuple(Path(d).expanduser().resolve() for d in dirs)
        return cls(roots, max(1, int(max_file_bytes)))

    def resolve(self, path: str) -> Path:
        """The real path of `path` if it lies inside an allowed folder, else ToolError."""
        if not self.allowed:
            raise ToolError(ALLOW_DIRS_HINT)
        if "\0" in path:
            raise ToolError("the path contains a NUL character")
        raw = Path(path).expanduser()
        candidate = raw if raw.is_absolute() else self.allowed[0] / raw
        try:
            real = candidate.resolve()
        except (OSError, RuntimeError) as exc:  # a symlink loop, say
            raise ToolError(f"cannot resolve {path!r}: {exc}") from None
        if not any(real == root or real.is_relative_to(root) for root in self.allowed):
            raise ToolError(f"{path!r} is outside the allowed folders ({self.folders()}); it cannot be read")
        return real

    def folders(self) -> str:
        return ", ".join(str(p) for p in self.allowed) or "none"


def _decode(data: bytes, truncated: bool, shown: str) -> str:
    if b"\0" in data:
        raise ToolError(f"{shown} looks like a binary file; only text files can be read")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        # The cap may cut a multi-byte character in two: drop that partial tail.
        if truncated and exc.start >= len(data) - 3:
            return data[: exc.start].decode("utf-8", errors="strict")
        raise ToolError(f"{shown} is not UTF-8 text (binary?); only text files can be read") from None


def _make_read_file(access: FileAccess) -> Callable[..., str]:
    def read_file(path: str, max_bytes: int | None = None) -> str:
        """Read a UTF-8 text file from a folder the user allowed.

        Args:
            path: The file's path, absolute or relative to the first allowed folder.
            max_bytes: Read at most this many bytes (capped by the user's limit).
        """
        real = access.resolve(path)
        cap = access.max_file_bytes if max_bytes is None else min(max_bytes, access.max_file_bytes)
        if cap < 1:
            raise ToolError("max_bytes must be at least 1")
        try:
            info = real.stat()
            if stat.S_ISDIR(info.st_mode):
                raise ToolError(f"{path!r} is a folder; use list_directory to see what it holds")
            if not stat.S_ISREG(info.st_mode):
                raise ToolError(f"{path!r} is not a regular file")
            with real.open("rb") as handle:
                data = handle.read(cap + 1)
        except FileNotFoundError:
            raise ToolError(f"no such file: {path!r}") from None
        except PermissionError:
            raise ToolError(f"permission denied: {path!r}") from None
        except IsADirectoryError:
            raise ToolError(f"{path!r} is a folder; use list_directory") from None
        truncated = len(data) > cap
        text = _decode(data[:cap], truncated, repr(path))
        shown = cap
        if len(text) > _MAX_TEXT_CHARS:
            # The model gets at most MAX_OUTPUT_CHARS of any tool's output; cut here,
            # so that the note below tells the real sizes instead of the runner's cut.
            text = text[:_MAX_TEXT_CHARS]
            shown, truncated = len(text.encode("utf-8")), True
        if truncated:
            total = max(info.st_size, shown + 1)
            text += f"\n[truncated: showed the first {_size(shown)} of {_size(total)}]"
        return text

    return read_file


def _describe_entry(entry: os.DirEntry[str]) -> tuple[int, str]:
    """(sort group, line) for one folder entry; symlinks are not followed."""
    try:
        if entry.is_symlink():
            return 2, f"link  {entry.name}"
        if entry.is_dir(follow_symlinks=False):
            return 0, f"dir   {entry.name}/"
        if entry.is_file(follow_symlinks=False):
            return 1, f"file  {entry.name}  ({_size(entry.stat(follow_symlinks=False).st_size)})"
    except OSError:
        pass
    return 3, f"other {entry.name}"


def _make_list_directory(access: FileAccess) -> Callable[..., str]:
    def list_directory(path: str = ".") -> str:
        """List a folder the user allowed: each entry with its type and size.

        Args:
            path: The folder, absolute or relative to the first allowed folder.
        """
        real = access.resolve(path)
        try:
            with os.scandir(real) as scan:
                entries = sorted((_describe_entry(e) for e in scan), key=lambda x: (x[0], x[1].lower()))
        except FileNotFoundError:
            raise ToolError(f"no such folder: {path!r}") from None
        except NotADirectoryError:
            raise ToolError(f"{path!r} is a file, not a folder; use read_file") from None
        except PermissionError:
            raise ToolError(f"permission denied: {path!r}") from None
        lines = [f"{real} ({len(entries)} entries)"]
        lines += [line for _, line in entries[:MAX_LIST_ENTRIES]]
        if len(entries) > MAX_LIST_ENTRIES:
            lines.append(f"[... {len(entries) - MAX_LIST_ENTRIES} more entries not shown]")
        if not entries:
            lines.append("(empty)")
        return "\n".join(lines)

    return list_directory


# --- the registry ------------------------------------------------------------------------


def builtin_registry(*, allowed_dirs: Sequence[str | Path] = (), max_file_bytes: int = 256_000) -> ToolRegistry:
    """A fresh registry with the four built-in tools, all marked safe.

    The file tools' descriptions name the allowed folders, so the model knows where
    it may look (or, with none, that it cannot)."""
    access = FileAccess.of(allowed_dirs, max_file_bytes)
    where = (
        f" Allowed folders: {access.folders()}."
        if access.allowed
        else " No folders are allowed yet, so it will refuse."
    )
    registry = ToolRegistry()
    registry.register(current_time, safe=True)
    registry.register(calculator, safe=True)
    read_file = _make_read_file(access)
    registry.register(
        read_file,
        safe=True,
        description=(
            f"Read a UTF-8 text file (at most {_size(access.max_file_bytes)} or {_MAX_TEXT_CHARS:,} characters).{where}"
        ),
    )
    list_directory = _make_list_directory(access)
    registry.register(
        list_directory,
        safe=True,
        description=f"List a folder's entries with their type and size.{where}",
    )
    return registry
