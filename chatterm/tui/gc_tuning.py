"""The cyclic garbage collector while the TUI runs.

Streaming a reply allocates container objects by the hundred thousand (every rendered
line is a `Strip` holding seven small caches); nearly all of them are freed by their
reference counts, yet each 700 allocations start a young collection, every tenth of
those a middle one, and the middle ones soon trigger full collections that walk every
object the app holds. Measured on a 2,000-token reply drawn in 100-token frames: ~480
young and middle collections and 3 full ones, ~1 s of collector time against ~1.5 s of
CPU in all. So, once start-up is over (`settle`): what is alive is frozen (never
scanned again, `gc.freeze`), and a young collection waits for `YOUNG` allocations: a
few big collections of mostly-freed objects instead of hundreds, and no full one during
a reply. `restore` undoes both when the app ends (tests run many apps in one process).
"""

from __future__ import annotations

import gc

YOUNG = 10_000
"""Allocations (net of frees) between young collections; Python's default is 700."""

_saved: tuple[int, int, int] | None = None
_paused = False


def pause_for_startup() -> None:
    """No collections until `resume` (or `settle`): start-up makes only long-lived objects."""
    global _paused
    if gc.isenabled():
        gc.disable()
        _paused = True


def resume() -> None:
    """Collect again, if `pause_for_startup` stopped it (else nothing changes)."""
    global _paused
    if _paused:
        gc.enable()
        _paused = False


def settle() -> None:
    """After start-up: freeze what is alive, make young collections rarer."""
    global _saved
    resume()
    gc.collect()
    gc.freeze()
    if _saved is None:
        _saved = gc.get_threshold()
        gc.set_threshold(max(YOUNG, _saved[0]), _saved[1], _saved[2])


def restore() -> None:
    """The collector as it was before `settle`."""
    global _saved
    resume()
    gc.unfreeze()
    if _saved is not None:
        gc.set_threshold(*_saved)
        _saved = None
