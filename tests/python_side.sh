# What the shell tests of the Python side share (sourced, POSIX sh): Debian's interpreter and
# serve.py, skipping (exit 77) without FastAPI, uvicorn or curl, a scratch folder, the processes to
# stop by PID on exit (remember PID), waiting for serve.py's start-up line (listening), and the
# ok/bad/check counters whose last line ctest reads.
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

# listening NAME: once serve.py (started as $PID, its output in $TMP/NAME.out) prints "listening on
# http://...", sets URL; if it dies or 10 s pass first, prints its stderr and fails.
listening() {
    URL=
    for _ in $(seq 200); do
        line=$(head -n 1 "$TMP/$1.out" 2>/dev/null)
        case $line in "listening on http://"*) URL=${line#listening on }; return 0 ;; esac
        kill -0 "$PID" 2>/dev/null || break
        sleep 0.05
    done
    cat "$TMP/$1.err"
    return 1
}

stop() { kill "$1" 2>/dev/null; wait "$1" 2>/dev/null; }
