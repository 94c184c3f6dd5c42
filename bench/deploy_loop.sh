#!/usr/bin/env bash
# Deploy-loop benchmark over the pseudo-terminal: round-trip latency, the highest control rate
# sustained with < 1 % overruns, and the loop's CPU use at 50 Hz and 1 kHz.
# Usage: bench/deploy_loop.sh POLICY [SECONDS]   (run on a quiet machine; record in BENCHMARKS.md)
set -euo pipefail
cd "$(dirname "$0")/.."
policy="${1:?usage: bench/deploy_loop.sh POLICY [SECONDS]}"
seconds="${2:-10}"
swift build -c release --product armature >/dev/null
bin="$(swift build -c release --show-bin-path)/armature"
link="$(mktemp -u /tmp/armature-bench-XXXXXX)"
"$bin" emulate --robot robots/reacher.yaml --link "$link" >/dev/null 2>&1 &
emulator=$!
trap 'kill -TERM "$emulator" 2>/dev/null || true' EXIT
for _ in $(seq 50); do [ -e "$link" ] && break; sleep 0.1; done

measure() {  # rate → one line: rate, cycles, overruns, jitter, round trip, CPU
    local rate="$1" out
    out=$( { /usr/bin/time -f "cpu %P" "$bin" run --robot robots/reacher.yaml --policy "$policy" --port "$link" \
        --duration "$seconds" --rate-hz "$rate" --seed 1; } 2>&1 )
    printf '%6s Hz | %s | %s | %s\n' "$rate" \
        "$(grep '^loop:' <<<"$out" | sed 's/^loop: //')" \
        "$(grep '^link:' <<<"$out" | sed 's/^link: //; s/;.*//')" \
        "$(grep '^cpu' <<<"$out")"
}
for rate in 50 1000 2000 5000 10000; do measure "$rate"; done
