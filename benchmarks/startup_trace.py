#!/usr/bin/env python3
"""Start-up of the real `chatterm` in a pty: wall time and CPU time to the first frame
that shows what a person waits for, and (optionally) where that CPU went.

    python benchmarks/startup_trace.py --bin-dir .venv/bin [--continue] [--repeat 5]
        [--old-bin-dir OLD/.venv/bin] [--profile out.prof] [--marks]

Each run gets a fresh HOME (XDG dirs inside it) holding one saved chat imported with
chatterm's own `history import` (a normal, not a first-ever, launch), or, with
`--continue`, the 1,000-message chat of `blackbox/seed_history.py` opened with
`chatterm -c`. chatterm runs in a 120x40 pty; the run ends when the marker (the
prompt's placeholder, or the chat's last line) has been written to the terminal.

CPU seconds are the process's own (utime + stime from /proc, read the moment the
marker arrives), so on a shared machine they move much less than the wall time.
With `--old-bin-dir` the two builds run interleaved (A, B, A, B, ...), the only fair
way to compare them here (give each build its own plain venv: a dev venv with more
packages installed starts a little differently).

Where the time goes (inside the chatterm process, patched as its modules load, so the
import order is chatterm's own):
  --marks                 time stamps from process start (wall and CPU): config and
                          context built, app built, first write, app mounted, marker
  --calls M:Q,...         a stamp as each function (module:qualname) is entered and left
  --time M:Q,...          CPU seconds spent in each, up to the marker
  --stacks M:Q,...        a stamp and the callers of each call
  --profile FILE          a cProfile up to the marker (first run); --profile-from-run
                          starts it at App.run, leaving the imports out
  TRACE_IMPORTS=FILE      python -X importtime's report (up to '--- marker written')
  TRACE_MODULES=FILE      the modules loaded when the marker was written
  TRACE_DUMP=FILE         every write to the terminal, timed
  TRACE_NO_GC=1           the cyclic GC off from the first line (an experiment)
"""

from __future__ import annotations

import argparse
import fcntl
import json
import os
import pty
import re
import select
import shutil
import signal
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
SEED = HERE / "blackbox" / "seed_history.py"
PROMPT_MARK = "Message…"
TICK = os.sysconf("SC_CLK_TCK")
ESC = re.compile(rb"\x1b\[[0-9;?<>=]*[ -/]*[@-~]")

