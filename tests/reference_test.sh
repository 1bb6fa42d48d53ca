#!/usr/bin/env bash
# The FastAPI reference apps (lab/reference/) on loopback: the start-up protocol of `lab serve`,
# the same JSON, and the experiment log's core lesson timed with ten concurrent requests.
# Needs python3-fastapi, python3-uvicorn and curl. Last line: "N passed, M failed".
set -u
cd "$(dirname "$0")/.."
. tests/python_side.sh
not() { ! "$@"; }

# start VARIANT [options...]: runs serve.py in the background, sets PID and URL.
start() {
    $PY "$SERVE" --variant "$@" >"$TMP/$1.out" 2>"$TMP/$1.err" &
    PID=$!
    remember "$PID"
    listening "$1"
}

# The processes below PID (uvicorn, its workers), and whether all of them have gone (2 s grace).
# A zombie has gone (it runs nothing and holds nothing): whoever inherited an orphan reaps it in
# its own time, and on some machines init takes seconds.
descendants() { local p; for p in $(pgrep -P "$1"); do echo "$p"; descendants "$p"; done; }
running() { local state; state=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -c1) && [ -n "$state" ] && [ "$state" != Z ]; }
all_gone() {
    local p
    [ $# -gt 0 ] || return 1
    for _ in $(seq 40); do
        for p in "$@"; do running "$p" && break; p=; done
        [ -z "$p" ] && return 0
        sleep 0.05
    done
    return 1
}

# json_has URL KEY...: the answer is 200 JSON with every KEY; for /delay, the server's stamps
# are CLOCK_MONOTONIC microseconds that fall inside the request as this client saw it.
json_has() {
    $PY - "$@" <<'EOF'
import json, sys, time, urllib.request
url, keys = sys.argv[1], sys.argv[2:]
before = time.monotonic_ns() // 1000
with urllib.request.urlopen(url, timeout=5) as answer:
    body = json.load(answer)
after = time.monotonic_ns() // 1000
missing = [k for k in keys if k not in body]
if missing:
    sys.exit(f"missing {missing} in {body}")
if "server_start_us" in body and not before <= body["server_start_us"] <= body["server_end_us"] <= after:
    sys.exit(f"stamps not CLOCK_MONOTONIC within the request: {before} {body} {after}")
EOF
}

# on_main_thread URL: the JSON's thread_id is its worker_id (Linux: the main thread's TID is the PID).
on_main_thread() {
    curl -s "$1" | $PY -c 'import json,sys; b=json.load(sys.stdin); sys.exit(b["thread_id"] != b["worker_id"])'
}

status_of() { curl -s -o /dev/null -w '%{http_code}' "$1"; }

# makespan_ms URL N: N concurrent GETs, first sent to last answered, in ms. One client process
# opens the N connections first, then sends on all of them at once: the figure is the server's,
# not the time a busy machine takes to start N client processes (ten curls took 226 ms there).
makespan_ms() {
    $PY - "$1" "$2" <<'EOF'
import http.client, sys, threading, time, urllib.parse
url, n = urllib.parse.urlsplit(sys.argv[1]), int(sys.argv[2])
conns = [http.client.HTTPConnection(url.hostname, url.port, timeout=30) for _ in range(n)]
for c in conns:
    c.connect()
go = threading.Barrier(n + 1)
def ask(c):
    go.wait()
    c.request("GET", url.path + "?" + url.query)
    c.getresponse().read()
threads = [threading.Thread(target=ask, args=(c,)) for c in conns]
for t in threads:
    t.start()
go.wait()
t0 = time.monotonic()
for t in threads:
    t.join()
print(int((time.monotonic() - t0) * 1000))
EOF
}

# background_task URL: POST /background/delay?ms=300 is answered 202 before its task is done,
# and /stats counts the task done once it has run, within 0.5 s of the answer. (In the blocking
# variant the task holds the loop, so /stats could not answer while it runs.) /stats is asked
# again until then, not once after the whole 0.5 s.
background_task() {
    local t0 t1 code
    t0=$(date +%s%N)
    code=$(curl -s -o /dev/null -w '%{http_code}' -X POST "$1/background/delay?ms=300")
    t1=$(date +%s%N)
    [ "$code" = 202 ] && [ $(((t1 - t0) / 1000000)) -lt 250 ] || return 1
    while :; do
        curl -s "$1/stats" | $PY -c 'import json,sys; b=json.load(sys.stdin); sys.exit(b["background_running"] != 0 or b["background_done"] != 1)' &&
            return 0
        [ $((($(date +%s%N) - t1) / 1000000)) -lt 500 ] || return 1
        sleep 0.05
    done
}

# work.py's ledger alone: two threads each using a whole core over the same 100 ms count two; two
# that take turns (half a core each over it) count one.
ledger_counts() {
    $PY - "$@" <<'EOF'
import sys
sys.path.insert(0, "lab/reference")
import work
want, stretches = int(sys.argv[1]), [float(x) for x in sys.argv[2:]]
for cpu in stretches:
    work.credit(100.0, 100.1, cpu)
sys.exit(work.computing_at_once(True)["max_computing_at_once"] != want)
EOF
}
check "work.py's ledger: two side by side, each a whole core, count two" ledger_counts 2 0.1 0.1
check "work.py's ledger: two taking turns, half a core each, count one" ledger_counts 1 0.05 0.05

DELAY_KEYS="message start_time end_time worker_id thread_id server_start_us server_end_us"
for variant in blocking awaiting threaded run_in_threadpool; do
    if ! start "$variant"; then bad "$variant: serve.py prints 'listening on'"; continue; fi
    ok "$variant: serve.py prints 'listening on' ($URL)"
    check "$variant: GET /health" [ "$(curl -s "$URL/health")" = '{"status":"ok"}' ]
    check "$variant: GET / has message, worker_id" json_has "$URL/" message worker_id
    check "$variant: GET /delay?ms=10 fields and stamps" json_has "$URL/delay?ms=10" $DELAY_KEYS
    check "$variant: GET /cpu?ms=10 fields" json_has "$URL/cpu?ms=10" $DELAY_KEYS cpu_ms_requested cpu_ms_used
    check "$variant: POST /delay answers 200" [ "$(curl -s -o /dev/null -w '%{http_code}' -X POST "$URL/delay?ms=1")" = 200 ]
    check "$variant: /delay?ms=abc is 400" [ "$(status_of "$URL/delay?ms=abc")" = 400 ]
    check "$variant: /delay?ms=60001 is 400" [ "$(status_of "$URL/delay?ms=60001")" = 400 ]
    check "$variant: unknown path is 404" [ "$(status_of "$URL/nope")" = 404 ]
    check "$variant: POST /background/delay answers 202 first, /stats counts its task" background_task "$URL"
    check "$variant: GET /background/cpu is 405" [ "$(status_of "$URL/background/cpu")" = 405 ]
    case $variant in
    blocking | awaiting) check "$variant: /delay runs on the loop's (main) thread" on_main_thread "$URL/delay?ms=1" ;;
    *) check "$variant: /delay runs on a pool thread" not on_main_thread "$URL/delay?ms=1" ;;
    esac
    curl -s -o /dev/null "$URL/stats?reset=1"
    ms=$(makespan_ms "$URL/delay?ms=100" 10)
    # The loop's own account (loop_watch.py, as the probe keeps it): one process on asyncio's loop.
    blocked=$(curl -s "$URL/stats" | $PY -c 'import json,sys; print(int(json.load(sys.stdin).get("max_loop_blocked_ms", -1)))')
    if [ "$variant" = blocking ]; then
        check "blocking: 10 x /delay?ms=100 take >= 1.0 s (took ${ms} ms)" [ "$ms" -ge 1000 ]
        check "blocking: /stats says a sleep held the loop, >= 100 ms (said ${blocked} ms)" [ "$blocked" -ge 100 ]
    else
        check "$variant: 10 x /delay?ms=100 take < 0.5 s (took ${ms} ms)" [ "$ms" -lt 500 ]
        check "$variant: /stats gives the loop's figure (${blocked} ms)" [ "$blocked" -ge 0 ]
    fi
    # Four computing at once under CPython's GIL: they take turns, so /stats counts one computing
    # at a time (work.py's ledger, the CPU per slice of the clock), never none and never two.
    curl -s -o /dev/null "$URL/stats?reset=1"
    makespan_ms "$URL/cpu?ms=100" 4 >/dev/null
    most=$(curl -s "$URL/stats" | $PY -c 'import json,sys; print(json.load(sys.stdin).get("max_computing_at_once", -1))')
    check "$variant: 4 x /cpu?ms=100 compute one at a time under the GIL (/stats said $most)" [ "$most" = 1 ]
    kids=$(descendants "$PID")
    stop "$PID"
    check "$variant: stops on SIGTERM, uvicorn with it" all_gone $kids
