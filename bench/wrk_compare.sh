#!/usr/bin/env bash
# A benchmark, not a test: it prints figures beside goals and never fails on them.
#
#   bash bench/wrk_compare.sh            # expects build/lab (sh cmake/setup.sh run|test builds it)
#   LAB=/path/to/lab bash bench/wrk_compare.sh
#
# 1. The lab's own harness against wrk, on the same `lab serve --mode async-sleep` and GET /health,
#    10 connections: requests per second and p50 latency, as harness/wrk.
#       goal: harness rps >= wrk rps, harness p50 within 10 % of wrk's.
# 2. nginx (one process, `return 200 'ok';`) under the same wrk command: lab rps / nginx rps.
#       goal: >= 0.7.
# 3. Each mode's start-up: from spawning `lab serve --mode M --port P` to the first answered
#    GET /health (median of 5).
#       goal: < 20 ms.
# Installs wrk, nginx-light, curl and python3 with apt-get when missing (as root, or with sudo).
# Builds nothing. Load goes to 127.0.0.1 only. Everything it starts it stops, by PID.
set -euo pipefail
cd "$(dirname "$0")/.."

LAB=${LAB:-build/lab}
if [ ! -x "$LAB" ]; then
    echo "wrk_compare: no executable $LAB; build first (sh cmake/setup.sh run) or set LAB=" >&2
    exit 2
fi
LAB=$(realpath "$LAB")
WRK_SECONDS=5
CONNECTIONS=10
STARTUP_RUNS=5
MODES=(blocking-in-loop async-sleep thread-pool multi-process)

section() { printf '\n== %s ==\n' "$*"; }

