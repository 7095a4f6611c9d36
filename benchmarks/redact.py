"""Key redaction speed: what the engine pays on every flush of a long reply.

    python benchmarks/redact.py [--size 1000000] [--runs 9]

Times `Redactor(key)(text)`, median of several runs, on: chatterm's own source
(code and prose, many long identifiers), the same with the key and pieces of it spread
through, and random base64-like text (one long run of the key's characters). The key is
56 characters, like an OpenAI project key. Target: under 50 ms per MB, so a 100 kB
reply costs under 5 ms per flush (the engine flushes every 0.5 s).
"""

from __future__ import annotations

import argparse
import random
import statistics
import string
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from chatterm.api.redact import Redactor


def median_ms(redact: Redactor, text: str, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        redact(text)
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()
    rng = random.Random(7)
    alphabet = string.ascii_letters + string.digits
    key = "sk-proj-" + "".join(rng.choice(alphabet) for _ in range(48))
    redact = Redactor(key)
    source = "".join(
        p.read_text(encoding="utf-8") for p in sorted((Path(__file__).parents[1] / "chatterm").rglob("*.py"))
    )
    code = (source * (args.size // len(source) + 1))[: args.size]
    step = args.size // 20
    seeded = "".join(code[i : i + step] + key[i % 30 : i % 30 + 20] for i in range(0, args.size, step))
    blob = "".join(rng.choice(alphabet) for _ in range(args.size))
    for name, text in (("source text", code), ("with 20 key pieces", seeded), ("base64-like blob", blob)):
        print(f"{name:20} {len(text) / 1e6:.1f} MB  {median_ms(redact, text, args.runs):7.1f} ms")


if __name__ == "__main__":
    main()
