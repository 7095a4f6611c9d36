"""User tools: Python files and modules named in the config, and installed packages.

    errors = load_user_tools(registry, files=["~/tools/weather.py"],
                             modules=["mytools.search"], entry_points=True)

A file or module offers tools in any of three ways (all may be combined):

    from chatterm.tools import tool
    @tool                                   # 1. the module-level decorator
    def weather(city: str) -> str: ...

    def register(registry): ...             # 2. a hook that registers what it likes
    tools = [forecast, some_tool_object]    # 3. a list of functions or Tool objects

Installed packages declare an entry point in the group `chatterm.tools`; it may name a
module (treated like the above), a function called `register` (called with the
registry), a Tool or decorated function, a list of them, or a plain function (made a
tool).

Nothing here raises: each failure becomes one message naming the file, module or entry
point and the error ("tool file ~/x.py failed to import: NameError: ..."), so a broken
tool file never stops chatterm from starting. The caller shows the messages.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import sys
import types
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from .registry import TOOL_ATTRIBUTE, Tool, ToolRegistry, default_registry

__all__ = ["ENTRY_POINT_GROUP", "load_user_tools"]

ENTRY_POINT_GROUP = "chatterm.tools"


def _describe(exc: BaseException) -> str:
    text = str(exc)
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _file_module_name(path: Path) -> str:
    """A stable, unique module name per file, so reloading the same file replaces
    its tools instead of clashing with them."""
    digest = hashlib.sha1(str(path).encode()).hexdigest()[:10]
    stem = "".join(c if c.isalnum() else "_" for c in path.stem)
    return f"chatterm_user_tools_{stem}_{digest}"


def _import_file(path: Path) -> types.ModuleType:
    name = _file_module_name(path)
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ImportError("not a Python file")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses and pickling look themselves up here
    try:
        spec.loader.exec_module(module)
    except BaseException:
        sys.modules.pop(name, None)
        raise
    return module


def _module_offers(module: types.ModuleType, staged: list[Tool]) -> tuple[list[Any], Callable[..., Any] | None]:
    """What a module offers: tools (decorated functions, `tools = [...]`, tools it put
    in the default registry while importing) and its `register` hook."""
    offers: list[Any] = []
    for value in list(vars(module).values()):
        made = getattr(value, TOOL_ATTRIBUTE, None) if callable(value) else None
        if isinstance(made, Tool) and getattr(value, "__module__", None) == module.__name__:
            offers.append(made)
    listed = getattr(module, "tools", None)
    if isinstance(listed, (list, tuple)):
        offers.extend(listed)
    offers.extend(staged)
    hook = getattr(module, "register", None)
    if not callable(hook) or getattr(hook, TOOL_ATTRIBUTE, None) is not None:
        hook = None
    return offers, hook


def _add(registry: ToolRegistry, item: Any) -> None:
    """Register one offered item: a Tool, a decorated function or a plain function."""
    if isinstance(item, Tool):
        registry.register(item)
        return
    made = getattr(item, TOOL_ATTRIBUTE, None)
    if isinstance(made, Tool):
        registry.register(made)
    elif callable(item):
        registry.register(item)
    else:
        raise TypeError(f"{item!r} is neither a function nor a Tool")


def _register_all(registry: ToolRegistry, label: str, offers: list[Any], hook: Callable[..., Any] | None) -> list[str]:
    errors: list[str] = []
    seen: set[int] = set()
    for item in offers:
        key = id(getattr(item, "func", item))
        if key in seen:
            continue
        seen.add(key)
        try:
            _add(registry, item)
        except Exception as exc:
            name = getattr(item, "name", None) or getattr(item, "__name__", repr(item))
            errors.append(f"{label}: tool {name!r} could not be added: {_describe(exc)}")
    if hook is not None:
        try:
            hook(registry)
        except Exception as exc:
            errors.append(f"{label}: register(registry) failed: {_describe(exc)}")
    if not offers and hook is None:
        errors.append(f"{label} defines no tools (use @tool, register(registry) or tools = [...])")
    return errors


def _staged_during(action: Callable[[], Any]) -> tuple[Any, list[Tool]]:
    """Run `action` and return its result plus the tools it put in the default
    registry (those are what a module's @tool uses, wherever the function lives)."""
    kept = list(default_registry)  # held so no id is reused while we compare
    before = {id(t) for t in kept}
    result = action()
    staged = [t for t in default_registry if id(t) not in before]
    return result, staged


def _load_file(registry: ToolRegistry, shown: str) -> list[str]:
    label = f"tool file {shown}"
    path = Path(shown).expanduser()
    if not path.is_file():
        if path.exists():
            return [f"{label} is not a file"]
        hint = ""
        if _looks_like_module(shown):
            hint = f' (to load the module {shown}, list it under [tools] as modules = ["{shown}"])'
        return [f"{label} not found{hint}"]
    return _load_importing(registry, label, lambda: _import_file(path.resolve()))


def _looks_like_module(shown: str) -> bool:
    """A dotted Python name such as `mytools.search`, not a path, written under files."""
    return all(part.isidentifier() for part in shown.split(".")) and not shown.endswith(".py")


def _load_module(registry: ToolRegistry, name: str) -> list[str]:
    return _load_importing(registry, f"tool module {name}", lambda: importlib.import_module(name))


def _load_importing(registry: ToolRegistry, label: str, load: Callable[[], types.ModuleType]) -> list[str]:
    """Import a module of tools with `load` and register what it offers."""
    try:
        module, staged = _staged_during(load)
    except (Exception, SystemExit) as exc:
        return [f"{label} failed to import: {_describe(exc)}"]
    offers, hook = _module_offers(module, staged)
    return _register_all(registry, label, offers, hook)


def _load_entry_point(registry: ToolRegistry, entry_point: Any) -> list[str]:
    label = f"tool entry point {entry_point.name!r} ({entry_point.value})"
    try:
        target, staged = _staged_during(entry_point.load)
    except (Exception, SystemExit) as exc:
        return [f"{label} failed to load: {_describe(exc)}"]
    if isinstance(target, types.ModuleType):
        offers, hook = _module_offers(target, staged)
    elif isinstance(target, (list, tuple)):
        offers, hook = [*target, *staged], None
    elif (
        callable(target)
        and getattr(target, "__name__", "") == "register"
        and getattr(target, TOOL_ATTRIBUTE, None) is None
    ):
        offers, hook = list(staged), target
    else:
        offers, hook = [target, *staged], None
    return _register_all(registry, label, offers, hook)


def _entry_points() -> list[Any]:
    from importlib.metadata import entry_points  # only when user tools are loaded

    return list(entry_points(group=ENTRY_POINT_GROUP))


def load_user_tools(
    registry: ToolRegistry,
    *,
    files: Sequence[str] = (),
    modules: Sequence[str] = (),
    entry_points: bool = True,
) -> list[str]:
    """Import the user's tools into `registry`; return one message per failure."""
    errors: list[str] = []
    for shown in files:
        errors += _load_file(registry, str(shown))
    for name in modules:
        errors += _load_module(registry, name)
    if entry_points:
        try:
            found = _entry_points()
        except Exception as exc:
            errors.append(f"tool entry points could not be listed: {_describe(exc)}")
            found = []
        for entry_point in found:
            errors += _load_entry_point(registry, entry_point)
    return errors