# --- packages ------------------------------------------------------------------------------------
missing=()
command -v wrk >/dev/null || missing+=(wrk)
[ -x /usr/sbin/nginx ] || missing+=(nginx-light)
command -v python3 >/dev/null || missing+=(python3)
if [ ${#missing[@]} -gt 0 ]; then
    section "installing ${missing[*]}"
    sudo=""; [ "$(id -u)" = 0 ] || sudo=sudo
    # Keep the package from starting the system's nginx on port 80: we run our own.
    policy_made=""
    if [ ! -e /usr/sbin/policy-rc.d ]; then
        printf '#!/bin/sh\nexit 101\n' | $sudo tee /usr/sbin/policy-rc.d >/dev/null
        $sudo chmod +x /usr/sbin/policy-rc.d
        policy_made=1
    fi
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
    [ -z "$policy_made" ] || $sudo rm -f /usr/sbin/policy-rc.d
fi
NGINX=/usr/sbin/nginx

# --- what we start, we stop ----------------------------------------------------------------------
WORK=$(mktemp -d /tmp/wrk_compare.XXXXXX)
declare -A RUNNING=()  # pid -> what, for everything started and not yet stopped
stop_pid() {  # TERM, then KILL after 2 s; then the same for any child it left behind
    local pid=$1 i child children
    [ -n "${RUNNING[$pid]:-}" ] || return 0
    unset "RUNNING[$pid]"
    children=$(ps -o pid= --ppid "$pid" 2>/dev/null || true)  # multi-process's workers
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < 200; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.01; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null || true
    for child in $children; do  # the supervisor should have stopped them; if not, say so and do it
        for ((i = 0; i < 100; i++)); do kill -0 "$child" 2>/dev/null || break; sleep 0.01; done
        if kill -0 "$child" 2>/dev/null && [ "$(ps -o ppid= -p "$child" | tr -d ' ')" = 1 ]; then
            echo "wrk_compare: worker $child outlived its supervisor; stopping it" >&2
            kill -KILL "$child" 2>/dev/null || true
        fi
    done
}
cleanup() {
    local pid
    for pid in "${!RUNNING[@]}"; do stop_pid "$pid"; done
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Starts `lab serve` in the background (LAB_PID) and waits for its `listening on` line (LAB_PORT).
start_lab() {
    local mode=$1 port=${2:-0} i
    "$LAB" serve --mode "$mode" --port "$port" >"$WORK/serve.out" 2>"$WORK/serve.err" &
    LAB_PID=$!
    RUNNING[$LAB_PID]="lab serve --mode $mode"
    for ((i = 0; i < 500; i++)); do
        LAB_PORT=$(sed -n 's#^listening on http://127\.0\.0\.1:\([0-9][0-9]*\).*#\1#p' "$WORK/serve.out")
        [ -n "$LAB_PORT" ] && return 0
        kill -0 "$LAB_PID" 2>/dev/null || break
        sleep 0.01
    done
    echo "wrk_compare: lab serve --mode $mode did not start:" >&2
    cat "$WORK/serve.err" >&2
    exit 1
}

# wrk's output -> "RPS P50_MS"
run_wrk() {
    local url=$1 out
    out=$(wrk -t1 -c"$CONNECTIONS" -d"${WRK_SECONDS}s" --latency "$url")
    printf '%s\n' "$out" >&2
    printf '%s\n' "$out" | awk '
        function ms(v) {
            if (v ~ /us$/) return substr(v, 1, length(v) - 2) / 1000
            if (v ~ /ms$/) return substr(v, 1, length(v) - 2) + 0
            if (v ~ /s$/)  return substr(v, 1, length(v) - 1) * 1000
            return v + 0
        }
        $1 == "Requests/sec:" { rps = $2 }
        $1 == "50%" { p50 = ms($2) }
        END { if (rps == "" || p50 == "") exit 1; printf "%s %.4f\n", rps, p50 }'
}

ratio() { python3 -c "import sys; a, b = map(float, sys.argv[1:]); print(f'{a / b:.2f}' if b else 'n/a')" "$1" "$2"; }

section "machine"
cpu_busy_percent() {  # of all cores, over one second, from /proc/stat
    local a b
    a=($(head -1 /proc/stat)); sleep 1; b=($(head -1 /proc/stat))
    local total=0 i
    for ((i = 1; i < ${#a[@]}; i++)); do total=$((total + b[i] - a[i])); done
    local idle=$((b[4] - a[4] + b[5] - a[5]))
    echo $(( total > 0 ? 100 * (total - idle) / total : 0 ))
}
BUSY=$(cpu_busy_percent)
echo "$(nproc) cores, ${BUSY} % busy before we start; $("$LAB" --version); $(wrk --version 2>&1 | head -1 | cut -d' ' -f1-2)"
if [ "$BUSY" -gt 10 ]; then
    echo "note: something else is using the CPU; the figures below will be noisy"
fi

# --- 1. harness vs wrk ---------------------------------------------------------------------------
section "1. lab serve --mode async-sleep: wrk, then the lab's harness (GET /health, $CONNECTIONS connections)"
start_lab async-sleep 0
URL="http://127.0.0.1:$LAB_PORT/health"
echo "server: $URL (pid $LAB_PID)"
echo "\$ wrk -t1 -c$CONNECTIONS -d${WRK_SECONDS}s --latency $URL"
read -r WRK_RPS WRK_P50 < <(run_wrk "$URL")

# As many requests as wrk answered in its 5 s, so the measured batch lasts about as long
# (lab load takes 1 to 100000; it also runs one warm-up batch of the same size first).
N=$(python3 -c "import sys; print(max(1000, min(100000, round(float(sys.argv[1]) * $WRK_SECONDS))))" "$WRK_RPS")
echo "\$ lab load $URL --concurrency $CONNECTIONS --requests $N --repeat 1 --quiet --format json --out $WORK/results"
"$LAB" load "$URL" --concurrency "$CONNECTIONS" --requests "$N" --repeat 1 --quiet --format json \
    --out "$WORK/results" >"$WORK/load.json" 2>"$WORK/load.err" || { cat "$WORK/load.err" >&2; exit 1; }
read -r H_RPS H_P50 H_SECONDS < <(python3 - "$WORK/load.json" <<'EOF'
import json, sys
batch = json.load(open(sys.argv[1]))["configurations"][0]["batches"][0]
print(batch["throughput_rps"], batch["latency_s"]["p50"] * 1000, batch["makespan_s"])
EOF
)
printf 'harness: %.0f requests/s, p50 %.3f ms (%d requests in %.2f s%s)\n' "$H_RPS" "$H_P50" "$N" "$H_SECONDS" \
    "$([ "$N" = 100000 ] && echo ', capped at lab load'"'"'s 100000 requests' || true)"
printf 'wrk:     %.0f requests/s, p50 %.3f ms\n' "$WRK_RPS" "$WRK_P50"
RPS_RATIO=$(ratio "$H_RPS" "$WRK_RPS")
P50_RATIO=$(ratio "$H_P50" "$WRK_P50")
echo "harness/wrk: rps $RPS_RATIO (goal >= 1.00), p50 $P50_RATIO (goal 0.90-1.10)"
LAB_RPS=$WRK_RPS
stop_pid "$LAB_PID"

# --- 2. nginx ------------------------------------------------------------------------------------
section "2. nginx, one process, return 200 'ok' (same wrk command)"
NGINX_PORT=$(free_port)
mkdir -p "$WORK/nginx/logs"
cat >"$WORK/nginx/nginx.conf" <<EOF
daemon off;
master_process off;
worker_processes 1;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/logs/error.log warn;
events { worker_connections 1024; }
http {
    access_log off;
    client_body_temp_path $WORK/nginx/client_body;
    server {
        listen 127.0.0.1:$NGINX_PORT;
        location = /health { default_type application/json; return 200 'ok'; }
    }
}
EOF
"$NGINX" -p "$WORK/nginx" -e "$WORK/nginx/logs/error.log" -c "$WORK/nginx/nginx.conf" \
    >"$WORK/nginx/stdout" 2>&1 &
NGINX_PID=$!
RUNNING[$NGINX_PID]=nginx
NGINX_URL="http://127.0.0.1:$NGINX_PORT/health"
for ((i = 0; i < 300; i++)); do
    curl -sf -o /dev/null --max-time 1 "$NGINX_URL" && break
    kill -0 "$NGINX_PID" 2>/dev/null || { cat "$WORK/nginx/stdout" "$WORK/nginx/logs/error.log" >&2; exit 1; }
    sleep 0.01
done
echo "nginx $($NGINX -v 2>&1 | sed 's#.*/##'): $NGINX_URL (pid $NGINX_PID)"
echo "\$ wrk -t1 -c$CONNECTIONS -d${WRK_SECONDS}s --latency $NGINX_URL"
read -r NGINX_RPS NGINX_P50 < <(run_wrk "$NGINX_URL")
NGINX_RATIO=$(ratio "$LAB_RPS" "$NGINX_RPS")
printf 'lab %.0f requests/s, nginx %.0f requests/s: lab/nginx %s (goal >= 0.70)\n' "$LAB_RPS" "$NGINX_RPS" "$NGINX_RATIO"
stop_pid "$NGINX_PID"

# --- 3. start-up ---------------------------------------------------------------------------------
section "3. start-up: spawn \`lab serve --mode M --port P\` -> first answered GET /health (median of $STARTUP_RUNS)"
# One attempt over bash's /dev/tcp, no process spawned: 0 once a 200 came back.
probe() {
    local line
    { exec 3<>"/dev/tcp/127.0.0.1/$1"; } 2>/dev/null || return 1
    printf 'GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n' >&3
    IFS= read -r -t 2 line <&3 || line=""
    exec 3<&- 3>&-
    [[ $line == "HTTP/1."?" 200"* ]]
}
declare -A STARTUP_MS
for mode in "${MODES[@]}"; do
    times=()
    for ((run = 0; run < STARTUP_RUNS; run++)); do
        port=$(free_port)
        t0=${EPOCHREALTIME/./}
        "$LAB" serve --mode "$mode" --port "$port" >"$WORK/startup.out" 2>"$WORK/startup.err" &
        pid=$!
        RUNNING[$pid]="lab serve --mode $mode"
        answered=""
        while ((${EPOCHREALTIME/./} - t0 < 5000000)); do
            if probe "$port"; then answered=${EPOCHREALTIME/./}; break; fi
            kill -0 "$pid" 2>/dev/null || break
        done
        # Stop it only once it has announced itself: multi-process does so when every worker is
        # ready; a supervisor stopped earlier may leave workers behind (see stop_pid).
        for ((i = 0; i < 300; i++)); do grep -q '^listening on' "$WORK/startup.out" && break; sleep 0.01; done
        stop_pid "$pid"
        if [ -z "$answered" ]; then
            echo "wrk_compare: $mode did not answer within 5 s:" >&2
            cat "$WORK/startup.err" >&2
            exit 1
        fi
        times+=("$((answered - t0))")
    done
    sorted=($(printf '%s\n' "${times[@]}" | sort -n))
    median=${sorted[$((STARTUP_RUNS / 2))]}
    STARTUP_MS[$mode]=$(python3 -c "print(f'{$median / 1000:.1f}')")
    printf '%-17s median %6s ms   (runs, ms: %s)\n' "$mode" "${STARTUP_MS[$mode]}" \
        "$(for t in "${times[@]}"; do python3 -c "print(f'{$t / 1000:.1f}', end=' ')"; done)"
done

# --- summary -------------------------------------------------------------------------------------
meets() { python3 -c "import sys; print('yes' if $1 else 'no')"; }
section "summary (goals are targets, not pass/fail)"
printf '%-32s | %-26s | %-12s | %s\n' "measure" "figure" "goal" "met"
printf '%s\n' "---------------------------------+----------------------------+--------------+----"
printf '%-32s | %-26s | %-12s | %s\n' "harness rps / wrk rps" "$RPS_RATIO ($(printf '%.0f / %.0f' "$H_RPS" "$WRK_RPS"))" ">= 1.00" "$(meets "$RPS_RATIO >= 1.0")"
printf '%-32s | %-26s | %-12s | %s\n' "harness p50 / wrk p50" "$P50_RATIO ($(printf '%.3f / %.3f ms' "$H_P50" "$WRK_P50"))" "0.90-1.10" "$(meets "0.9 <= $P50_RATIO <= 1.1")"
printf '%-32s | %-26s | %-12s | %s\n' "lab rps / nginx rps (wrk)" "$NGINX_RATIO ($(printf '%.0f / %.0f' "$LAB_RPS" "$NGINX_RPS"))" ">= 0.70" "$(meets "$NGINX_RATIO >= 0.7")"
for mode in "${MODES[@]}"; do
    printf '%-32s | %-26s | %-12s | %s\n' "start-up $mode" "${STARTUP_MS[$mode]} ms" "< 20 ms" "$(meets "${STARTUP_MS[$mode]} < 20")"
done
