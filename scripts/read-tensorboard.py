#!/usr/bin/env python3
"""Prints the scalars of a TensorBoard run directory as JSON: {"tag": [[step, value], ...], ...}.

Usage: scripts/read-tensorboard.py RUN_DIR

Reads the directory with TensorBoard's own loader, so it shows what TensorBoard would plot; Armature's
tests use it to check the event files it writes. Needs the tensorboard package, which
scripts/install-python-packages puts in .venv: .venv/bin/python3 scripts/read-tensorboard.py RUN_DIR
"""
import json
import os
import sys


def main() -> int:
    if len(sys.argv) != 2 or sys.argv[1] in ("-h", "--help"):
        print(__doc__.strip(), file=sys.stderr)
        return 2
    run = sys.argv[1]
    if not os.path.isdir(run):
        print(f"read-tensorboard: {run}: not a directory; give a run directory such as runs/NAME", file=sys.stderr)
        return 2
    try:
        from tensorboard.backend.event_processing.event_accumulator import SCALARS, EventAccumulator
    except ImportError as error:
        print(f"read-tensorboard: cannot import tensorboard ({error}); "
              "run scripts/install-python-packages and use .venv/bin/python3", file=sys.stderr)
        return 2
    # 0 keeps every point; by default TensorBoard keeps a random sample of 10,000 per tag.
    accumulator = EventAccumulator(run, size_guidance={SCALARS: 0})
    accumulator.Reload()
    scalars = {
        tag: [[event.step, event.value] for event in accumulator.Scalars(tag)]
        for tag in sorted(accumulator.Tags()["scalars"])
    }
    json.dump(scalars, sys.stdout)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
