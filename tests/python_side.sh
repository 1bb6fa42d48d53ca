# What the shell tests of the Python side share (sourced, POSIX sh): Debian's interpreter and
# serve.py, skipping (exit 77) without FastAPI, uvicorn or curl, a scratch folder, the processes to
# stop by PID on exit (remember PID), and the ok/bad/check counters whose last line ctest reads.
PY=/usr/bin/python3
SERVE=lab/reference/serve.py
if ! $PY -c 'import fastapi, uvicorn' 2>/dev/null || ! command -v curl >/dev/null; then
    echo "needs python3-fastapi, python3-uvicorn and curl (apt-get install): skipped"
    echo "0 passed, 0 failed"
    exit 77  # ctest: SKIP_RETURN_CODE 77
fi
TMP=$(mktemp -d)
passed=0 failed=0 pids=

remember() { pids="$pids $1"; }
cleanup() {
    for pid in $pids; do kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null; done
    rm -rf "$TMP"
}
trap cleanup EXIT

ok() { passed=$((passed + 1)); echo "ok    $1"; }
bad() { failed=$((failed + 1)); echo "FAIL  $1${2:+: $2}"; }
check() { name=$1; shift; if "$@"; then ok "$name"; else bad "$name"; fi; }