# Runs inside the chatterm process (`python -c CHILD`): stamps, optional profile, then
# chatterm's own main(). Stamps go to $TRACE_OUT as JSON when the marker is written.
CHILD = r"""
import json, os, re, sys, time
if os.environ.get('TRACE_IMPORTS'):  # -X importtime writes to fd 2; Textual draws on sys.__stderr__
    sys.__stderr__ = sys.stderr = os.fdopen(os.dup(2), 'w')
    os.dup2(os.open(os.environ['TRACE_IMPORTS'], os.O_WRONLY | os.O_CREAT | os.O_TRUNC), 2)
ESC = re.compile(r'\x1b\[[0-9;?<>=]*[ -/]*[@-~]')
with open('/proc/self/stat') as f:
    start_ticks = int(f.read().rsplit(')', 1)[1].split()[19])
origin = time.perf_counter() - (time.clock_gettime(time.CLOCK_BOOTTIME) - start_ticks / os.sysconf('SC_CLK_TCK'))
marks = []
import gc
def mark(name):
    if not gc.isenabled():
        name += ' [gc paused]'
    marks.append((name, round(time.perf_counter() - origin, 4), round(time.process_time(), 4)))
mark('python ready')
if os.environ.get('TRACE_NO_GC'):
    import gc
    gc.disable()
import functools, importlib, importlib.abc, inspect
prof = None
if os.environ.get('TRACE_PROFILE'):
    import cProfile
    prof = cProfile.Profile()
    if not os.environ.get('TRACE_PROFILE_FROM_RUN'):
        prof.enable()
marker = os.environ['TRACE_MARKER']
timed = {}
def done():
    if prof is not None:
        prof.disable()
        prof.dump_stats(os.environ['TRACE_PROFILE'])
    import gc
    mark(f'marker written (gc {"on" if gc.isenabled() else "off"}, {gc.get_stats()[2]["collections"]} full collections)')
    if os.environ.get('TRACE_IMPORTS'):
        os.write(2, b'--- marker written\n')
    if os.environ.get('TRACE_MODULES'):
        with open(os.environ['TRACE_MODULES'], 'w') as f:
            f.write('\n'.join(sorted(sys.modules)))
    for key, (n, total) in timed.items():
        marks.append((f'{key} x{n}', round(total, 4), None))
    with open(os.environ['TRACE_OUT'], 'w') as f:
        json.dump(marks, f)

# Patches are applied as their module is imported, so the harness changes no import order.
patches = {}
def when_imported(module_name, patch):
    if module_name in sys.modules:
        patch(sys.modules[module_name])
    else:
        patches.setdefault(module_name, []).append(patch)
class PostImport(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if name not in patches:
            return None
        for finder in sys.meta_path:
            if finder is self:
                continue
            spec = finder.find_spec(name, path, target) if hasattr(finder, 'find_spec') else None
            if spec is not None:
                break
        else:
            return None
        loader = spec.loader
        exec_module = loader.exec_module
        def exec_then_patch(module):
            exec_module(module)
            for patch in patches.pop(name, []):
                patch(module)
        loader.exec_module = exec_then_patch
        return spec
sys.meta_path.insert(0, PostImport())
def owner_of(module, qual):
    *path, attr = qual.split('.')
    owner = module
    for part in path:
        owner = getattr(owner, part)
    return owner, attr

def patch_driver(module):
    LinuxDriver = module.LinuxDriver
    _write = LinuxDriver.write
    seen = [False]
    dump = os.environ.get('TRACE_DUMP')
    def write(self, data):
        if dump:
            with open(dump, 'a') as f:
                f.write(f'{time.perf_counter() - origin:.3f} {len(data)} {data[:300]!r}\n')
        if not seen[0]:
            if not any(m[0].startswith('first write') for m in marks):
                mark('first write')
            if marker in ESC.sub('', data):
                seen[0] = True
                _write(self, data)
                done()
                return
        _write(self, data)
    LinuxDriver.write = write
when_imported('textual.drivers.linux_driver', patch_driver)

def stamp(module_name, qual, label):
    def patch(module):
        owner, attr = owner_of(module, qual)
        original = getattr(owner, attr)
        @functools.wraps(original)
        def stamped(*a, **k):
            mark(label)
            if label == 'App.run' and prof is not None and os.environ.get('TRACE_PROFILE_FROM_RUN'):
                prof.enable()
            return original(*a, **k)
        setattr(owner, attr, stamped)
    when_imported(module_name, patch)
stamp('chatterm.process', 'build_context', 'build_context')
stamp('chatterm.tui.app', 'ChatApp.__init__', 'ChatApp()')
stamp('chatterm.tui.app', 'ChatApp.on_mount', 'app mounted')
stamp('textual.app', 'App.run', 'App.run')

def timer(original, key):
    @functools.wraps(original)
    def timed_call(*a, **k):
        t = time.process_time()
        try:
            return original(*a, **k)
        finally:
            n, total = timed.get(key, (0, 0.0))
            timed[key] = (n + 1, total + time.process_time() - t)
    return timed_call
def marker_of(original, key):
    if inspect.iscoroutinefunction(original):
        @functools.wraps(original)
        async def marked_async(*a, **k):
            mark('> ' + key)
            try:
                return await original(*a, **k)
            finally:
                mark('< ' + key)
        return marked_async
    @functools.wraps(original)
    def marked(*a, **k):
        mark('> ' + key)
        try:
            return original(*a, **k)
        finally:
            mark('< ' + key)
    return marked
def stack_of(original, key):
    import traceback
    @functools.wraps(original)
    def stacked(*a, **k):
        frames = traceback.extract_stack(limit=6)[:-1]
        where = ' <- '.join(f'{f.name}({f.filename.rsplit("/", 1)[-1]}:{f.lineno})' for f in reversed(frames))
        mark(f'{key}({type(a[0]).__name__ if a else ""}, {k}) <- {where}')
        return original(*a, **k)
    return stacked
for variable, wrap in (('TRACE_TIME', timer), ('TRACE_CALLS', marker_of), ('TRACE_STACKS', stack_of)):
    for spec in filter(None, os.environ.get(variable, '').split(',')):
        module_name, _, qual = spec.partition(':')
        def patch(module, qual=qual, wrap=wrap):
            owner, attr = owner_of(module, qual)
            setattr(owner, attr, wrap(getattr(owner, attr), qual))
        when_imported(module_name, patch)

from chatterm.cli import main as chatterm_main
mark('cli imported')
sys.argv = ['chatterm', *sys.argv[1:]]
raise SystemExit(chatterm_main())
"""


