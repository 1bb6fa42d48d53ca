#!/usr/bin/env bash
# The notebooks, executed headless as CI does: a fresh `lab run blocking-async` results folder,
# then both notebooks run with nbconvert into a temporary folder (never in place).
# Needs python3-nbconvert, python3-ipykernel, python3-matplotlib, python3-pandas.
# `lab` comes from LAB_BINARY, else PATH, else build/lab. Last line: "N passed, M failed".
set -u
cd "$(dirname "$0")/.."
ROOT=$PWD
PY=/usr/bin/python3
passed=0 failed=0

ok() { passed=$((passed + 1)); echo "ok    $1"; }
bad() { failed=$((failed + 1)); echo "FAIL  $1"; }

if ! $PY -c 'import nbconvert, nbformat, ipykernel, matplotlib, pandas' 2>/dev/null; then
    echo "needs python3-nbconvert python3-nbformat python3-ipykernel python3-matplotlib python3-pandas: skipped"
    echo "0 passed, 0 failed"
    exit 77  # ctest: SKIP_RETURN_CODE 77
fi

LAB=${LAB_BINARY:-$(command -v lab || echo "$ROOT/build/lab")}
export LAB_BINARY=$LAB
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

# The notebooks are kept without outputs; executing them must not need any.
for nb in notebooks/*.ipynb; do
    if $PY -c 'import json,sys; nb=json.load(open(sys.argv[1])); sys.exit(any(c.get("outputs") or c.get("execution_count") for c in nb["cells"]))' "$nb"; then
        ok "$nb is stored without outputs"
    else
        bad "$nb is stored without outputs (clear them before committing)"
    fi
done

if "$LAB" run blocking-async --delay 20 --repeat 1 --quiet --out "$TMP/results" >"$TMP/lab.out" 2>&1; then
    ok "lab run blocking-async --delay 20 --repeat 1 ($LAB)"
else
    bad "lab run blocking-async --delay 20 --repeat 1 ($LAB)"; cat "$TMP/lab.out"
fi
RUN=$(ls -d "$TMP"/results/blocking-async/*/ 2>/dev/null | head -1)

# execute NOTEBOOK [VAR=value...]: nbconvert into $TMP/out, with the variables set.
execute() {
    local nb=$1; shift
    env "$@" timeout 600 $PY -m nbconvert --to notebook --execute "notebooks/$nb.ipynb" \
        --ExecutePreprocessor.timeout=300 --output-dir "$TMP/out" --output "$nb" \
        >"$TMP/$nb.log" 2>&1
}

# images NOTEBOOK: how many PNG outputs the executed notebook holds.
images() {
    $PY -c 'import json,sys; nb=json.load(open(sys.argv[1]))
print(sum("image/png" in o.get("data", {}) for c in nb["cells"] for o in c.get("outputs", [])))' \
        "$TMP/out/$1.ipynb" 2>/dev/null || echo 0
}

if execute explore_results LAB_RESULTS="$RUN" LAB_FIGURES="$TMP/figures"; then
    ok "explore_results.ipynb executes on $RUN"
    n=$(images explore_results)
    [ "$n" -ge 3 ] && ok "explore_results: $n figures (2 timelines, 1 comparison)" \
        || bad "explore_results: $n figures, expected 3"
    n=$(ls "$TMP/figures"/*.png 2>/dev/null | wc -l)
    [ "$n" -ge 3 ] && ok "LAB_FIGURES: $n PNG files saved" || bad "LAB_FIGURES: $n PNG files saved"
    grep -q '<td>sequential</td>' "$TMP/out/explore_results.ipynb" && grep -q '<td>concurrent</td>' "$TMP/out/explore_results.ipynb" \
        && ok "explore_results: the table shows both verdicts" || bad "explore_results: verdicts missing"
else
    bad "explore_results.ipynb executes on $RUN"; tail -30 "$TMP/explore_results.log"
fi

# Without LAB_RESULTS it reads the newest run under ../results; give it a copy of that layout.
mkdir -p "$TMP/tree/results" "$TMP/tree/notebooks"
cp notebooks/explore_results.ipynb notebooks/labplots.py "$TMP/tree/notebooks/"
cp -r "$TMP/results/blocking-async" "$TMP/tree/results/"
if (cd "$TMP/tree" && env -u LAB_RESULTS -u LAB_FIGURES timeout 600 $PY -m nbconvert --to notebook \
        --execute notebooks/explore_results.ipynb --output-dir "$TMP/out" --output default \
        >"$TMP/default.log" 2>&1) && grep -q "$TMP/tree/results/blocking-async/" "$TMP/out/default.ipynb"; then
    ok "explore_results.ipynb defaults to the newest folder under ../results"
else
    bad "explore_results.ipynb defaults to the newest folder under ../results"; tail -20 "$TMP/default.log"
fi

if execute classroom_handout; then
    ok "classroom_handout.ipynb executes (lab run experiment-log --delay 20 --repeat 2)"
    n=$(images classroom_handout)
    [ "$n" -ge 5 ] && ok "classroom_handout: $n figures (4 timelines, 1 comparison)" \
        || bad "classroom_handout: $n figures, expected 5"
else
    bad "classroom_handout.ipynb executes"; tail -30 "$TMP/classroom_handout.log"
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