done

$PY "$SERVE" --variant nope >/dev/null 2>&1
code=$?
check "unknown variant: usage error, exit 2 (got $code)" [ "$code" = 2 ]

# --threads sizes the pool `def` routes run on (AnyIO's limiter): 10 sleeps of 100 ms on 5
# threads take two waves, at least 0.2 s (a floor no server beats), where 40 threads take one.
rm -f "$TMP"/threaded.out
if start threaded --threads 5; then
    ms=$(makespan_ms "$URL/delay?ms=100" 10)
    check "--threads 5: 10 x /delay?ms=100 take two waves, >= 200 ms (took ${ms} ms)" [ "$ms" -ge 200 ]
    check "--threads 5: ... and not ten, < 600 ms (took ${ms} ms)" [ "$ms" -lt 600 ]
    stop "$PID"
else
    bad "--threads 5 starts"
fi
check "--threads 0: usage error" not $PY "$SERVE" --variant threaded --threads 0 2>/dev/null

# --loop names the event loop, never left to what is installed: uvicorn runs on the one asked for
# (seen in its command line), and uvloop's awaiting route waits all 10 sleeps at once.
rm -f "$TMP"/awaiting.out
if start awaiting --loop uvloop; then
    ms=$(makespan_ms "$URL/delay?ms=100" 10)
    check "--loop uvloop: 10 x /delay?ms=100 wait together, >= 100 ms and < 300 ms (took ${ms} ms)" [ "$ms" -ge 100 -a "$ms" -lt 300 ]
    loops=$(for k in $(descendants "$PID"); do tr '\0' ' ' < /proc/$k/cmdline 2>/dev/null; echo; done | grep -o -- '--loop [a-z]*' | sort -u)
    check "--loop uvloop: uvicorn was started with --loop uvloop (saw: $loops)" [ "$loops" = "--loop uvloop" ]
    stop "$PID"
