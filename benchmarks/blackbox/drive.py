#!/usr/bin/env python3
"""Black-box benchmark driver for terminal LLM chat clients.

Runs a client inside a detached tmux session of fixed size, with an isolated
HOME / XDG dirs, against fakeserver.py, and measures by reading the screen
(tmux capture-pane, over one tmux control-mode connection, every 20 ms):

  startup    launch -> the "UI drawn" marker is on screen
  stream2k   prompt -> reply of 2,000 tokens at max speed: server's first byte ->
             the reply's unique end marker visible; a probe typed during the
             stream and how long until it shows (responsiveness)
  stream20k  the same with 20,000 tokens
  history1k  a saved conversation of 1,000 messages (written into the client's
             own storage by a seed command) -> its last message visible

and, for every launch, the client's CPU seconds and peak RSS (from /proc).

Everything client specific is a parameter, read from a TOML profile
(profiles/*.toml) and/or the command line: the command, its env, files to
write into the isolated home, setup / seed commands, the "UI drawn" marker and
the tmux keys that submit a prompt.  See README.md beside it for how to run it.

  python drive.py run --profile profiles/elia.toml --bin-dir VENV/bin \
      --scenarios startup,stream2k,stream20k,history1k --repeat 3 --out results/elia.json
  python drive.py run --name chatterm \
      --cmd 'chatterm --base-url {{base_url}} --model bench' --ready-marker '...' \
      --prompt-keys '-l {{prompt}}' --prompt-keys Enter --out results/chatterm.json
  python drive.py report results/*.json

Placeholders {{port}} {{base_url}} {{home}} {{bench}} {{python}} {{model}}
{{marker}} {{messages}} {{prompt}} {{probe}} are expanded in commands, env
values, files and keys.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import random
import re
import secrets
import shlex
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import tomllib
import urllib.request
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))
from fakeserver import section_starts  # noqa: E402

CLK_TCK = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")

SCENARIOS = {
    "startup": {"kind": "startup"},
    "stream2k": {"kind": "stream", "n": 2000},
    "stream20k": {"kind": "stream", "n": 20000},
    "history1k": {"kind": "history", "messages": 1000},
}

DEFAULTS = {
    "name": "client",
    "command": None,
    "env": {},
    "files": [],
    "setup": [],
    "version_cmd": "",
    "model": "bench",
    "ready_marker": None,
    "prompt_keys": [["-l", "{{prompt}}"], ["Enter"]],
    "probe_keys": [["-l", "{{probe}}"]],
    "reveal_keys": [],
    "key_delay": 0.05,
    "history": {},
}


# --------------------------------------------------------------------------- utils


def now() -> float:
    return time.monotonic()


def expand(obj, ctx: dict):
    """Expand {{name}} placeholders in str / list / dict values."""
    if isinstance(obj, str):

        def rep(m):
            k = m.group(1)
            if k not in ctx:
                raise KeyError(f"unknown placeholder {{{{{k}}}}}")
            return str(ctx[k])

        return re.sub(r"\{\{(\w+)\}\}", rep, obj)
    if isinstance(obj, list):
        return [expand(x, ctx) for x in obj]
    if isinstance(obj, dict):
        return {k: expand(v, ctx) for k, v in obj.items()}
    return obj


def tmux_arg(a: str) -> str:
    if re.fullmatch(r"[A-Za-z0-9_.,:=+/%@-]+", a):
        return a
    if "'" in a:
        raise ValueError(f"tmux key argument may not contain a single quote: {a!r}")
    return "'" + a + "'"


# --------------------------------------------------------------------------- /proc


def proc_children_map() -> dict[int, list[int]]:
    kids: dict[int, list[int]] = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/stat") as f:
                s = f.read()
        except OSError:
            continue
        ppid = int(s[s.rindex(")") + 2 :].split()[1])
        kids.setdefault(ppid, []).append(int(d))
    return kids


def proc_stat(pid: int) -> tuple[float, float, int] | None:
    """(cpu seconds incl. waited-for children, ..., rss bytes)"""
    try:
        with open(f"/proc/{pid}/stat") as f:
            s = f.read()
    except OSError:
        return None
    fields = s[s.rindex(")") + 2 :].split()
    # fields[0] is state (field 3); utime is field 14 -> index 11
    ut, st, cut, cst = (int(x) for x in fields[11:15])
    rss = int(fields[21]) * PAGE
    return (ut + st) / CLK_TCK, (cut + cst) / CLK_TCK, rss


def proc_hwm(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        return None
    return None


class ProcTree:
    """CPU time and RSS of a process and its descendants, sampled from /proc.

    "Busy" means: more than BUSY_CORES of a core used over the last BUSY_WINDOW
    seconds.  A window (rather than one 0.1 s sample) keeps periodic trivia such
    as a blinking cursor from counting as work."""

    BUSY_WINDOW = 0.5
    BUSY_CORES = 0.10

    def __init__(self, pid: int):
        self.root = pid
        self.pids = {pid}
        self.last_cpu: dict[int, float] = {}
        self.peak_tree_rss = 0
        self.hwm: dict[int, int] = {}
        self.hist: list[tuple[float, float]] = []  # (time, total cpu s)
        self.t_last_busy: float | None = None  # last moment the client was busy
        self.last_scan = 0.0
        self.sample()

    def scan(self) -> None:
        kids = proc_children_map()
        todo, seen = [self.root], set()
        while todo:
            p = todo.pop()
            if p in seen:
                continue
            seen.add(p)
            todo.extend(kids.get(p, []))
        self.pids |= seen
        self.last_scan = now()
        self.read_hwm()

    def read_hwm(self) -> None:
        for p in list(self.pids):
            h = proc_hwm(p)
            if h:
                self.hwm[p] = max(h, self.hwm.get(p, 0))

    def sample(self) -> None:
        if now() - self.last_scan > 1.0:
            self.scan()
        rss_sum = 0
        for p in list(self.pids):
            st = proc_stat(p)
            if st is None:
                continue
            cpu, ccpu, rss = st
            self.last_cpu[p] = cpu + ccpu
            rss_sum += rss
        self.peak_tree_rss = max(self.peak_tree_rss, rss_sum)
        t = now()
        total = sum(self.last_cpu.values())
        self.hist.append((t, total))
        while len(self.hist) > 2 and self.hist[1][0] <= t - self.BUSY_WINDOW:
            self.hist.pop(0)
        t_old, c_old = self.hist[0]
        if t - t_old >= self.BUSY_WINDOW * 0.8 and (total - c_old) / (t - t_old) > self.BUSY_CORES:
            self.t_last_busy = t

    @property
    def cpu_s(self) -> float:
        return sum(self.last_cpu.values())

    def result(self) -> dict:
        self.read_hwm()
        # peak RSS: the kernel's high-water mark (VmHWM), summed over the client's
        # processes (exact for a single process, an upper bound for several)
        return {
            "cpu_s": round(self.cpu_s, 3),
            "peak_rss_mb": round(sum(self.hwm.values()) / 2**20, 1),
            "peak_tree_rss_mb": round(self.peak_tree_rss / 2**20, 1),
            "n_procs": len(self.pids),
        }


# --------------------------------------------------------------------------- tmux


class Tmux:
    """A private tmux server (own socket) with one fixed-size session, driven
    over a single control-mode client (no per-poll process spawn)."""

    def __init__(self, rundir: Path, width: int, height: int):
        self.sock = str(rundir / "tmux.sock")
        self.conf = rundir / "tmux.conf"
        self.conf.write_text(
            "set -g status off\n"
            "set -g default-terminal tmux-256color\n"
            f"set -g default-size {width}x{height}\n"
            "set -g remain-on-exit on\n"
            "set -sg escape-time 0\n"
        )
        self.width, self.height = width, height
        self.ctl: subprocess.Popen | None = None

    def tmux(self, *args: str, check=True) -> str:
        r = subprocess.run(
            ["tmux", "-S", self.sock, "-f", str(self.conf), *args], capture_output=True, text=True, timeout=20
        )
        if check and r.returncode:
            raise RuntimeError(f"tmux {' '.join(args)}: {r.stderr.strip()}")
        return r.stdout

    def start(self, argv: list[str], cwd: Path) -> None:
        self.tmux(
            "new-session",
            "-d",
            "-s",
            "bench",
            "-x",
            str(self.width),
            "-y",
            str(self.height),
            "-c",
            str(cwd),
            "--",
            *argv,
        )
        self.ctl = subprocess.Popen(
            ["tmux", "-S", self.sock, "-C", "attach-session", "-t", "bench", "-f", "no-output,ignore-size"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            bufsize=0,
        )
        # tmux answers the attach itself with a block; sync on a token.
        self.cmd("display-message -p SYNC0", sync="SYNC0")

    def _read_block(self) -> tuple[str, list[str]]:
        """Next reply block to a command of ours (flags 1); tmux's own blocks
        (e.g. for the attach itself, flags 0) and notifications are skipped."""
        assert self.ctl and self.ctl.stdout
        out: list[str] = []
        inside = False
        mine = False
        while True:
            raw = self.ctl.stdout.readline()
            if not raw:
                raise RuntimeError("tmux control client closed")
            line = raw.decode("utf-8", "replace").rstrip("\r\n")
            if not inside and line.startswith("%begin"):
                inside, out = True, []
                mine = line.split(" ")[-1] == "1"
            elif inside and (line.startswith("%end ") or line.startswith("%error ")):
                inside = False
                if mine:
                    return line.split(" ", 1)[0], out
            elif inside:
                out.append(line)

    def cmd(self, line: str, sync: str | None = None) -> list[str]:
        assert self.ctl and self.ctl.stdin
        self.ctl.stdin.write((line + "\n").encode())
        while True:
            kind, out = self._read_block()
            if sync is None or (out and out[-1] == sync):
                if kind == "%error":
                    raise RuntimeError(f"tmux: {line}: {' '.join(out)}")
                return out

    def capture(self) -> str:
        return "\n".join(self.cmd("capture-pane -p -t bench"))

    def info(self) -> dict:
        fmt = "#{pane_pid} #{pane_dead} #{pane_dead_status} #{pane_width}x#{pane_height}"
        pid, dead, status, size = (self.cmd(f"display-message -p -t bench '{fmt}'")[0].split(" ") + [""] * 4)[:4]
        return {"pid": int(pid), "dead": dead == "1", "status": status, "size": size}

    def send(self, keys: list[list[str]], delay: float) -> None:
        """Each group is one `send-keys` call; ["@sleep", "0.5"] pauses instead
        (["@wait", REGEX] is handled by the history scenario, which reads the screen)."""
        for i, group in enumerate(keys):
            if group and group[0] == "@sleep":
                time.sleep(float(group[1]))
                continue
            if i and delay:
                time.sleep(delay)
            self.cmd("send-keys -t bench " + " ".join(tmux_arg(k) for k in group))

    def stop(self) -> None:
        try:
            if self.ctl:
                self.ctl.stdin.close()  # type: ignore[union-attr]
        except OSError:
            pass
        self.tmux("kill-server", check=False)
        if self.ctl:
            try:
                self.ctl.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.ctl.kill()


# --------------------------------------------------------------------------- fake server


class FakeServer:
    def __init__(self, rundir: Path, env_extra: dict[str, str]):
        self.port_file = rundir / "fakeserver.port"
        self.log = rundir / "fakeserver.jsonl"
        for stale in (self.port_file, self.log):
            stale.unlink(missing_ok=True)
        env = dict(os.environ, **env_extra)
        self.proc = subprocess.Popen(
            [
                sys.executable,
                str(BENCH / "fakeserver.py"),
                "--port",
                "0",
                "--port-file",
                str(self.port_file),
                "--log",
                str(self.log),
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=open(rundir / "fakeserver.err", "w"),  # noqa: SIM115 (open while the server runs)
        )
        t_end = now() + 20
        while not self.port_file.exists():
            if self.proc.poll() is not None or now() > t_end:
                raise RuntimeError("fakeserver did not start; see fakeserver.err")
            time.sleep(0.05)
        self.port = int(self.port_file.read_text())
        self.opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def state(self, since: int = 0) -> dict:
        with self.opener.open(f"http://127.0.0.1:{self.port}/bench/requests?since={since}", timeout=5) as r:
            return json.loads(r.read())

    def seq(self) -> int:
        return self.state(10**9)["seq"]

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.kill()


# --------------------------------------------------------------------------- profile


def load_profile(a) -> dict:
    prof = json.loads(json.dumps(DEFAULTS))
    if a.profile:
        with open(a.profile, "rb") as f:
            prof.update(tomllib.load(f))
    if a.name:
        prof["name"] = a.name
    if a.cmd:
        prof["command"] = shlex.split(a.cmd)
    for kv in a.env or []:
        k, _, v = kv.partition("=")
        prof["env"][k] = v
    for k in ("ready_marker", "model", "version_cmd"):
        if getattr(a, k):
            prof[k] = getattr(a, k)
    if a.prompt_keys:
        prof["prompt_keys"] = [shlex.split(k) for k in a.prompt_keys]
    if a.probe_keys:
        prof["probe_keys"] = [shlex.split(k) for k in a.probe_keys]
    if a.reveal_keys:
        prof["reveal_keys"] = [shlex.split(k) for k in a.reveal_keys]
    for s in a.setup or []:
        prof["setup"].append(s)
    h = prof.setdefault("history", {})
    if a.history_seed:
        h["seed"] = a.history_seed
    if a.history_open_keys:
        h["open_keys"] = [shlex.split(k) for k in a.history_open_keys]
    if a.history_ready_marker:
        h["ready_marker"] = a.history_ready_marker
    if not prof["command"] or not prof["ready_marker"]:
        sys.exit(
            "drive.py: a client command (--cmd or profile 'command') and a "
            "'UI drawn' marker (--ready-marker or profile 'ready_marker') are required"
        )
    return prof


# --------------------------------------------------------------------------- one launch


class Launch:
    """One fresh client launch in a fresh isolated home."""

    def __init__(self, prof: dict, a, server: FakeServer, rundir: Path, extra_ctx: dict):
        self.prof, self.a, self.server = prof, a, server
        self.dir = rundir
        self.home = rundir / "home"
        for sub in ("", ".config", ".local/share", ".local/state", ".cache", "tmp", "run"):
            (self.home / sub).mkdir(parents=True, exist_ok=True)
        os.chmod(self.home / "run", 0o700)
        self.ctx = {
            "port": server.port,
            "base_url": server.base_url,
            "home": str(self.home),
            "bench": str(BENCH),
            "python": sys.executable,
            "model": prof["model"],
            "marker": "",
            "messages": 0,
            "prompt": "",
            "probe": "",
        }
        self.ctx.update(extra_ctx)
        self.env = self.client_env()
        self.tmux = Tmux(rundir, a.width, a.height)
        self.procs: ProcTree | None = None
        self.log: list[str] = []

    def client_env(self) -> dict[str, str]:
        h = self.home
        path = os.pathsep.join(
            [*(str(Path(b).resolve()) for b in self.a.bin_dir or []), os.environ.get("PATH", "/usr/bin:/bin")]
        )
        env = {
            "PATH": path,
            "HOME": str(h),
            "USER": os.environ.get("USER", "bench"),
            "LOGNAME": os.environ.get("LOGNAME", "bench"),
            "SHELL": "/bin/sh",
            "LANG": "C.UTF-8",
            "LC_ALL": "C.UTF-8",
            "TERM": "tmux-256color",
            "COLORTERM": "truecolor",
            "TMPDIR": str(h / "tmp"),
            "XDG_CONFIG_HOME": str(h / ".config"),
            "XDG_DATA_HOME": str(h / ".local/share"),
            "XDG_STATE_HOME": str(h / ".local/state"),
            "XDG_CACHE_HOME": str(h / ".cache"),
            "XDG_RUNTIME_DIR": str(h / "run"),
        }
        if not self.a.no_proxy_trap:
            # Anything that tries to leave the machine goes to a closed local port.
            trap = "http://127.0.0.1:9"
            env.update(
                {
                    "HTTP_PROXY": trap,
                    "HTTPS_PROXY": trap,
                    "ALL_PROXY": trap,
                    "http_proxy": trap,
                    "https_proxy": trap,
                    "all_proxy": trap,
                    "NO_PROXY": "127.0.0.1,localhost",
                    "no_proxy": "127.0.0.1,localhost",
                }
            )
        env.update(expand(self.prof["env"], self.ctx))
        return env

    def sh(self, cmd: str, what: str, timeout: float = 180) -> None:
        cmd = expand(cmd, self.ctx)
        t = now()
        r = subprocess.run(
            cmd, shell=True, env=self.env, cwd=self.home, capture_output=True, text=True, timeout=timeout
        )
        self.log.append(f"$ {cmd}\n{r.stdout}{r.stderr}(rc={r.returncode}, {now() - t:.2f}s)")
        if r.returncode:
            raise RuntimeError(f"{what} failed (rc={r.returncode}): {cmd}\n{r.stderr[-2000:]}")

    def prepare(self) -> None:
        for f in self.prof["files"]:
            p = self.home / expand(f["path"], self.ctx)
            p.parent.mkdir(parents=True, exist_ok=True)
            p.write_text(expand(f["text"], self.ctx))
        for s in self.prof["setup"]:
            self.sh(s, "setup")

    def start(self) -> float:
        fifo = self.dir / "go.fifo"
        os.mkfifo(fifo)
        argv = ["env", "-i", *(f"{k}={v}" for k, v in self.env.items()), *expand(self.prof["command"], self.ctx)]
        wrapper = ["/bin/sh", "-c", 'read _ < "$0"; exec "$@"', str(fifo), *argv]
        self.tmux.start(wrapper, self.home)
        info = self.tmux.info()
        self.pane = info
        fd = os.open(fifo, os.O_WRONLY)  # blocks until the pane's shell is reading
        t0 = now()
        os.write(fd, b"go\n")
        os.close(fd)
        self.procs = ProcTree(info["pid"])
        return t0

    def screen(self) -> str:
        return self.tmux.capture()

    def check_alive(self) -> None:
        info = self.tmux.info()
        if info["dead"]:
            raise RuntimeError(f"client exited (status {info['status']}); last screen:\n" + self.screen())

    def wait_for(self, pattern: str, timeout: float, poll: float) -> tuple[float | None, str]:
        rx = re.compile(pattern)
        t_end = now() + timeout
        i = 0
        while True:
            scr = self.screen()
            if rx.search(scr):
                return now(), scr
            if now() > t_end:
                return None, scr
            i += 1
            if i % 5 == 0:
                self.procs.sample()  # type: ignore[union-attr]
                if i % 25 == 0:
                    self.check_alive()
            time.sleep(poll)

    def wait_idle(self, idle: float, limit: float) -> tuple[float, bool]:
        """Sample until the client has not been busy (see ProcTree) for `idle` seconds.
        Returns (last busy moment, True) or (now, False) when `limit` ran out."""
        t_end = now() + limit
        t_start = now()
        while now() < t_end:
            time.sleep(0.1)
            self.procs.sample()  # type: ignore[union-attr]
            last = self.procs.t_last_busy or t_start  # type: ignore[union-attr]
            if now() - last >= idle:
                return last, True
        return now(), False

    def stop(self) -> dict:
        res = {}
        if self.procs:
            self.procs.sample()
            res = self.procs.result()
        try:
            (self.dir / "last_screen.txt").write_text(self.screen())
        except Exception:
            pass
        self.tmux.stop()
        if self.procs:
            pid = self.procs.root
            t_end = now() + 5
            while now() < t_end and proc_stat(pid) is not None:
                time.sleep(0.05)
            if proc_stat(pid) is not None:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
        (self.dir / "setup.log").write_text("\n".join(self.log))
        return res


# --------------------------------------------------------------------------- scenarios


def progress_estimate(screen: str, n: int) -> dict:
    ks = [int(k) for k in re.findall(r"Section (\d+) overview", screen)]
    if not ks:
        return {}
    starts = section_starts(n)
    k = max(ks)
    tok = starts.get(k, 0)
    return {"last_section_on_screen": k, "tokens_rendered_est": tok, "fraction_rendered_est": round(tok / n, 3)}


class MarkerWait:
    """Poll the screen until `marker` is visible.

    If the client goes idle (screen unchanged and not busy, see ProcTree, for
    --settle seconds, and `may_settle()` is true) without the marker on screen, it has
    stopped following: the profile's reveal_keys are sent (at most
    --max-reveals times) and the end time is taken as the moment it went idle.
    `tick(t, screen)` runs on every poll for scenario-specific work."""

    def __init__(
        self,
        L: Launch,
        a,
        marker: str,
        t_start: float,
        timeout: float,
        may_settle=lambda: True,
        tick=lambda t, scr: None,
    ):
        self.L, self.a, self.marker = L, a, marker
        self.t_start, self.timeout = t_start, timeout
        self.may_settle, self.tick = may_settle, tick
        self.t_marker = self.t_settled = None
        self.reveals = 0
        self.dnf = False
        self.error = None
        self.screen = ""

    def run(self) -> MarkerWait:
        L, a = self.L, self.a
        last_hash, t_last_change = None, now()
        i = 0
        while True:
            scr = self.screen = L.screen()
            t = now()
            h = hashlib.md5(scr.encode()).digest()
            if h != last_hash:
                last_hash, t_last_change = h, t
            self.tick(t, scr)
            if self.marker in scr:
                self.t_marker = t
                return self
            i += 1
            if i % 5 == 0:
                L.procs.sample()
            if i % 50 == 0:
                L.check_alive()
            busy_last = L.procs.t_last_busy or self.t_start
            if t - t_last_change > a.settle and t - busy_last > a.settle and self.may_settle():
                if self.t_settled is None:  # the first idle moment is the end estimate
                    self.t_settled = max(t_last_change, busy_last)
                if self.reveals < a.max_reveals and L.prof["reveal_keys"]:
                    L.tmux.send(expand(L.prof["reveal_keys"], L.ctx), L.prof["key_delay"])
                    self.reveals += 1
                    t_last_change = now()
                else:
                    self.error = "end marker never visible although the client went idle" + (
                        " (even after the reveal keys)" if self.reveals else " (no reveal_keys configured)"
                    )
                    return self
            if t - self.t_start > self.timeout:
                self.dnf = True
                self.error = f"timeout: end marker not visible {self.timeout:.0f} s after start (DNF)"
                return self
            time.sleep(a.poll)

    @property
    def follow_lost(self) -> bool:
        return self.reveals > 0

    @property
    def t_end(self) -> float | None:
        """When the whole thing was on screen (or, if the client stopped following,
        when it went idle)."""
        if self.t_marker is None:
            return None
        return self.t_settled if (self.follow_lost and self.t_settled) else self.t_marker


def run_stream(L: Launch, a, n: int, res: dict) -> None:
    prof = L.prof
    nonce = secrets.token_hex(4)
    probe = "zqprobe" + secrets.token_hex(2)
    marker = f"BENCHEND{nonce}"
    L.ctx.update(prompt=f"Benchmark reply please n={n} id={nonce}", probe=probe, marker=marker)
    res.update(n_tokens=n, marker=marker)
    seq0 = L.server.seq()
    time.sleep(a.pre_prompt_pause)
    L.procs.sample()
    cpu_before = L.procs.cpu_s
    L.tmux.send(expand(prof["prompt_keys"], L.ctx), prof["key_delay"])
    t_submit = now()
    st = {"req": None, "t_poll": 0.0, "t_probe_sent": None, "t_probe_seen": None}

    def poll_server() -> None:
        for r in L.server.state(seq0)["requests"]:
            if r.get("nonce") == nonce:
                st["req"] = r

    def server_done() -> bool:
        return bool(st["req"] and st["req"].get("t_last_byte"))

    def tick(t: float, scr: str) -> None:
        # poll the server on every tick until the reply has started (so the probe
        # goes out early), then every 0.1 s until it is complete
        started = bool(st["req"] and st["req"].get("t_first_byte"))
        if not server_done() and (not started or t - st["t_poll"] > 0.1):
            st["t_poll"] = t
            poll_server()
        # type the probe as soon as the server has started sending the reply
        if not st["t_probe_sent"] and prof["probe_keys"] and st["req"] and st["req"].get("t_first_byte"):
            L.tmux.send(expand(prof["probe_keys"], L.ctx), 0)
            st["t_probe_sent"] = now()
        if st["t_probe_sent"] and not st["t_probe_seen"] and probe in scr:
            st["t_probe_seen"] = t
        if a.probe_every > 0 and st["t_probe_sent"]:
            extra_probe(t, scr)

    # --probe-every: after the first probe has shown, type another unique probe
    # every PROBE_EVERY s (one outstanding at a time) until the end marker shows
    probes: list[dict] = []  # {"text", "t_sent", "t_seen"}

    def extra_probe(t: float, scr: str) -> None:
        last = probes[-1] if probes else None
        if last and not last["t_seen"] and last["text"] in scr:
            last["t_seen"] = t
        if not st["t_probe_seen"] or (last and not last["t_seen"]):
            return
        t_prev = last["t_sent"] if last else st["t_probe_sent"]
        if t - t_prev >= st.setdefault("probe_gap", a.probe_every):
            text = "zq" + secrets.token_hex(3)
            L.ctx["probe"] = " " + text
            L.tmux.send(expand(prof["probe_keys"], L.ctx), 0)
            probes.append({"text": text, "t_sent": now(), "t_seen": None})
            # --probe-jitter: the next gap drawn at random around PROBE_EVERY (a person's
            # typing has no beat a client could learn)
            st["probe_gap"] = a.probe_every * (1 + a.probe_jitter * (2 * random.random() - 1))

    timeout = a.stream_timeout if n <= 5000 else a.stream_timeout_long
    w = MarkerWait(L, a, marker, t_submit, timeout, may_settle=server_done, tick=tick).run()
    t_stop = now()
    L.procs.sample()
    # mean CPU (in cores) from the prompt to the end marker on screen: the cost of streaming
    res["cpu_stream_cores"] = round((L.procs.cpu_s - cpu_before) / max(1e-6, t_stop - t_submit), 3)
    if w.error:
        res["error"] = w.error
        res["dnf"] = w.dnf
        res.update(progress_estimate(w.screen, n))
        for _ in range(2 if (w.dnf and prof["reveal_keys"]) else 0):
            # a client that stopped following shows old text: look at its current end
            L.tmux.send(expand(prof["reveal_keys"], L.ctx), prof["key_delay"])
            time.sleep(2.0)
            est = progress_estimate(L.screen(), n)
            if est.get("tokens_rendered_est", -1) > res.get("tokens_rendered_est", -1):
                res.update(est, progress_note="estimated after the reveal keys")
                w.reveals += 1  # the screen had stopped following the stream
                break
    t_wait = now() + 10  # the server record is final once the client has read everything
    while not server_done() and now() < t_wait:
        poll_server()
        time.sleep(0.1)
    req = st["req"]
    if req and req.get("t_first_byte"):
        fb = req["t_first_byte"]
        lb = req.get("t_last_byte")
        res["submit_to_first_byte_s"] = round(fb - t_submit, 3)
        res["server_stream_s"] = round(lb - fb, 3) if lb else None
        res["client_disconnected"] = req.get("client_disconnected")
        if w.t_end:
            res["render_s"] = round(w.t_end - fb, 3)
            res["after_last_byte_s"] = round(w.t_end - lb, 3) if lb else None
            if w.follow_lost:
                res["render_note"] = (
                    "client stopped following the stream; end = the moment it went idle, before the reveal keys"
                )
                res["marker_after_reveal_s"] = round(w.t_marker - fb, 3)
        elif w.dnf and res.get("tokens_rendered_est"):
            res["tokens_per_s_est"] = round(res["tokens_rendered_est"] / max(1e-6, t_stop - fb), 1)
        if st["t_probe_sent"]:
            seen = st["t_probe_seen"]
            res["probe_latency_s"] = round(seen - st["t_probe_sent"], 3) if seen else None
            res["probe_seen_before_end"] = bool(seen and seen < (w.t_end or t_stop))
        elif prof["probe_keys"] and w.t_marker:
            res["probe_too_fast"] = True  # the whole reply was on screen before a probe could go out
        if a.probe_every > 0 and st["t_probe_sent"]:
            t_end = w.t_end or t_stop
            if probes and not probes[-1]["t_seen"]:  # still out when the end showed
                t_give_up = now() + 2
                while now() < t_give_up and probes[-1]["text"] not in L.screen():
                    time.sleep(a.poll)
                if now() < t_give_up:
                    probes[-1]["t_seen"] = now()
            lat = (
                []
                if not st["t_probe_seen"]
                else [(st["t_probe_seen"] - st["t_probe_sent"], st["t_probe_seen"] < t_end)]
            )
            lat += [(p["t_seen"] - p["t_sent"], p["t_seen"] < t_end) for p in probes if p["t_seen"]]
            during = [x for x, before in lat if before]
            res["probe_every_s"] = a.probe_every
            res["probes_sent"] = 1 + len(probes)
            res["probes_not_seen"] = 1 + len(probes) - len(lat)
            res["probe_latencies_s"] = [round(x, 3) for x, _ in lat]
            res["probe_shown_before_end"] = [before for _, before in lat]
            if during:
                res["probe_during_n"] = len(during)
                res["probe_during_median_s"] = round(statistics.median(during), 3)
                res["probe_during_max_s"] = round(max(during), 3)
                res["probe_during_over_50ms"] = sum(1 for x in during if x > 0.05)
    else:
        res.setdefault("error", "the prompt never reached the server")
    res["follow_lost"] = w.follow_lost
    res["reveals"] = w.reveals
    if w.t_marker:  # let the client finish what it does after the marker, for the CPU totals
        L.procs.sample()
        cpu0, t0 = L.procs.cpu_s, now()
        last, idle = L.wait_idle(a.settle, a.post_idle_limit)
        L.procs.sample()
        # mean CPU (in cores) between the end marker and idle / the limit
        res["cpu_after_end_cores"] = round((L.procs.cpu_s - cpu0) / max(1e-6, now() - t0), 3)
        if req and req.get("t_first_byte"):
            res["busy_until_s"] = round(max(last, w.t_end or w.t_marker) - req["t_first_byte"], 3)
            res["idle_after_stream"] = idle
    L.procs.sample()
    res["stream_cpu_s"] = round(L.procs.cpu_s - cpu_before, 3)


def run_history(L: Launch, a, t0: float, res: dict) -> None:
    h = L.prof.get("history") or {}
    open_keys = h.get("open_keys") or []
    t_open = now()
    if open_keys:
        L.wait_idle(0.3, 10)  # keys sent while the UI is still settling can go astray
        # ["@wait", REGEX] holds the next keys until REGEX is on screen: a list that loads
        # in the background (chatterm's history screen reads its rows in a thread) would
        # otherwise take the Enter before it has a row, and the chat never opens.
        groups: list[list[str]] = []
        for group in [*expand(open_keys, L.ctx), ["@wait", ""]]:
            if group and group[0] == "@wait":
                if groups:
                    L.tmux.send(groups, L.prof["key_delay"])
                    t_open = now()  # the clock runs from the last keys sent
                    groups = []
                if group[1] and L.wait_for(group[1], 10, a.poll)[0] is None:
                    res["error"] = f"history: {group[1]!r} not on screen within 10 s of the open keys"
                    return
                continue
            groups.append(group)
    w = MarkerWait(L, a, L.ctx["marker"], t_open, a.history_timeout).run()
    res["follow_lost"] = w.follow_lost
    res["reveals"] = w.reveals
    if w.error:
        res["error"] = w.error
        res["dnf"] = w.dnf
        return
    if w.follow_lost:
        res["history_note"] = "last message only visible after the reveal keys; end = the moment the client went idle"
    res["history_open_s"] = round(w.t_end - t_open, 3)
    res["history_total_s"] = round(w.t_end - t0, 3)
    L.wait_idle(a.settle, 10)


def run_one(prof: dict, a, server: FakeServer, scen: str, rep: int, outdir: Path) -> dict:
    spec = SCENARIOS[scen]
    rundir = outdir / f"{scen}-{rep}"
    if rundir.exists():
        shutil.rmtree(rundir)
    rundir.mkdir(parents=True)
    res: dict = {"scenario": scen, "rep": rep}
    extra = {}
    if spec["kind"] == "history":
        extra = {"marker": "HISTEND" + secrets.token_hex(4), "messages": spec["messages"]}
    L = Launch(prof, a, server, rundir, extra)
    try:
        L.prepare()
        ready = L.prof["ready_marker"]
        if spec["kind"] == "history":
            hist = prof.get("history") or {}
            if not hist.get("seed"):
                res["error"] = "profile has no history.seed command (client cannot load a saved conversation?)"
                res["skipped"] = True
                return res
            t = now()
            L.sh(hist["seed"], "history seed")
            res["seed_s"] = round(now() - t, 2)
            ready = hist.get("ready_marker") or ready
        t0 = L.start()
        tmo = a.history_timeout if spec["kind"] == "history" else a.startup_timeout
        t_ready, _scr = L.wait_for(expand(ready, L.ctx), tmo, a.poll)
        if t_ready is None:
            L.check_alive()
            raise RuntimeError(f"'UI drawn' marker {ready!r} not seen within {tmo:.0f} s")
        res["startup_s"] = round(t_ready - t0, 3)
        if spec["kind"] == "startup":
            L.wait_idle(a.settle, 10)
        elif spec["kind"] == "stream":
            L.wait_idle(0.3, 10)  # let a lazy-loading UI finish before typing
            run_stream(L, a, spec["n"], res)
        elif spec["kind"] == "history":
            run_history(L, a, t0, res)
    except Exception as e:  # record and go on with the next run
        res["error"] = f"{type(e).__name__}: {e}"
    finally:
        res.update(L.stop())
    return res


# --------------------------------------------------------------------------- run / report


def versions(prof: dict, a, server: FakeServer, outdir: Path) -> dict:
    info = {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "tmux": subprocess.run(["tmux", "-V"], capture_output=True, text=True).stdout.strip(),
        "terminal": f"{a.width}x{a.height} tmux-256color",
    }
    if prof.get("version_cmd"):
        L = Launch(prof, a, server, outdir / "version", {})
        r = subprocess.run(
            expand(prof["version_cmd"], L.ctx),
            shell=True,
            env=L.env,
            capture_output=True,
            text=True,
            timeout=120,
            cwd=L.home,
        )
        info["client"] = (r.stdout + r.stderr).strip()
        shutil.rmtree(outdir / "version", ignore_errors=True)
    return info


def in_netns() -> bool:
    return os.environ.get("BENCH_IN_NETNS") == "1"


def reexec_in_netns(argv: list[str]) -> int | None:
    """Re-run this command in a fresh network namespace that has only loopback."""
    if not shutil.which("unshare") or not shutil.which("ip"):
        return None
    base = ["unshare", "-n"] if os.geteuid() == 0 else ["unshare", "-rn"]
    probe = subprocess.run([*base, "true"], capture_output=True)
    if probe.returncode:
        return None
    env = dict(os.environ, BENCH_IN_NETNS="1")
    return subprocess.call([*base, "sh", "-c", 'ip link set lo up && exec "$@"', "sh", sys.executable, *argv], env=env)


def sanitize(text: str, repl: dict[str, str]) -> str:
    """Keep this machine's absolute paths out of the results files."""
    for path, name in sorted(repl.items(), key=lambda kv: -len(kv[0])):
        if path and len(path) > 1:
            text = text.replace(path, name)
    return text


