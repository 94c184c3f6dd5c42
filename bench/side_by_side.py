#!/usr/bin/env python3
"""Armature's DDPG update rate and actor latency beside PyTorch's, in alternating pairs on one machine.

Usage: .venv/bin/python3 bench/side_by_side.py [--armature PATH] [--pairs 5] [--seconds 6] [--algorithm ddpg|td3|sac]

Each pair runs `armature bench --seconds S --rounds 5 --json`, then `bench/pytorch_ddpg.py --seconds S`
right after it, so both see the same machine state; the table gives each pair's figures and ratios
and the medians over pairs. The environment passes through to both, so kernel choices can be forced
for a run (OPENBLAS_CORETYPE for Armature's OpenBLAS; ATEN_CPU_CAPABILITY, MKL_ENABLE_INSTRUCTIONS
and ONEDNN_MAX_CPU_ISA for PyTorch). Needs torch in .venv: scripts/install-python-packages --bench.

--algorithm td3 or sac (default ddpg) passes `--algorithm X` to both `armature bench` and
bench/pytorch_ddpg.py and compares that algorithm instead; with ddpg neither command gets the option,
so DDPG runs exactly as before. Armature's JSON is read with the same keys for every algorithm
(updates_per_s_pf{1,2}_threads{1,2}, actor_p50_us); for SAC only the policy-frequency-2 rate
(CleanRL's cadence) is compared.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def last_json(output, prefix=""):
    line = [l for l in output.splitlines() if l.startswith(prefix + "{")][-1]
    return json.loads(line[len(prefix):])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--armature", default=os.path.join(HERE, "..", ".build", "release", "armature"))
    parser.add_argument("--pairs", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=6)
    parser.add_argument("--algorithm", choices=("ddpg", "td3", "sac"), default="ddpg")
    args = parser.parse_args()
    if not os.access(args.armature, os.X_OK):
        sys.exit(f"side_by_side: {args.armature} is not an executable; build it with swift build -c release")

    algorithm = [] if args.algorithm == "ddpg" else ["--algorithm", args.algorithm]
    frequencies = (2,) if args.algorithm == "sac" else (1, 2)
    rows = []
    machine = None
    for pair in range(1, args.pairs + 1):
        print(f"[pair {pair}: armature bench, then PyTorch]", file=sys.stderr, flush=True)
        ours = last_json(subprocess.run([args.armature, "bench", "--seconds", str(args.seconds), "--rounds", "5", "--json"] + algorithm,
                                        check=True, stdout=subprocess.PIPE, text=True).stdout)
        theirs = last_json(subprocess.run([sys.executable, os.path.join(HERE, "pytorch_ddpg.py"), "--seconds", str(args.seconds)] + algorithm,
                                          check=True, stdout=subprocess.PIPE, text=True).stdout, "JSON ")
        machine = machine or (ours, theirs)
        row = {"pair": pair}
        for threads in (1, 2):
            torch = theirs["headline"][f"threads_{threads}"]
            for pf in frequencies:
                row[f"a{threads}pf{pf}"] = ours[f"updates_per_s_pf{pf}_threads{threads}"]
                row[f"p{threads}pf{pf}"] = torch[f"updates_per_s_pf{pf}"]
        row["a_p50"], row["p_p50"] = ours["actor_p50_us"], theirs["headline"]["threads_1"]["actor_p50_us"]
        rows.append(row)

    ours, theirs = machine
    print(f"CPU {ours['cpu']}, {ours['cores']} cores; extensions: {' '.join(ours['vector_extensions'])}")
    print(f"Armature: OpenBLAS core {ours['openblas_core']}"
          f"{' (forced)' if ours.get('openblas_coretype_forced') else ''}, loops {ours['compiled_vector_level']}, "
          f"row cut {ours.get('row_cut')}")
    print(f"PyTorch {theirs['torch']}: ATen {theirs.get('cpu_capability')}, {theirs.get('blas')}, caps {theirs.get('isa_caps') or 'none'}")
    print()
    print("| pair | Armature 1 thread | PyTorch 1 thread | ratio | Armature 2 threads | PyTorch 2 threads | ratio |")
    print("|---|---|---|---|---|---|---|")

    def line(name, r):
        return (f"| {name} | {r['a1pf2']:.0f} | {r['p1pf2']:.1f} | {r['a1pf2'] / r['p1pf2']:.2f}× | "
                f"{r['a2pf2']:.0f} | {r['p2pf2']:.1f} | {r['a2pf2'] / r['p2pf2']:.2f}× |")

    for r in rows:
        print(line(str(r["pair"]), r))
    median = {k: statistics.median(r[k] for r in rows) for k in rows[0] if k != "pair"}
    print(line("**median**", median))
    print()
    for threads in (1, 2) if 1 in frequencies else ():
        print(f"policy frequency 1, {threads} thread{'s' if threads == 2 else ''}: {median[f'a{threads}pf1']:.0f} vs "
              f"{median[f'p{threads}pf1']:.1f} ({median[f'a{threads}pf1'] / median[f'p{threads}pf1']:.2f}×)")
    print(f"actor batch-1 p50: {median['a_p50']:.2f} µs vs {median['p_p50']:.1f} µs")
    ratios1 = [r["a1pf2"] / r["p1pf2"] for r in rows]
    ratios2 = [r["a2pf2"] / r["p2pf2"] for r in rows]
    print(f"ratio ranges over pairs: 1 thread {min(ratios1):.2f}–{max(ratios1):.2f}×, 2 threads {min(ratios2):.2f}–{max(ratios2):.2f}×")


if __name__ == "__main__":
    main()
