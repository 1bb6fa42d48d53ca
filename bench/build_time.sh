#!/bin/bash
# The build's wall time from a clean folder, as a newcomer waits for it:
#   bash bench/build_time.sh [TARGET ...]          (default: lab)
# ROUNDS rounds (default 3), each configuring a fresh folder and building TARGETs with ninja's own
# parallelism; ccache is switched off (a warm cache would measure nothing). Extra CMake arguments
# come from CMAKE_ARGS (e.g. CMAKE_ARGS=-DLAB_SANITIZE=address,undefined). Prints each round's
# configure and build seconds (and the build's CPU seconds), the median build, and the round's
# five slowest translation units from ninja's log (their wall time while sharing the cores).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(lab)
ROUNDS=${ROUNDS:-3}
export CCACHE_DISABLE=1
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

builds=()
for round in $(seq "$ROUNDS"); do
    rm -rf "$out/build"
    start=$(date +%s.%N)
    # shellcheck disable=SC2086
    cmake -S . -B "$out/build" -G Ninja -DCMAKE_BUILD_TYPE=Release ${CMAKE_ARGS:-} >/dev/null
    configured=$(date +%s.%N)
    # The build's CPU seconds (user + system of the compilers) beside its wall time: the machine's
    # other work stretches the wall time, hardly the CPU seconds.
    TIMEFORMAT='%U %S'
    { time cmake --build "$out/build" --target "${targets[@]}" >"$out/build.log" 2>&1 ||
        { tail -n 30 "$out/build.log" >&2; exit 1; }; } 2>"$out/cpu"
    built=$(date +%s.%N)
    cpu_s=$(awk '{print $1 + $2}' "$out/cpu")
    build_s=$(awk -v a="$configured" -v b="$built" 'BEGIN {print b - a}')
    builds+=("$build_s")
    printf 'round %d: configure %.1f s, build %s %.1f s (%.0f CPU-seconds)\n' "$round" \
        "$(awk -v a="$start" -v b="$configured" 'BEGIN {print b - a}')" "${targets[*]}" "$build_s" "$cpu_s"
    awk 'NR > 1 {printf "  %6.1f s  %s\n", ($2 - $1) / 1000, $4}' "$out/build/.ninja_log" | sort -rn | head -5
done
median=$(printf '%s\n' "${builds[@]}" | sort -n | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}')
printf 'median build of %s over %d rounds: %.1f s\n' "${targets[*]}" "$ROUNDS" "$median"
