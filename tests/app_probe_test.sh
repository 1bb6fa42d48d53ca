#!/bin/sh
# A student's own app under the lab's probe (serve.py --app, lab/reference/app_probe.py) on
# loopback: the x-lab-* stamps on its answers, GET /__lab/stats's loop figures for a route that
# blocks the loop and one that runs in the thread pool, the one-line "your app:" refusal with
# exit 2, and no uvicorn left behind when serve.py is killed. Each burst: ten requests at once,
# from one curl.
# Needs python3-fastapi, python3-uvicorn and curl. Last line: "N passed, M failed".
set -u
cd "$(dirname "$0")/.."
. tests/python_side.sh

# The students' apps: one route, /work?ms=, that sleeps on the loop (async def) or in the pool (def).
mkdir -p "$TMP/blocking" "$TMP/pooled" "$TMP/broken"
cat >"$TMP/blocking/main.py" <<'EOF'
import time
from fastapi import FastAPI

app = FastAPI()


@app.get("/work")
async def work(ms: int = 100):
    time.sleep(ms / 1000)
    return {"ok": True}
EOF
sed 's/^async def work/def work/' "$TMP/blocking/main.py" >"$TMP/pooled/main.py"
printf 'from fastapi import FastAPI\napp = FastAPI(\n' >"$TMP/broken/main.py"

# start NAME: serve.py --app $TMP/NAME/main.py in the background; sets PID and URL.
start() {
    $PY "$SERVE" --app "$TMP/$1/main.py" >"$TMP/$1.out" 2>"$TMP/$1.err" &
    PID=$!
    remember "$PID"
    listening "$1"
}

# burst NAME: 10 GET /work?ms=100 at once from one curl (ten connections opened together, as
# ten curl processes on two cores did not: their starts spread over 17 to 103 ms), each answer's
# x-lab-* stamps a line of $TMP/NAME.stamps: start-us end-us pid thread.
burst() {
    out="$TMP/$1.stamps"
    set --  # ten URLs, each with its own -o
    for i in 1 2 3 4 5 6 7 8 9 10; do set -- "$@" -o /dev/null "$URL/work?ms=100"; done
    curl -s -Z --parallel-immediate --parallel-max 10 \
        -w '%header{x-lab-start-us} %header{x-lab-end-us} %header{x-lab-pid} %header{x-lab-thread}\n' \
        "$@" >"$out"
}

# ten NAME: one burst to warm the app up, GET /__lab/stats?reset=1, then the burst measured. The
# warm-up starts the ten threads AnyIO's pool needs for a burst of `def` routes (it starts them on
# first use, each start a wait on the loop for the new thread to take the GIL and say so: up to
# 55 ms at a stretch, the pool's cost once, not the route's).
ten() {
    burst "$1"
    curl -s -o /dev/null "$URL/__lab/stats?reset=1"
    burst "$1"
}

# stamps NAME: prints the start stamps' gaps in ms, in start order, if all ten answers carry
# x-lab-start-us, -end-us, -pid and -thread and none ends before it starts.
stamps() {
    $PY - "$TMP/$1.stamps" <<'EOF'
import sys
rows = [line.split() for line in open(sys.argv[1])]
if len(rows) != 10 or any(len(row) != 4 or not all(f.isdigit() for f in row) for row in rows):
    sys.exit(f"not ten answers with four stamps: {rows}")
if any(int(end) < int(start) for start, end, _, _ in rows):
    sys.exit("an answer ends before it starts")
starts = sorted(int(row[0]) for row in rows)
print(" ".join(str(round((b - a) / 1000)) for a, b in zip(starts, starts[1:])))
EOF
}

# figure KEY: a figure of GET /__lab/stats, as a whole number.
figure() { curl -s "$URL/__lab/stats" | $PY -c "import json,sys; print(int(json.load(sys.stdin)['$1']))"; }

