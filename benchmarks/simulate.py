"""Simulator speed: a day of 300 vessels (goal: under a minute).

    python benchmarks/simulate.py [--hours 24] [--vessels 300]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time


def main() -> int:
    from maritime.simulate import simulate

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--hours", type=float, default=24)
    parser.add_argument("--vessels", type=int, default=300)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        summary = simulate(args.hours, args.vessels, seed=1, out_dir=folder)
        seconds = time.perf_counter() - started
    print(f"{args.hours:g} h of {args.vessels} vessels: {seconds:.1f} s (goal < 60 s for a day of 300), "
          f"{summary.sentences:,} sentences, {summary.positions:,} position reports, "
          f"{summary.sentences / seconds:,.0f} sentences/s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