def cmd_run(a) -> int:
    if a.netns in ("auto", "on") and not in_netns():
        rc = reexec_in_netns(sys.argv)
        if rc is not None:
            return rc
        if a.netns == "on":
            sys.exit("drive.py: --netns on, but 'unshare -n' is not available")
        print("note: no network namespace; relying on the proxy trap", file=sys.stderr)
    prof = load_profile(a)
    scen_list = [s.strip() for s in a.scenarios.split(",") if s.strip()]
    for s in scen_list:
        if s not in SCENARIOS:
            sys.exit(f"unknown scenario {s}; have {', '.join(SCENARIOS)}")
    outdir = Path(a.workdir) if a.workdir else Path(tempfile.gettempdir()) / "chat-bench" / prof["name"]
    outdir = outdir.resolve()
    outdir.mkdir(parents=True, exist_ok=True)
    server_env = {"BENCH_MODELS": prof["model"]}
    server = FakeServer(outdir, server_env)
    doc = {
        "client": prof["name"],
        "profile": a.profile,
        "netns": in_netns(),
        "started": time.strftime("%Y-%m-%d %H:%M:%S"),
        "runs": [],
    }
    # the fake server inherits these from the driver's environment (reply pacing)
    server_knobs = {k: os.environ[k] for k in ("BENCH_DELAY", "BENCH_TOKENS", "BENCH_RATE") if k in os.environ}
    if server_knobs:
        doc["server_env"] = server_knobs
    if a.probe_every > 0:
        doc["probe_every_s"] = a.probe_every
    kept: list[dict] = []
    if a.update and Path(a.out).exists():
        old = json.loads(Path(a.out).read_text())
        kept = [r for r in old.get("runs", []) if r["scenario"] not in scen_list]
        doc["started"] = old.get("started", doc["started"])
        doc["updated"] = time.strftime("%Y-%m-%d %H:%M:%S") + f" ({','.join(scen_list)} rerun)"
        doc["runs"] = list(kept)
    repl = {str(outdir): "$WORK", str(BENCH): "$BENCH", sys.executable: "python", str(Path.home()): "~"}
    for i, b in enumerate(a.bin_dir or []):
        repl[str(Path(b).resolve())] = f"$BIN{i or ''}"
        repl[str(Path(b).absolute())] = f"$BIN{i or ''}"

    def save() -> None:
        Path(a.out).write_text(sanitize(json.dumps(doc, indent=1, ensure_ascii=False), repl))

    try:
        doc["versions"] = versions(prof, a, server, outdir)
        print(f"[{prof['name']}] versions: {doc['versions'].get('client', '?')}", flush=True)
        if kept and old.get("versions", {}).get("client") != doc["versions"].get("client"):
            sys.exit("drive.py: --update, but the client's versions differ from the saved runs")
        for w in range(a.warmup):
            r = run_one(prof, a, server, "startup", -1 - w, outdir)
            print(f"[{prof['name']}] warm-up launch: {short(r)}", flush=True)
        for scen in scen_list:
            for rep in range(1, a.repeat + 1):
                r = run_one(prof, a, server, scen, rep, outdir)
                doc["runs"].append(r)
                print(f"[{prof['name']}] {scen} #{rep}: {short(r)}", flush=True)
                save()
        try:
            doc["unknown_server_paths"] = sorted({u["path"] for u in server.state()["unknown"]})
        except Exception:
            pass
    finally:
        server.stop()
    try:
        with open(outdir / "fakeserver.jsonl") as f:
            doc["server_requests"] = sum(1 for _ in f)
    except OSError:
        pass
    doc["finished"] = time.strftime("%Y-%m-%d %H:%M:%S")
    save()
    return 0


