#!/usr/bin/env bash
# Dynamixel deploy-loop benchmark against the real-time bus emulator (robots/xm430-two-joint.yaml,
# two XM430-W350): the step's SYNC WRITE + SYNC READ round trip and the control loop's overruns at
# each rate, at 1 and 4 Mbit/s (the emulator holds each exchange for its bytes' time at that rate).
# With LATENCY_MS set, the emulator also imitates a USB adapter's latency timer (FTDI: 16 ms by
# default, 1 ms when set) at 1 Mbit/s.
# Usage: [LATENCY_MS=16] bench/dynamixel_loop.sh POLICY [SECONDS]   (a policy for xm430-two-joint; record in BENCHMARKS.md)
set -euo pipefail
cd "$(dirname "$0")/.."
policy="${1:?usage: bench/dynamixel_loop.sh POLICY [SECONDS]}"
seconds="${2:-10}"
swift build -c release --product armature >/dev/null
bin="$(swift build -c release --show-bin-path)/armature"
robot=robots/xm430-two-joint.yaml
bauds=(1000000 4000000)
rates=(100 250 500 1000)
latency=()
if [ -n "${LATENCY_MS:-}" ]; then bauds=(1000000); rates=(25 50 100 250 500); latency=(--latency-timer-ms "$LATENCY_MS"); fi
for baud in "${bauds[@]}"; do
    link="$(mktemp -u /tmp/armature-dxl-bench-XXXXXX)"
    "$bin" emulate --robot "$robot" --bus dynamixel --baud "$baud" --link "$link" "${latency[@]}" >/dev/null 2>&1 &
    emulator=$!
    trap 'kill -TERM "$emulator" 2>/dev/null || true' EXIT
    for _ in $(seq 50); do [ -e "$link" ] && break; sleep 0.1; done
    for rate in "${rates[@]}"; do
        # A run that a fault stops (lost status packets on a loaded machine) is reported, not fatal.
        out=$("$bin" run --robot "$robot" --policy "$policy" --port "$link" --duration "$seconds" --rate-hz "$rate" --seed 1 2>&1 || true)
        printf '%8s bit/s %5s Hz %s| %s | %s | %s\n' "$baud" "$rate" "${LATENCY_MS:+latency timer $LATENCY_MS ms }" \
            "$(grep '^loop:' <<<"$out" | sed 's/^loop: //')" \
            "$(grep '^bus:' <<<"$out" | sed 's/^bus: //; s/;.*//')" \
            "$(grep '^stop:' <<<"$out" | sed 's/^stop: //; s/; torque off//')"
    done
    kill -TERM "$emulator"
    wait "$emulator" 2>/dev/null || true
done