def cpu_seconds(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def make_home(bin_dir: Path, continue_chat: bool, marker: str) -> Path:
    home = Path(tempfile.mkdtemp(prefix="chatterm-startup-"))
    (home / "tmp").mkdir()
    env = child_env(home)
    chatterm = str(bin_dir / "chatterm")
    setup = home / "tmp" / "setup.json"
    seed = [sys.executable, str(SEED), "chatterm", "--model", "bench"]
    dated = ["--start", "2024-12-31T12:00:00+00:00"]  # older than the 1,000-message chat
    run = {"check": True, "env": env, "stdout": subprocess.DEVNULL}
    subprocess.run(
        [*seed, "--out", str(setup), "--messages", "2", "--marker", "SETUPEND", "--title", "setup", *dated], **run
    )
    subprocess.run([chatterm, "history", "import", str(setup)], **run)
    if continue_chat:
        chat = home / "tmp" / "history.json"
        subprocess.run(
            [*seed, "--out", str(chat), "--messages", "1000", "--marker", marker, "--title", "history"], **run
        )
        subprocess.run([chatterm, "history", "import", str(chat)], **run)
    return home


def child_env(home: Path) -> dict[str, str]:
    return {
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "XDG_DATA_HOME": str(home / ".local/share"),
        "XDG_CACHE_HOME": str(home / ".cache"),
        "XDG_STATE_HOME": str(home / ".local/state"),
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "TERM": "xterm-256color",
        "COLORTERM": "truecolor",
        "LANG": "C.UTF-8",
        "CHATTERM_API_KEY": "dummy",
    }


def one_run(bin_dir: Path, home: Path, args: argparse.Namespace, marker: str, profile: str | None) -> dict:
    python = str(bin_dir / "python")
    argv = [python, "-c", CHILD, "--base-url", "http://127.0.0.1:9/v1", "--model", "bench"]
    if args.continue_chat:
        argv.append("--continue")
    env = child_env(home)
    trace = home / "tmp" / "trace.json"
    trace.unlink(missing_ok=True)
    env.update(TRACE_OUT=str(trace), TRACE_MARKER=marker)
    if profile:
        env["TRACE_PROFILE"] = profile
    if os.environ.get("TRACE_DUMP"):
        env["TRACE_DUMP"] = os.environ["TRACE_DUMP"]
    if os.environ.get("TRACE_IMPORTS"):  # python -X importtime's report, to that file
        env["TRACE_IMPORTS"] = os.environ["TRACE_IMPORTS"]
        env["PYTHONPROFILEIMPORTTIME"] = "1"
    if os.environ.get("TRACE_NO_GC"):
        env["TRACE_NO_GC"] = "1"
    if args.profile_from_run:
        env["TRACE_PROFILE_FROM_RUN"] = "1"
    if os.environ.get("TRACE_MODULES"):
        env["TRACE_MODULES"] = os.environ["TRACE_MODULES"]
    if args.time:
        env["TRACE_TIME"] = args.time
    if args.calls:
        env["TRACE_CALLS"] = args.calls
    if args.stacks:
        env["TRACE_STACKS"] = args.stacks
    pid, fd = pty.fork()
    if pid == 0:  # the child: chatterm in the pty, not in a checkout (`-c` imports from the cwd)
        os.chdir(home)
        os.execve(python, argv, env)
    t0 = time.perf_counter()
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    seen = b""
    wanted = marker.encode()
    result: dict = {}
    deadline = t0 + 30
    while time.perf_counter() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.5)
        if not ready:
            continue
        try:
            chunk = os.read(fd, 65536)
        except OSError:
            break
        if b"\x1b[c" in chunk or b"\x1b[>c" in chunk:  # answer a device-attributes query
            os.write(fd, b"\x1b[?62;22c")
        seen = seen[-4096:] + chunk
        if wanted in ESC.sub(b"", seen):
            result["wall_s"] = round(time.perf_counter() - t0, 3)
            result["cpu_s"] = round(cpu_seconds(pid), 3)
            break
    for _ in range(100):  # let the in-process stamps land
        if trace.exists() and trace.stat().st_size:
            break
        time.sleep(0.02)
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    os.close(fd)
    if trace.exists() and trace.stat().st_size:
        result["marks"] = json.loads(trace.read_text())
    return result


