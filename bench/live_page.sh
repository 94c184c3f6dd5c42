#!/usr/bin/env bash
# What the live page costs the deploy loop (issue 13): `run --sim --duration SECONDS --rate-hz 500`
# without --live, with --live and no page open, and with --live and one client reading every message
# (scripts/live-client.py watch, on the same machine), each at normal priority (--realtime-priority 0)
# and with --realtime-priority PRIORITY; the six configurations alternate, ROUNDS times. Prints one
# line per run: the load average before it, the CPU time the hypervisor took from this VM during it
# (steal, /proc/stat; no priority inside the VM helps against that), jitter p99 and max, overruns,
# samples dropped, how the loop thread ran. Needs .venv (scripts/install-python-packages).
# Usage: bench/live_page.sh POLICY [SECONDS] [ROUNDS] [PRIORITY]   (record in BENCHMARKS.md)
set -euo pipefail
cd "$(dirname "$0")/.."
policy="${1:?usage: bench/live_page.sh POLICY [SECONDS] [ROUNDS] [PRIORITY]}"
seconds="${2:-20}"
rounds="${3:-3}"
priority="${4:-50}"
swift build -c release --product armature >/dev/null
bin="$(swift build -c release --show-bin-path)/armature"
work="$(mktemp -d /tmp/armature-live-bench-XXXXXX)"
trap 'rm -rf "$work"' EXIT

measure() {  # page (none|idle|client), priority → one line
    local page="$1" rt="$2" out="$work/run.out" load steal client=""
    load="$(cut -d' ' -f1 /proc/loadavg)"
    steal="$(awk 'NR == 1 { print $9 }' /proc/stat)"
    local args=(run --sim --policy "$policy" --duration "$seconds" --rate-hz 500 --seed 1 --realtime-priority "$rt")
    [ "$page" = none ] || args+=(--live 127.0.0.1:0)
    "$bin" "${args[@]}" >"$out" 2>&1 &
    local run=$!
    if [ "$page" = client ]; then
        for _ in $(seq 100); do grep -q '^live page: http' "$out" && break; sleep 0.05; done
        local url
        url="$(grep -m1 '^live page: http' "$out" | sed 's/^live page: //' || true)"
        .venv/bin/python3 scripts/live-client.py watch "$url" "$work/seen.json" --states 100000000 >/dev/null 2>&1 &
        client=$!
    fi
    wait "$run" || { echo "$page rt $rt: the run failed (status $?):"; tail -5 "$out"; }
    [ -z "$client" ] || wait "$client" || true
    steal=$(( $(awk 'NR == 1 { print $9 }' /proc/stat) - steal ))
    printf '%-7s rt %-2s | load %5s | steal %4d ticks | %s | %s | %s\n' "$page" "$rt" "$load" "$steal" \
        "$(grep '^loop:' "$out" | sed 's/^loop: [0-9]* cycles, period mean [0-9.]* ms (target [0-9.]*), //')" \
        "$(grep -o '[0-9]* samples dropped' "$out" || echo '0 samples dropped')" \
        "$(grep '^loop thread:' "$out")"
}
for round in $(seq "$rounds"); do
    echo "round $round"
    for page in none idle client; do
        for rt in 0 "$priority"; do measure "$page" "$rt"; done
    done
done
