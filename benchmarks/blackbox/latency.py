#!/usr/bin/env python3
"""Echo latency and CPU of the real `chatterm` while a reply streams at a paced rate.

For each rate it runs `drive.py` (chatterm in a private tmux at 120x40 against
`fakeserver.py`, a reply of 2,000 tokens paced by BENCH_RATE tokens/s), types a probe
every 0.25 s through the whole reply and reads when each probe shows in the prompt
box. It reports, per rate, the median and p90 echo latency of every probe shown
before the end of the reply (over all repeats) and the CPU the client used while
streaming, in cores (process CPU seconds from /proc, so less sensitive to other load
than wall time). `--full` adds the full-speed figures: start-up, 2k / 20k reply
render time, peak RSS of a 20k reply at 850 tok/s, and a 1,000-message chat
opened with `-c` and from the history screen.

    python benchmarks/blackbox/latency.py --bin-dir .venv/bin --repeat 3 [--full]

`--bin-dir` is where a `chatterm` executable is (the checkout's venv); the fake
server needs aiohttp in the Python that runs this script.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


def drive(args: argparse.Namespace, profile: str, scenarios: str, out: Path, env: dict[str, str]) -> list[dict]:
    cmd = [sys.executable, str(HERE / "drive.py"), "run", "--profile", str(HERE / "profiles" / profile)]
    cmd += ["--bin-dir", str(Path(args.bin_dir).resolve()), "--scenarios", scenarios]
    cmd += ["--repeat", str(args.repeat), "--out", str(out), "--warmup", "0", "--workdir", str(out.with_suffix(""))]
    if "stream" in scenarios and env.get("BENCH_RATE"):
        cmd += ["--probe-every", "0.25", "--probe-jitter", str(args.jitter)]
    subprocess.run(cmd, env={**os.environ, **env}, check=True, stdout=subprocess.DEVNULL)
    return json.loads(out.read_text())["runs"]


def span(values: list[float], digits: int = 2) -> str:
    if not values:
        return "—"
    lo, hi = min(values), max(values)
    return f"{lo:.{digits}f}" if round(lo, digits) == round(hi, digits) else f"{lo:.{digits}f}–{hi:.{digits}f}"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin-dir", required=True, help="directory holding the chatterm executable")
    ap.add_argument("--rates", default="50,100,180,200,850,2000", help="tokens/s, comma separated")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--full", action="store_true", help="also the full-speed / RSS / history figures")
    ap.add_argument("--json", help="write every run here too")
    ap.add_argument(
        "--jitter",
        type=float,
        default=0.0,
        help="probe gaps drawn from 0.25 s x (1 +- J) instead of every 0.25 s (0.8: 0.05-0.45 s, no beat to learn)",
    )
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="chatterm-latency-"))
    every: dict[str, list[dict]] = {}
    print("| rate tok/s | echo median | echo p90 | probes | CPU cores (per run) |")
    print("|---|---|---|---|---|")
    for rate in [r.strip() for r in args.rates.split(",") if r.strip()]:
        runs = drive(args, "chatterm.toml", "stream2k", work / f"rate{rate}.json", {"BENCH_RATE": rate})
        every[f"rate{rate}"] = runs
        during = [
            x
            for r in runs
            for x, before in zip(r.get("probe_latencies_s", []), r.get("probe_shown_before_end", []), strict=False)
            if before
        ]
        cpu = [r["cpu_stream_cores"] for r in runs if "cpu_stream_cores" in r]
        echo = (
            (f"{statistics.median(during) * 1000:.0f} ms", f"{percentile(during, 0.9) * 1000:.0f} ms")
            if during
            else ("—", "—")
        )
        print(f"| {rate} | {echo[0]} | {echo[1]} | {len(during)} | {span(cpu)} |", flush=True)
    if args.full:
        runs = drive(args, "chatterm.toml", "startup,stream2k,stream20k,history1k", work / "full.json", {})
        every["full"] = runs
        paced = drive(args, "chatterm.toml", "stream20k", work / "rss.json", {"BENCH_RATE": "850"})
        every["rss20k"] = paced
        cont = drive(args, "chatterm-continue.toml", "history1k", work / "cont.json", {})
        every["continue"] = cont

        def pick(rs: list[dict], scen: str, key: str) -> list[float]:
            return [r[key] for r in rs if r["scenario"] == scen and r.get(key) is not None]

        print()
        print("| full speed | runs |")
        print("|---|---|")
        print(f"| start-up to a usable prompt | {span(pick(runs, 'startup', 'startup_s'))} s |")
        print(f"| 2k reply, first byte → end on screen | {span(pick(runs, 'stream2k', 'render_s'))} s |")
        print(f"| 20k reply | {span(pick(runs, 'stream20k', 'render_s'))} s |")
        print(f"| peak RSS, 20k at 850 tok/s | {span(pick(paced, 'stream20k', 'peak_rss_mb'), 0)} MB |")
        print(f"| 1k-message chat, `-c` launch → last message | {span(pick(cont, 'history1k', 'history_total_s'))} s |")
        print(
            f"| 1k-message chat, Enter in history → last message | {span(pick(runs, 'history1k', 'history_open_s'))} s |"
        )
    if args.json:
        Path(args.json).write_text(json.dumps(every, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
