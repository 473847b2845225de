"""How long `notifier --help` takes, against a bare interpreter and against loading every
command eagerly (what the CLI did before commands were loaded lazily), in one run.

    python bench/cli_startup.py [--runs 9]

Prints min/median/max seconds of each and the ratios; asserts nothing.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

NOTIFIER = [sys.executable, "-m", "notifier"]
EAGER = (
    "import notifier.cli, importlib\n"
    "for module, _, _ in notifier.cli.COMMANDS.values(): importlib.import_module(module)\n"
    "import notifier.service\n"
)
CASES = {
    "python -c pass": [sys.executable, "-c", "pass"],
    "notifier --help": [*NOTIFIER, "--help"],
    "every command loaded": [sys.executable, "-c", EAGER],
}


def timed(command: list[str], runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, cwd=Path(__file__).parent)
        times.append(time.perf_counter() - started)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()
    medians = {}
    for name, command in CASES.items():
        times = timed(command, args.runs)
        medians[name] = statistics.median(times)
        print(
            f"{name:22} min {min(times):.3f} s  median {medians[name]:.3f} s  "
            f"max {max(times):.3f} s"
        )
    help_time = medians["notifier --help"]
    print(f"--help / python -c pass:      {help_time / medians['python -c pass']:.1f}x")
    print(f"--help / every command loaded: {help_time / medians['every command loaded']:.2f}")


if __name__ == "__main__":
    main()