def span(values: list[float]) -> str:
    if not values:
        return "—"
    return f"{min(values):.3f}–{max(values):.3f} (median {statistics.median(values):.3f})"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin-dir", required=True, type=Path)
    ap.add_argument("--old-bin-dir", type=Path, help="a second build, run interleaved with --bin-dir")
    ap.add_argument("--continue", dest="continue_chat", action="store_true", help="1,000-message chat, `-c`")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--marks", action="store_true", help="print the in-process time stamps of each run")
    ap.add_argument("--calls", help="module:Class.method,... : a time stamp as each is entered and left")
    ap.add_argument("--stacks", help="module:Class.method,... : a time stamp and the callers at each call")
    ap.add_argument("--time", help="module:Class.method,... : CPU seconds spent in each, up to the marker")
    ap.add_argument("--profile", help="write a cProfile (of --bin-dir's build, first run) here")
    ap.add_argument("--profile-from-run", action="store_true", help="profile from App.run on (not the imports)")
    args = ap.parse_args()
    marker = "HISTEND" + os.urandom(4).hex() if args.continue_chat else PROMPT_MARK
    builds = {"new": args.bin_dir.resolve()}
    if args.old_bin_dir:
        builds = {"old": args.old_bin_dir.resolve(), **builds}
    homes = {name: make_home(path, args.continue_chat, marker) for name, path in builds.items()}
    runs: dict[str, list[dict]] = {name: [] for name in builds}
    try:
        for rep in range(args.repeat):
            for name, path in builds.items():
                profile = args.profile if (args.profile and name == "new" and rep == 0) else None
                r = one_run(path, homes[name], args, marker, profile)
                runs[name].append(r)
                line = f"{name} #{rep + 1}: wall {r.get('wall_s')} s, cpu {r.get('cpu_s')} s"
                if args.marks and r.get("marks"):
                    line += "\n    " + "\n    ".join(
                        f"{m[1]:7.3f} s  cpu {m[2] if m[2] is not None else '':>6}  {m[0]}" for m in r["marks"]
                    )
                print(line, flush=True)
    finally:
        for home in homes.values():
            shutil.rmtree(home, ignore_errors=True)
    what = "launch -> last message written (-c, 1,000 messages)" if args.continue_chat else "launch -> prompt written"
    print(f"\n{what}, {args.repeat} runs each")
    for name, rs in runs.items():
        print(f"  {name}: wall {span([r['wall_s'] for r in rs if 'wall_s' in r])} s")
        print(f"  {name}: cpu  {span([r['cpu_s'] for r in rs if 'cpu_s' in r])} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