def short(r: dict) -> str:
    keys = [
        "startup_s",
        "submit_to_first_byte_s",
        "render_s",
        "probe_latency_s",
        "history_open_s",
        "cpu_s",
        "peak_rss_mb",
        "follow_lost",
        "error",
    ]
    return ", ".join(f"{k}={r[k]}" for k in keys if k in r and r[k] is not None)


def fmt_stat(vals: list, digits: int = 2) -> str:
    vals = [v for v in vals if v is not None]
    if not vals:
        return "–"
    med = statistics.median(vals)
    if len(vals) == 1:
        return f"{med:.{digits}f}"
    return f"{med:.{digits}f} ({min(vals):.{digits}f}–{max(vals):.{digits}f})"


REPORT_ROWS = [
    ("startup", "startup_s", "launch → UI drawn (s)", 2),
    ("startup", "cpu_s", "CPU s (launch, then idle)", 1),
    ("startup", "peak_rss_mb", "peak RSS (MB)", 0),
    ("stream2k", "submit_to_first_byte_s", "2k: submit → server's first byte (s)", 2),
    ("stream2k", "render_s", "2k: first byte → end marker visible (s)", 2),
    ("stream2k", "busy_until_s", "2k: first byte → client idle again (s)", 1),
    ("stream2k", "cpu_after_end_cores", "2k: CPU (cores) from end marker to idle", 2),
    ("stream2k", "probe_latency_s", "2k: keypress echo during the stream (s)", 3),
    ("stream2k", "cpu_s", "2k: CPU s (whole launch)", 1),
    ("stream2k", "peak_rss_mb", "2k: peak RSS (MB)", 0),
    ("stream20k", "submit_to_first_byte_s", "20k: submit → server's first byte (s)", 2),
    ("stream20k", "render_s", "20k: first byte → end marker visible (s)", 2),
    ("stream20k", "busy_until_s", "20k: first byte → client idle again (s)", 1),
    ("stream20k", "cpu_after_end_cores", "20k: CPU (cores) from end marker to idle", 2),
    ("stream20k", "probe_latency_s", "20k: keypress echo during the stream (s)", 3),
    ("stream20k", "cpu_s", "20k: CPU s (whole launch)", 1),
    ("stream20k", "peak_rss_mb", "20k: peak RSS (MB)", 0),
    ("history1k", "startup_s", "1k history: launch → UI drawn (s)", 2),
    ("history1k", "history_open_s", "1k history: UI drawn → last message visible, incl. open keys (s)", 2),
    ("history1k", "history_total_s", "1k history: launch → last message visible (s)", 2),
    ("history1k", "cpu_s", "1k history: CPU s (whole launch)", 1),
    ("history1k", "peak_rss_mb", "1k history: peak RSS (MB)", 0),
]