# staircase GAPS...: each start at least 80 ms after the one before (one request at a time).
staircase() { [ $# = 9 ] || return 1; for gap in "$@"; do [ "$gap" -ge 80 ] || return 1; done; }
# together GAPS...: all ten started within 100 ms of the first (they overlapped).
together() { [ $# = 9 ] || return 1; sum=0; for gap in "$@"; do sum=$((sum + gap)); done; [ "$sum" -lt 100 ]; }

if start blocking; then
    ok "blocking: serve.py --app prints 'listening on' ($URL)"
    check "/__lab/health answers" [ "$(curl -s "$URL/__lab/health")" = '{"status":"ok"}' ]
    check "/__lab/ is the probe's: unknown path is 404" \
        [ "$(curl -s -o /dev/null -w '%{http_code}' "$URL/__lab/nope")" = 404 ]
    ten blocking
    gaps=$(stamps blocking)
    check "blocking: 10 answers carry x-lab-start-us, -end-us, -pid, -thread" [ -n "$gaps" ]
    check "blocking: starts form a staircase, >= 80 ms apart (gaps: $gaps)" staircase $gaps
    blocked=$(figure max_loop_blocked_ms)
    check "blocking: max_loop_blocked_ms >= 900 (got $blocked)" [ "${blocked:-0}" -ge 900 ]
    check "blocking: /__lab/stats counts 10 requests since the reset" [ "$(figure requests)" = 10 ]
    stop "$PID"
else
    bad "blocking: serve.py --app prints 'listening on'"
fi

if start pooled; then
    ten pooled
    gaps=$(stamps pooled)
    check "def route: starts overlap (gaps: $gaps)" together $gaps
    blocked=$(figure max_loop_blocked_ms)
    check "def route: max_loop_blocked_ms < 50 (got $blocked)" [ "${blocked:-999}" -lt 50 ]
    # What it served, counted from the reset: a request begun before it counts from its own start
    # (1000 ms here, never the time since the clock's origin)
    curl -s -o /dev/null "$URL/__lab/limiters?reset=1"
    curl -s -o /dev/null "$URL/work?ms=1000" &
    sleep 0.3
    curl -s -o /dev/null "$URL/__lab/limiters?reset=1"
    wait $!
    served=$(curl -s "$URL/__lab/limiters" | $PY -c "import json,sys; d=json.load(sys.stdin); print(d['served'], int(d['served_ms']))")
    check "a request begun before /__lab/limiters' reset: served 1 in 1000 to 2000 ms (got $served)" \
        $PY -c "import sys; n, ms = map(int, sys.argv[1:]); sys.exit(not (n == 1 and 1000 <= ms <= 2000))" $served
    stop "$PID"
else
    bad "pooled: serve.py --app prints 'listening on'"
fi

# A file that cannot be imported: one "your app:" line first, exit 2, at once.
# refused WHAT: serve.py --app WHAT exits 2, and its stderr's first line starts "your app: ".
refused() {
    $PY "$SERVE" --app "$1" >/dev/null 2>"$TMP/refused.err"
    code=$?
    first=$(head -n 1 "$TMP/refused.err")
    [ "$code" = 2 ] && [ "${first#your app: }" != "$first" ] && return 0
    echo "exit $code, stderr:"; cat "$TMP/refused.err"
    return 1
}
check "a file that does not import: 'your app:' line, exit 2" refused "$TMP/broken/main.py"
check "no such attribute: 'your app:' line, exit 2" refused "$TMP/blocking/main.py:nope"
check "no such file: 'your app:' line, exit 2" refused "$TMP/nowhere/main.py"

# serve.py killed with SIGKILL: its uvicorn dies with it (prctl PDEATHSIG) within a second.
# uvicorn_of PID: PID's children, from /proc. gone PID: it has left (or is a zombie) within 1 s.
uvicorn_of() {
    $PY - "$1" <<'EOF'
import os, sys
for entry in filter(str.isdigit, os.listdir("/proc")):
    try:
        with open(f"/proc/{entry}/stat") as f:
            if f.read().rsplit(")", 1)[1].split()[1] == sys.argv[1]:
                print(entry)
    except (OSError, IndexError):
        pass  # gone meanwhile
EOF
}
gone() {
    [ -n "$1" ] || return 1
    for _ in $(seq 20); do
        state=$(cut -d')' -f2 "/proc/$1/stat" 2>/dev/null | cut -d' ' -f2)
        [ -z "$state" ] || [ "$state" = Z ] && return 0
        sleep 0.05
    done
    return 1
}
if start blocking; then
    child=$(uvicorn_of "$PID")
    kill -9 "$PID"; wait "$PID" 2>/dev/null
    check "serve.py killed with SIGKILL: its uvicorn (${child:-none found}) is gone within 1 s" gone "$child"
else
    bad "blocking: serve.py --app starts again"
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