else
    bad "--loop uvloop starts"
fi
check "--loop bogus: usage error" not $PY "$SERVE" --variant awaiting --loop bogus 2>/dev/null

# WSGI (wsgi_app.py): Flask under gunicorn. Two sync workers serve one request each at a time, so 8
# sleeps of 100 ms take four waves at least; one gthread worker of 4 threads, two waves at least.
# Every process goes with serve.py.
for shape in "--workers 2 --threads 1:400:800" "--workers 1 --threads 4:200:600"; do
    IFS=: read -r options floor ceiling <<<"$shape"
    rm -f "$TMP"/flask.out
    # shellcheck disable=SC2086
    if start flask $options; then
        ms=$(makespan_ms "$URL/delay?ms=100" 8)
        check "flask $options: 8 x /delay?ms=100, >= $floor ms and < $ceiling ms (took ${ms} ms)" [ "$ms" -ge "$floor" -a "$ms" -lt "$ceiling" ]
        kids=$(descendants "$PID")
        stop "$PID"
        check "flask $options: gunicorn's master and workers stop with serve.py" all_gone $kids
    else
        bad "flask $options starts"
    fi
done

# The other ASGI servers (--server hypercorn|daphne): the awaiting route waits all 10 at once there too.
for server in hypercorn daphne; do
    rm -f "$TMP"/awaiting.out
    if start awaiting --server "$server"; then
        ms=$(makespan_ms "$URL/delay?ms=100" 10)
        check "$server: 10 x /delay?ms=100 wait together, >= 100 ms and < 300 ms (took ${ms} ms)" [ "$ms" -ge 100 -a "$ms" -lt 300 ]
        kids=$(descendants "$PID")
        stop "$PID"
        check "$server: it and all it started stop with serve.py" all_gone $kids
    else
        bad "$server starts"
    fi
done

# Several uvicorn workers: each answers before serve.py says it is listening.
rm -f "$TMP"/awaiting.out
if start awaiting --workers 2; then
    # One shared socket: the kernel may hand several connections in a row to one worker, so ask
    # until both have answered (at most 60 times).
    seen=$(for _ in $(seq 60); do curl -s "$URL/"; echo; done | $PY -c \
        'import json,sys
seen = set()
for line in sys.stdin:
    if line.strip(): seen.add(json.loads(line)["worker_id"])
    if len(seen) == 2: break
print(len(seen))')
    check "--workers 2: two processes answer / (saw $seen)" [ "$seen" = 2 ]
    kids=$(descendants "$PID")
    stop "$PID"
    check "--workers 2: uvicorn and both workers stop with serve.py" all_gone $kids
else
    bad "--workers 2 starts"
fi

# Dies with its parent, even one killed with SIGKILL: serve.py, uvicorn and its workers.
bash -c "$PY $SERVE --variant threaded --workers 2 >$TMP/orphan.out 2>/dev/null; :" &
parent=$!
remember "$parent"
for _ in $(seq 200); do grep -q listening "$TMP/orphan.out" 2>/dev/null && break; sleep 0.05; done
kids=$(descendants "$parent")
kill -9 "$parent"; wait "$parent" 2>/dev/null
check "parent killed with SIGKILL: serve.py, uvicorn, workers all die ($(echo $kids | wc -w) processes)" \
    all_gone $kids

# A port already taken: the reason on stderr and a non-zero exit at once, not after a timeout.
$PY -c 'import socket,sys,time; s=socket.socket(); s.bind(("127.0.0.1",0)); s.listen(); print(s.getsockname()[1], flush=True); time.sleep(20)' >"$TMP/holder" &
holder=$!
remember "$holder"
for _ in $(seq 100); do [ -s "$TMP/holder" ] && break; sleep 0.05; done
t0=$(date +%s)
$PY "$SERVE" --variant blocking --port "$(cat "$TMP/holder")" >/dev/null 2>"$TMP/taken.err"
code=$? took=$(($(date +%s) - t0))
check "port in use: exits non-zero at once (code $code, $took s)" [ "$code" -ne 0 -a "$took" -lt 10 ]
check "port in use: says why on stderr" grep -q "address already in use" "$TMP/taken.err"
stop "$holder"

# Without FastAPI/uvicorn importable (python -S leaves out dist-packages): one line, exit 3.
$PY -S "$SERVE" --variant blocking >/dev/null 2>"$TMP/missing.err"
code=$?
check "fastapi missing: exit 3 (got $code)" [ "$code" = 3 ]
check "fastapi missing: one line on stderr" [ "$(wc -l <"$TMP/missing.err")" = 1 ]

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
