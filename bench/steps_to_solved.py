#!/usr/bin/env python3
"""Environment steps and wall-clock time until the deterministic actor first reaches a return.

For each setting and seed, trains with `armature train ... --eval-every 2500 --eval-episodes 100`
(skipped when the run directory already holds a run evaluated at its last step), then reads the run's scalars.csv:
the first `eval/return` at or above the threshold (default -3.75, the reacher's "solved" mark), its
step, and the training wall-clock time to that evaluation (wall_time of that row less the run's
first row; evaluation time included). Prints a Markdown table per setting and one JSON line.

HOW TO RUN (from the repository, release build):
    swift build -c release
    python3 bench/steps_to_solved.py --out /tmp/solve --seeds 1 2 3 --steps 30000 \
        --setting "sac-g95-u2=--algorithm sac --gamma 0.95 --updates-per-step 2" \
        --setting "ddpg-defaults=--algorithm ddpg"
    python3 bench/steps_to_solved.py --out /tmp/solve --report-only ...   # tables from existing runs

The learning curves: `armature plot learning-curve DIR... --tag eval/return --out curves.svg`.
"""
import argparse
import csv
import json
import os
import shlex
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def evaluations(run):
    """(step, eval return, seconds since the run's first logged row) for each evaluation."""
    path = os.path.join(run, "scalars.csv")
    rows = []
    first_time = None
    with open(path, newline="") as f:
        for row in csv.DictReader(f):
            t = float(row["wall_time"])
            first_time = t if first_time is None else min(first_time, t)
            if row["tag"] == "eval/return":
                rows.append((int(row["step"]), float(row["value"]), t))
    return [(step, value, t - first_time) for step, value, t in rows]


def first_reaching(evals, threshold):
    for step, value, seconds in evals:
        if value >= threshold:
            return step, seconds
    return None


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", required=True, help="directory for the runs (NAME-sSEED each)")
    parser.add_argument("--setting", action="append", default=[], help="NAME=train options")
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--steps", type=int, default=30000)
    parser.add_argument("--threshold", type=float, default=-3.75)
    parser.add_argument("--robot", default="robots/reacher.yaml")
    parser.add_argument("--armature", default=os.path.join(ROOT, ".build/release/armature"))
    parser.add_argument("--report-only", action="store_true", help="only read existing runs")
    args = parser.parse_args()

    settings = []
    for text in args.setting:
        name, _, options = text.partition("=")
        settings.append((name, shlex.split(options)))
    summary = {"threshold": args.threshold, "steps": args.steps, "settings": {}}
    for name, options in settings:
        table = []
        for seed in args.seeds:
            run = os.path.join(args.out, f"{name}-s{seed}")
            finished = os.path.exists(os.path.join(run, "scalars.csv")) and any(s >= args.steps for s, _, _ in evaluations(run))
            if not args.report_only and not finished:
                command = [args.armature, "train", "--robot", args.robot, "--steps", str(args.steps), "--seed", str(seed),
                           "--eval-every", "2500", "--eval-episodes", "100", "--out", run] + options
                print("$ " + " ".join(shlex.quote(c) for c in command), file=sys.stderr, flush=True)
                subprocess.run(command, check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
            if not os.path.exists(os.path.join(run, "scalars.csv")):
                print(f"{run}: no run", file=sys.stderr)
                continue
            evals = evaluations(run)
            reached = first_reaching(evals, args.threshold)
            best = max((v for _, v, _ in evals), default=float("nan"))
            last = evals[-1][1] if evals else float("nan")
            table.append({"seed": seed, "steps": reached[0] if reached else None,
                          "seconds": round(reached[1], 1) if reached else None, "best": best, "last": last,
                          "curve": [(s, round(v, 3)) for s, v, _ in evals]})
        summary["settings"][name] = {"options": options, "runs": table}
        print(f"\n{name}: {' '.join(options)}")
        print("| seed | steps to ≥ %.2f | wall clock to it | best eval | last eval |" % args.threshold)
        print("|---|---|---|---|---|")
        for r in table:
            steps = f"{r['steps']:,}" if r["steps"] else f"not within {args.steps:,}"
            seconds = f"{r['seconds'] / 60:.1f} min" if r["seconds"] is not None else "—"
            print(f"| {r['seed']} | {steps} | {seconds} | {r['best']:.2f} | {r['last']:.2f} |")
    print("JSON " + json.dumps(summary))


if __name__ == "__main__":
    main()
