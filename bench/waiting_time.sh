#!/usr/bin/env bash
# A benchmark, not a test: how long the lab makes a teacher wait (issue 44's goals 4 and 5).
#   bash bench/waiting_time.sh check [SCENARIO ...]   `lab check --quick` (default: every scenario):
#        its wall time against the sum of the lessons' own estimates (`lab check` says the sum
#        first: "about N s"); goal ≤ 1.4 ×
#   bash bench/waiting_time.sh doctor                 `lab doctor` with its defaults on an app of
#        20 GET routes (bench/apps/twenty_routes.py, real FastAPI); goal ≤ 60 s
# ROUNDS rounds (default 3), each line the round's figures, then the median. LAB: the binary
# (default build/lab).
BENCH=bench/waiting_time.sh
ROUNDS=${ROUNDS:-3}
source "$(dirname "${BASH_SOURCE[0]}")/lab_bench_setup.sh"
what=${1:-}
shift || true

seconds() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.1f", b - a}'; }
median() { sort -n | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }

walls=()
case "$what" in
check)
    for round in $(seq "$ROUNDS"); do
        start=$(date +%s.%N)
        status=0
        "$LAB" check --quick "$@" >"$OUT/check.out" 2>"$OUT/check.err" || status=$?
        wall=$(seconds "$start" "$(date +%s.%N)")
        estimate=$(sed -n 's/^lab check: .* scenarios, about \([0-9]*\) s.*/\1/p' "$OUT/check.err" | head -n 1)
        walls+=("$(awk -v w="$wall" -v e="$estimate" 'BEGIN {printf "%.2f", w / e}')")
        echo "round $round: $wall s against the lessons' estimates, $estimate s: ${walls[-1]} × (exit $status; $(tail -n 1 "$OUT/check.out"))"
    done
    echo "median over $ROUNDS rounds: $(printf '%s\n' "${walls[@]}" | median) × the estimates (goal ≤ 1.4)"
    ;;
doctor)
    for round in $(seq "$ROUNDS"); do
        start=$(date +%s.%N)
        status=0
        "$LAB" doctor bench/apps/twenty_routes.py:app --out "$OUT/doctor-$round" >"$OUT/doctor.out" 2>"$OUT/doctor.err" || status=$?
        walls+=("$(seconds "$start" "$(date +%s.%N)")")
        estimate=$(sed -n 's/.*then all at once: about \([0-9]*\) s.*/\1/p' "$OUT/doctor.err" | head -n 1)
        echo "round $round: ${walls[-1]} s, its estimate (said once the app answered) ${estimate:-?} s (exit $status: 1 means the doctor named a hold)"
    done
    echo "median over $ROUNDS rounds: $(printf '%s\n' "${walls[@]}" | median) s (goal ≤ 60 s)"
    ;;
*)
    echo "usage: bash $BENCH check [SCENARIO ...] | doctor" >&2
    exit 2
    ;;
esac