def report_cell(runs: list[dict], key: str, digits: int) -> str:
    if not runs:
        return "not run"
    if all(r.get("skipped") for r in runs):
        return "n/a"
    vals = [r.get(key) for r in runs]
    cell = fmt_stat(vals, digits)
    missing = [r for r in runs if r.get(key) is None]
    if key == "probe_latency_s":
        fast = [r for r in missing if r.get("probe_too_fast")]
        if fast:
            tag = f"n/a {len(fast)}/{len(runs)}: reply on screen before the probe"
            cell = tag if cell == "–" else f"{cell}; {tag}"
            missing = [r for r in missing if not r.get("probe_too_fast")]
    dnf = [r for r in missing if r.get("dnf")]
    if key == "render_s" and dnf:
        fr = [r["fraction_rendered_est"] for r in dnf if r.get("fraction_rendered_est") is not None]
        tps = [r["tokens_per_s_est"] for r in dnf if r.get("tokens_per_s_est")]
        tag = f"DNF {len(dnf)}/{len(runs)}"
        if fr:
            tag += f" (≈{statistics.median(fr) * 100:.0f}% shown at the timeout"
            tag += f", ≈{statistics.median(tps):.0f} tok/s)" if tps else ")"
        cell = tag if cell == "–" else f"{cell}; {tag}"
        missing = [r for r in missing if not r.get("dnf")]
    elif dnf:
        cell = "DNF" if cell == "–" else f"{cell}; DNF {len(dnf)}/{len(runs)}"
        missing = [r for r in missing if not r.get("dnf")]
    if key in ("render_s", "history_open_s", "history_total_s"):
        lost = sum(1 for r in runs if r.get("follow_lost") and r.get(key) is not None)
        if lost:
            cell += f" †{lost}/{len(runs)}"
    if key == "probe_latency_s":
        late = sum(1 for r in runs if r.get(key) is not None and not r.get("probe_seen_before_end"))
        if late:
            cell += f" (shown only after the reply in {late}/{len(runs)})"
    if key == "busy_until_s":
        busy = sum(1 for r in runs if r.get(key) is not None and r.get("idle_after_stream") is False)
        if busy:
            cell += f" (still busy at the limit in {busy}/{len(runs)})"
    if missing:
        what = "not seen" if key == "probe_latency_s" else "failed"
        cell = f"{what} {len(missing)}/{len(runs)}" if cell == "–" else f"{cell} [{what} {len(missing)}/{len(runs)}]"
    return cell


