#!/usr/bin/env bash
# Hardware-in-the-loop training against the real-time firmware emulator (issue 15's real-time target):
# the README's recipe (SAC, γ 0.95, two updates per step, two learner threads) trained through
# `armature train --port` on the emulated device at the robot's 50 Hz, the learner beside the loop,
# the loop's thread under SCHED_FIFO, each episode started by the device's MOVE to the start pose, and
# the deterministic actor evaluated on the simulated reacher every 2 500 steps (100 episodes). Prints
# the run's summary and the first evaluation at or above −3.75 with its wall clock (steps_to_solved.py).
#
# The robot is robots/reacher.yaml with a quicker move to each start (10 rad/s, 8 Hz bandwidth against
# the defaults' 1 rad/s and 2 Hz, which are meant for an arm nobody has tuned): a move then takes about
# 0.6 s instead of 1.9 s, and the loop spends most of its time in episodes rather than between them.
#
# Usage: bench/realtime_training.sh [SEED] [STEPS] [OUT]   (defaults 1, 30000, /tmp/armature-realtime;
# ARMATURE=path picks the binary, default the release build). Needs both cores to itself for about
# 20 minutes; where the OS refuses SCHED_FIFO the run continues at normal priority and says so.
# Record the result in BENCHMARKS.md with the machine and its load.
set -euo pipefail
cd "$(dirname "$0")/.."
seed="${1:-1}"
steps="${2:-30000}"
out="${3:-/tmp/armature-realtime}"
if [ -z "${ARMATURE:-}" ]; then
    swift build -c release --product armature >/dev/null
    ARMATURE="$(swift build -c release --show-bin-path)/armature"
fi
python=python3
[ -x .venv/bin/python3 ] && python=.venv/bin/python3

name=rt-sac-g95-u2
run="$out/$name-s$seed"
mkdir -p "$out"
[ -e "$run" ] && { echo "$run exists: remove it or pick another OUT" >&2; exit 1; }
robot="$out/reacher-quickmove.yaml"
{ cat robots/reacher.yaml
  echo 'move: {velocity: 10, bandwidth_hz: 8}   # a quick move to each episode start (defaults: 1 rad/s, 2 Hz)'; } > "$robot"

link="$(mktemp -u /tmp/armature-rt-XXXXXX)"
# The emulator stands in for a board with its own CPU: its threads at SCHED_FIFO 40 where allowed, so
# the learner's two threads do not starve the device's physics.
fifo=()
chrt -f 40 true 2>/dev/null && fifo=(chrt -f 40)
"${fifo[@]}" "$ARMATURE" emulate --robot robots/reacher.yaml --link "$link" > "$out/emulator-s$seed.log" 2>&1 &
emulator=$!
trap 'kill -TERM "$emulator" 2>/dev/null || true; wait "$emulator" 2>/dev/null || true' EXIT
for _ in $(seq 50); do [ -e "$link" ] && break; sleep 0.1; done
[ -e "$link" ] || { echo "the emulator did not start:" >&2; cat "$out/emulator-s$seed.log" >&2; exit 1; }

options="--algorithm sac --gamma 0.95 --updates-per-step 2 --threads 2 --episode-start move --realtime-priority 50"
echo "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2-), $(nproc) cores; load before: $(uptime | sed 's/.*load/load/')"
# shellcheck disable=SC2086
"$ARMATURE" train --robot "$robot" --port "$link" --steps "$steps" --seed "$seed" --eval-every 2500 --eval-episodes 100 \
    --checkpoint-every 2500 --out "$run" $options 2>&1 | tee "$out/train-s$seed.log" | grep -vE '^step '
echo "load after: $(uptime | sed 's/.*load/load/')"
"$python" bench/steps_to_solved.py --report-only --out "$out" --seeds "$seed" --steps "$steps" --setting "$name=$options" |
    grep -v '^JSON'
