#!/bin/bash
# `lab doctor`'s estimate against its wall time (issue 54: within ±30 %), on three apps, RUNS runs
# each: the shop (lab doctor --example), the doctor corpus's before/ (11 of its 13 routes hold the
# loop) and bench/apps/twenty_routes.py. The estimate is the one the doctor says once every route's
# warm-up has answered (the time so far plus "about N s from now"); the wall time is the whole
# command's, from this script's clock. Prints a line a run and each app's median ratio.
#
#     bash bench/doctor_estimate.sh [RUNS]        # from the repository's root, after a build
set -eu
cd "$(dirname "$0")/.."
runs=${1:-3}
lab=${LAB_BINARY:-build/lab}
out=$(mktemp -d /tmp/lab-doctor-estimate-XXXXXX)
trap 'rm -rf "$out"' EXIT
corpus=tests/data/doctor_corpus
apps=("--example" "corpus.main:app --app-dir $corpus/before --examples $corpus/examples.toml"
      "bench/apps/twenty_routes.py:app")
printf '%-12s %4s %10s %10s %7s\n' app run estimate wall ratio
for app in "${apps[@]}"; do
    name=$(echo "$app" | awk '{print $1}' | sed 's|.*/||; s|^--||')
    ratios=()
    for run in $(seq "$runs"); do
        began=$(date +%s.%N)
        # shellcheck disable=SC2086
        estimate=$($lab doctor $app --format json --out "$out" 2>/dev/null |
            /usr/bin/python3 -c 'import json, sys; print(json.load(sys.stdin)["doctor"]["estimate_s"])') || true
        wall=$(/usr/bin/python3 -c "print($(date +%s.%N) - $began)")
        ratio=$(/usr/bin/python3 -c "print(round($wall / $estimate, 3))")
        ratios+=("$ratio")
        printf '%-12s %4d %9.1fs %9.1fs %7.3f\n' "$name" "$run" "$estimate" "$wall" "$ratio"
    done
    printf '%-12s median ratio %s\n' "$name" "$(printf '%s\n' "${ratios[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')"
done
