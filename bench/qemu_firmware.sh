#!/usr/bin/env bash
# The STM32F405 firmware on QEMU's netduinoplus2 against the simulator, one actor, same seed: the
# firmware's flash and RAM (stub build and QEMU build), then EPISODES episodes of `armature run --port`
# over QEMU's pty (returns, round trips, link counters) and of `armature run --sim` with the episodes
# started as on hardware (--episode-start move) and placed exactly (place). The returns differ by the
# plant: the firmware's per-joint rotors against the simulator's coupled arm (BENCHMARKS.md).
# Usage: bench/qemu_firmware.sh POLICY [EPISODES]   (ARMATURE=path picks the binary; default the
# release build; record in BENCHMARKS.md)
set -euo pipefail
cd "$(dirname "$0")/.."
policy="${1:?usage: bench/qemu_firmware.sh POLICY [EPISODES]}"
episodes="${2:-20}"
if [ -z "${ARMATURE:-}" ]; then
    swift build -c release --product armature >/dev/null
    ARMATURE="$(swift build -c release --show-bin-path)/armature"
fi
make -s -C firmware-protocol firmware firmware-qemu | grep -v '^arm-none-eabi' || true
arm-none-eabi-size firmware-protocol/build/mcu/armature-fw.elf firmware-protocol/build/mcu-qemu/armature-fw.elf
log="$(mktemp /tmp/armature-qemu-bench-XXXXXX)"
timeout 600 qemu-system-arm -M netduinoplus2 -nographic -monitor none -chardev pty,id=usart1 -serial chardev:usart1 \
    -kernel firmware-protocol/build/mcu-qemu/armature-fw.elf >"$log" 2>&1 &
qemu=$!
trap 'kill "$qemu" 2>/dev/null || true; rm -f "$log"' EXIT
for _ in $(seq 100); do grep -q '/dev/pts/' "$log" && break; sleep 0.1; done
pty=$(grep -o '/dev/pts/[0-9]*' "$log" | head -1)
echo "load before: $(uptime)"
echo "== QEMU ($pty)"
timeout 900 "$ARMATURE" run --robot robots/reacher-qemu.yaml --policy "$policy" --port "$pty" --episodes "$episodes" --seed 1 2>&1 |
    grep -E '^(episode|return|final|link|stop|loop)' || true
echo "load after: $(uptime)"
for start in move place; do
    echo "== --sim --episode-start $start"
    "$ARMATURE" run --robot robots/reacher.yaml --policy "$policy" --sim --episodes "$episodes" --seed 1 --episode-start "$start" \
        --as-fast-as-possible 2>&1 | grep -E '^(episode|return|final)'
done
