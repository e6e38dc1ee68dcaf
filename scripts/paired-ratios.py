#!/usr/bin/env python3
"""Per-round ratios from a saved `../shared/peers/compare net` log.

    ../shared/peers/compare net echo --conns 64,256 --rounds 10 ... > run.log 2>&1
    scripts/paired-ratios.py run.log [--baseline tokio]

compare's tables divide medians taken over the rounds. On a shared host the machine's speed
drifts from one round to the next (30% and more), and a runtime that happened to draw slow
rounds looks slow. Within one round the runtimes run back to back, so dividing each
runtime's figure by the baseline's in the same round and taking the median of those ratios
cancels most of the drift. This prints that median and every round's ratio, for throughput
and (where reported) p99 latency.
"""

import argparse
import collections
import re
import statistics
import sys

ROUND = re.compile(r"round (\d+)/\d+\s+conns=(\d+)\s+(\S+)\s+([\d,.]+) .*?"
                   r"p50_us=(\S+) p99_us=(\S+)")


def number(text):
    return None if text == "-" else float(text.replace(",", ""))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("log")
    parser.add_argument("--baseline", default="tokio")
    args = parser.parse_args()

    rounds = collections.defaultdict(dict)  # (conns, round) -> runtime -> (rate, p99)
    with open(args.log) as log:
        for line in log:
            match = ROUND.match(line)
            if match:
                round_no, conns, runtime, rate, _p50, p99 = match.groups()
                rounds[(int(conns), int(round_no))][runtime] = (number(rate), number(p99))
    if not rounds:
        sys.exit(f"{args.log}: no 'round N/M conns=C ...' lines (a compare net log?)")

    ratios = collections.defaultdict(lambda: collections.defaultdict(list))
    for (conns, _), figures in sorted(rounds.items()):
        base = figures.get(args.baseline)
        if base is None:
            continue
        for runtime, (rate, p99) in figures.items():
            if runtime == args.baseline:
                continue
            p99_ratio = p99 / base[1] if p99 is not None and base[1] else None
            ratios[conns][runtime].append((rate / base[0], p99_ratio))
    if not ratios:
        sys.exit(f"{args.log}: no round includes the baseline '{args.baseline}'")

    def summary(values):
        shown = " ".join(f"{v:.2f}" for v in values)
        return f"{statistics.median(values):.2f} ({shown})"

    for conns in sorted(ratios):
        for runtime, pairs in ratios[conns].items():
            line = f"conns={conns} {runtime}: throughput x{args.baseline} {summary([r for r, _ in pairs])}"
            p99s = [p for _, p in pairs if p is not None]
            if p99s:
                line += f" | p99 x{args.baseline} {summary(p99s)}"
            print(line)


if __name__ == "__main__":
    main()