def cmd_report(a) -> int:
    docs = [json.loads(Path(p).read_text()) for p in a.files]
    names = [d["client"] for d in docs]
    print("| metric | " + " | ".join(names) + " |")
    print("|---|" + "---|" * len(names))
    for scen, key, label, digits in REPORT_ROWS:
        cells = [report_cell([r for r in d["runs"] if r["scenario"] == scen], key, digits) for d in docs]
        print(f"| {label} | " + " | ".join(cells) + " |")
    print()
    print(
        "Cells: median (min–max) over the repeats.  DNF: end marker not on screen by the "
        "timeout; the share shown is estimated from the last 'Section k' heading on screen.  "
        "† = the client stopped following (the end was not on screen although it was idle): "
        "the time is taken as the moment it went idle, and the reveal keys then showed the end."
    )
    print()
    for d in docs:
        v = d.get("versions", {})
        print(
            f"- {d['client']}: {v.get('client', '?')} (Python {v.get('python')}, {v.get('tmux')}, "
            f"{v.get('terminal')}, {v.get('cpus')} CPUs, loopback-only netns: {d.get('netns')})"
        )
    errs = [(d["client"], r["scenario"], r["rep"], r["error"]) for d in docs for r in d["runs"] if r.get("error")]
    if errs:
        print()
        print("Failures / timeouts:")
        for c, s, rep, e in errs:
            print(f"- {c} {s} #{rep}: {e.splitlines()[0]}")
    return 0


def main() -> int:
    ap = argparse.ArgumentParser(
        description="terminal chat client benchmark driver",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=__doc__,
    )
    sub = ap.add_subparsers(dest="cmd_name", required=True)
    r = sub.add_parser("run", help="measure one client")
    r.add_argument("--profile", help="TOML profile (profiles/*.toml)")
    r.add_argument("--name")
    r.add_argument("--cmd", help="client command line (overrides the profile)")
    r.add_argument("--env", action="append", metavar="K=V", help="extra client env")
    r.add_argument("--bin-dir", action="append", help="prepend to the client's PATH")
    r.add_argument("--ready-marker", help="regex on screen meaning 'UI drawn'")
    r.add_argument(
        "--prompt-keys",
        action="append",
        help="tmux send-keys args, one group per flag, e.g. '-l {{prompt}}' then 'Enter'; '@sleep 0.5' pauses",
    )
    r.add_argument("--probe-keys", action="append")
    r.add_argument(
        "--probe-jitter",
        type=float,
        default=0,
        metavar="J",
        help="with --probe-every S, each gap is drawn uniformly from S*(1-J)..S*(1+J) (0 = every S exactly)",
    )
    r.add_argument(
        "--probe-every",
        type=float,
        default=0,
        metavar="S",
        help="after the first probe has shown, type another one every S seconds "
        "(one outstanding at a time) until the end marker is on screen; "
        "results in probe_latencies_s / probe_during_* (0 = one probe only)",
    )
    r.add_argument(
        "--reveal-keys",
        action="append",
        help="keys that bring the end of the conversation into view (used only if the client stops following)",
    )
    r.add_argument("--setup", action="append", help="shell command run in the fresh home before launch")
    r.add_argument(
        "--history-seed",
        help="shell command writing a {{messages}}-message conversation ending in {{marker}} into the client's storage",
    )
    r.add_argument("--history-open-keys", action="append")
    r.add_argument("--history-ready-marker")
    r.add_argument("--model")
    r.add_argument("--version-cmd")
    r.add_argument("--scenarios", default="startup,stream2k,stream20k,history1k")
    r.add_argument("--repeat", type=int, default=3)
    r.add_argument("--warmup", type=int, default=1, help="unrecorded launches first")
    r.add_argument("--width", type=int, default=120)
    r.add_argument("--height", type=int, default=40)
    r.add_argument("--poll", type=float, default=0.02, help="screen poll interval (s)")
    r.add_argument("--settle", type=float, default=1.0, help="idle time meaning 'done' (s)")
    r.add_argument("--max-reveals", type=int, default=3)
    r.add_argument("--startup-timeout", type=float, default=60)
    r.add_argument("--stream-timeout", type=float, default=180, help="for N <= 5000")
    r.add_argument("--stream-timeout-long", type=float, default=180, help="for N > 5000")
    r.add_argument("--history-timeout", type=float, default=180)
    r.add_argument("--pre-prompt-pause", type=float, default=0.2)
    r.add_argument(
        "--post-idle-limit",
        type=float,
        default=30,
        help="after the end marker, wait at most this long for the client to go idle",
    )
    r.add_argument(
        "--netns",
        choices=["auto", "on", "off"],
        default="auto",
        help="run server, tmux and client in a loopback-only network namespace",
    )
    r.add_argument("--no-proxy-trap", action="store_true", help="do not point HTTP(S)_PROXY at a closed local port")
    r.add_argument("--out", required=True, help="results JSON")
    r.add_argument(
        "--update", action="store_true", help="keep the runs of other scenarios already in --out (rerun some scenarios)"
    )
    r.add_argument(
        "--workdir", help="per-run homes, tmux sockets, logs, last screens (default: <tmp>/chat-bench/<name>)"
    )
    rp = sub.add_parser("report", help="markdown table from results JSON files")
    rp.add_argument("files", nargs="+")
    a = ap.parse_args()
    if a.cmd_name == "run":
        return cmd_run(a)
    return cmd_report(a)


if __name__ == "__main__":
    sys.exit(main())
