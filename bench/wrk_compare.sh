#!/usr/bin/env bash
# A benchmark, not a test: it prints figures beside goals and never fails on them.
#
#   bash bench/wrk_compare.sh            # expects build/lab (sh cmake/setup.sh run|test builds it)
#   LAB=/path/to/lab bash bench/wrk_compare.sh
#
# 1. `lab load` against wrk and hey, on the same `lab serve --mode async-sleep` and GET /health,
#    10 connections for 3 s, with 1 and 2 threads (lab load -t, wrk -t, hey -cpus), three rounds:
#    each tool's median requests per second, p50 latency and CPU time per request (user + system,
#    from /proc/PID/stat while it sends), and lab load / the faster of the two.
#       goals: lab load rps >= the best, its p50 within 10 % of that tool's, its CPU per request
#       within 10 % of wrk's.
# 2. `lab serve --mode async-sleep` against nginx (one process, `return 200` with a body of the
#    same length as the lab's /health), one worker each, under the same wrk -t1 command, in turns,
#    three rounds: requests per second and p99, and each server's CPU a request, user and system
#    time apart (the system time is the kernel's, for the same system calls in both).
#       goals: lab / nginx >= 1.0 in requests per second, p99 no worse.
# Start-up is timed by the Google Benchmark build/bench/lab_bench (bench/startup_bench.cpp).
# Installs wrk, hey, nginx-light, curl and python3 with apt-get when missing (as root, or with sudo).
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
LOAD_SECONDS=3
ROUNDS=3
CONNECTIONS=10

section() { printf '\n== %s ==\n' "$*"; }

# --- packages ------------------------------------------------------------------------------------
missing=()
command -v wrk >/dev/null || missing+=(wrk)
command -v hey >/dev/null || missing+=(hey)
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

# The CPU a running process uses (all its threads), in seconds per second, from 0.5 s to 2.5 s
# after it started: its load only (lab load then writes its results folder; wrk writes nothing).
cpu_share() {
    local pid=$1 before after
    sleep 0.5
    before=$(awk '{ print $14 + $15 }' "/proc/$pid/stat")
    sleep 2
    after=$(awk '{ print $14 + $15 }' "/proc/$pid/stat")
    python3 -c "import sys; print((int(sys.argv[2]) - int(sys.argv[1])) / int(sys.argv[3]) / 2)" "$before" "$after" "$(getconf CLK_TCK)"
}

# `wrk -tTHREADS -cCONNECTIONS -dSECONDS URL` -> "RPS P50_MS P99_MS CPU_US_PER_REQUEST" (wrk's own
# output on stderr)
run_wrk() {
    local url=$1 threads=$2 seconds=$3 pid share
    wrk -t"$threads" -c"$CONNECTIONS" -d"${seconds}s" --latency "$url" >"$WORK/wrk.out" &
    pid=$!
    share=$(cpu_share "$pid")
    wait "$pid"
    cat "$WORK/wrk.out" >&2
    awk -v share="$share" '
        function ms(v) {
            if (v ~ /us$/) return substr(v, 1, length(v) - 2) / 1000
            if (v ~ /ms$/) return substr(v, 1, length(v) - 2) + 0
            if (v ~ /s$/)  return substr(v, 1, length(v) - 1) * 1000
            return v + 0
        }
        $1 == "Requests/sec:" { rps = $2 }
        $1 == "50%" { p50 = ms($2) }
        $1 == "99%" { p99 = ms($2) }
        END { if (rps == "" || p50 == "") exit 1; printf "%s %.4f %.4f %.2f\n", rps, p50, p99, share * 1e6 / rps }' "$WORK/wrk.out"
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

# --- 1. lab load vs wrk and hey -----------------------------------------------------------------
# Each tool sends GET /health on CONNECTIONS connections for LOAD_SECONDS, with 1 and then 2 threads
# (wrk -t, hey -cpus, lab load -t), ROUNDS rounds in turn; the figures are each one's medians.
section "1. lab load, wrk and hey on one lab serve --mode async-sleep (GET /health, $CONNECTIONS connections, ${LOAD_SECONDS} s, $ROUNDS rounds)"
start_lab async-sleep 0
URL="http://127.0.0.1:$LAB_PORT/health"
echo "server: $URL (pid $LAB_PID)"

# Each prints "RPS P50_MS CPU_US_PER_REQUEST" (hey's CPU is not measured: nan).
load_wrk() { run_wrk "$URL" "$1" "$LOAD_SECONDS" 2>/dev/null | awk '{ print $1, $2, $4 }'; }
load_hey() {  # hey's summary rounds to 0.1 ms: its per-request CSV has the full figures
    hey -cpus "$1" -c "$CONNECTIONS" -z "${LOAD_SECONDS}s" -o csv "$URL" >"$WORK/hey.csv"
    python3 - "$WORK/hey.csv" <<'EOF'
import csv, statistics, sys
rows = [r for r in csv.DictReader(open(sys.argv[1])) if r["status-code"] == "200"]
times = [float(r["response-time"]) for r in rows]
span = max(float(r["offset"]) + float(r["response-time"]) for r in rows)
print(len(rows) / span, statistics.median(times) * 1000, "nan")
EOF
}
load_lab() {
    local pid share
    "$LAB" load "$URL" -t "$1" -c "$CONNECTIONS" -z "${LOAD_SECONDS}s" --quiet --format json --out "$WORK/results" \
        >"$WORK/load.json" 2>"$WORK/load.err" &
    pid=$!
    share=$(cpu_share "$pid")
    wait "$pid" || { cat "$WORK/load.err" >&2; return 1; }
    python3 - "$WORK/load.json" "$share" <<'EOF'
import json, sys
summary = json.load(open(sys.argv[1]))["load_summary"]
rps = summary["requests_per_second"]
print(rps, summary["latency_us"]["p50"] / 1000, float(sys.argv[2]) * 1e6 / rps)
EOF
}

declare -A FIGURES=()  # "tool threads" -> "rps p50 cpu rps p50 cpu ..." over the rounds
for ((round = 1; round <= ROUNDS; round++)); do
    for threads in 1 2; do
        for tool in wrk hey lab; do
            read -r rps p50 cpu < <("load_$tool" "$threads")
            FIGURES["$tool $threads"]+="$rps $p50 $cpu "
            printf 'round %d, %d thread(s): %-3s %8.0f requests/s, p50 %.3f ms, CPU %s us/request\n' "$round" "$threads" "$tool" "$rps" "$p50" "$cpu"
        done
    done
done
median_of() {  # median_of "a b c a b c ..." FIELD STRIDE
    python3 -c "import statistics, sys; v = sys.argv[1].split(); print(statistics.median(float(x) for x in v[int(sys.argv[2])::int(sys.argv[3])]))" "$1" "$2" "$3"
}
declare -A LOAD_RPS=() LOAD_P50=() LOAD_CPU=()
for key in "${!FIGURES[@]}"; do
    LOAD_RPS[$key]=$(median_of "${FIGURES[$key]}" 0 3)
    LOAD_P50[$key]=$(median_of "${FIGURES[$key]}" 1 3)
    LOAD_CPU[$key]=$(median_of "${FIGURES[$key]}" 2 3)
done
LOAD_SUMMARY=()
for threads in 1 2; do
    best=wrk
    python3 -c "import sys; sys.exit(0 if float(sys.argv[1]) > float(sys.argv[2]) else 1)" "${LOAD_RPS[hey $threads]}" "${LOAD_RPS[wrk $threads]}" && best=hey
    for tool in wrk hey lab; do
        printf '%d thread(s), median: %-3s %8.0f requests/s, p50 %.3f ms, CPU %s us/request\n' "$threads" "$tool" \
            "${LOAD_RPS[$tool $threads]}" "${LOAD_P50[$tool $threads]}" "${LOAD_CPU[$tool $threads]}"
    done
    rps_ratio=$(ratio "${LOAD_RPS[lab $threads]}" "${LOAD_RPS[$best $threads]}")
    p50_ratio=$(ratio "${LOAD_P50[lab $threads]}" "${LOAD_P50[$best $threads]}")
    cpu_ratio=$(ratio "${LOAD_CPU[lab $threads]}" "${LOAD_CPU[wrk $threads]}")
    echo "lab load / $best (the faster of wrk and hey), -t$threads: rps $rps_ratio (goal >= 1.00), p50 $p50_ratio (goal 0.90-1.10); CPU per request / wrk's $cpu_ratio (goal <= 1.10)"
    LOAD_SUMMARY+=("$threads $best $rps_ratio $p50_ratio $cpu_ratio")
done
stop_pid "$LAB_PID"

# --- 2. lab serve vs nginx -----------------------------------------------------------------------
# The same body as the lab's /health, so both write answers of one length.
HEALTH_BODY='{"status":"ok"}'
section "2. lab serve --mode async-sleep and nginx, one process each, return 200 '$HEALTH_BODY' (wrk -t1, in turns, $ROUNDS rounds)"
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
        location = /health { default_type application/json; return 200 '$HEALTH_BODY'; }
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
start_lab async-sleep 0
URL="http://127.0.0.1:$LAB_PORT/health"
echo "nginx $($NGINX -v 2>&1 | sed 's#.*/##'): $NGINX_URL (pid $NGINX_PID); lab: $URL (pid $LAB_PID)"
# `run_wrk -t1` on one of the two servers, and that server's own CPU a request, user and system
# time apart (/proc/PID/stat around the run, over wrk's count of requests): where a server loses,
# the system time is the kernel's work (the same system calls for both) and the user time its own.
# -> "RPS P99_MS USER_US SYSTEM_US"
serve_under_wrk() {
    local pid=$1 url=$2 before after rps p99 requests
    before=$(awk '{ print $14, $15 }' "/proc/$pid/stat")
    read -r rps _ p99 _ < <(run_wrk "$url" 1 "$LOAD_SECONDS" 2>/dev/null)
    after=$(awk '{ print $14, $15 }' "/proc/$pid/stat")
    requests=$(awk '/ requests in / { print $1 }' "$WORK/wrk.out")
    if [ -z "$rps" ] || [ -z "$requests" ] || [ "$requests" = 0 ]; then  # (the caller's read then fails)
        echo "wrk_compare: wrk gave no figures for $url:" >&2
        cat "$WORK/wrk.out" >&2
        return 1
    fi
    python3 -c "import sys; u0, s0, u1, s1, n, tick = map(float, sys.argv[1:7]); print(sys.argv[7], sys.argv[8], f'{(u1 - u0) / tick / n * 1e6:.2f}', f'{(s1 - s0) / tick / n * 1e6:.2f}')" \
        $before $after "$requests" "$(getconf CLK_TCK)" "$rps" "$p99"
}
SERVE_FIGURES=""  # "lab_rps lab_p99 lab_user lab_system nginx_rps nginx_p99 nginx_user nginx_system ..."
for ((round = 1; round <= ROUNDS; round++)); do
    read -r lab_rps lab_p99 lab_user lab_system < <(serve_under_wrk "$LAB_PID" "$URL")
    read -r nginx_rps nginx_p99 nginx_user nginx_system < <(serve_under_wrk "$NGINX_PID" "$NGINX_URL")
    printf 'round %d: lab %8.0f requests/s, p99 %.3f ms, CPU %s + %s us/request (user + system); nginx %8.0f requests/s, p99 %.3f ms, CPU %s + %s\n' \
        "$round" "$lab_rps" "$lab_p99" "$lab_user" "$lab_system" "$nginx_rps" "$nginx_p99" "$nginx_user" "$nginx_system"
    SERVE_FIGURES+="$lab_rps $lab_p99 $lab_user $lab_system $nginx_rps $nginx_p99 $nginx_user $nginx_system "
done
LAB_RPS=$(median_of "$SERVE_FIGURES" 0 8) LAB_P99=$(median_of "$SERVE_FIGURES" 1 8)
LAB_USER=$(median_of "$SERVE_FIGURES" 2 8) LAB_SYSTEM=$(median_of "$SERVE_FIGURES" 3 8)
NGINX_RPS=$(median_of "$SERVE_FIGURES" 4 8) NGINX_P99=$(median_of "$SERVE_FIGURES" 5 8)
NGINX_USER=$(median_of "$SERVE_FIGURES" 6 8) NGINX_SYSTEM=$(median_of "$SERVE_FIGURES" 7 8)
NGINX_RATIO=$(ratio "$LAB_RPS" "$NGINX_RPS")
P99_RATIO=$(ratio "$LAB_P99" "$NGINX_P99")
printf 'medians: lab %.0f requests/s, nginx %.0f: lab/nginx %s (goal >= 1.00); p99 lab/nginx %s (goal <= 1.00)\n' \
    "$LAB_RPS" "$NGINX_RPS" "$NGINX_RATIO" "$P99_RATIO"
printf '         CPU a request, user + system: lab %.2f + %.2f us, nginx %.2f + %.2f us\n' \
    "$LAB_USER" "$LAB_SYSTEM" "$NGINX_USER" "$NGINX_SYSTEM"
stop_pid "$NGINX_PID"
stop_pid "$LAB_PID"

# --- summary -------------------------------------------------------------------------------------
meets() { python3 -c "import sys; print('yes' if $1 else 'no')"; }
section "summary (goals are targets, not pass/fail)"
printf '%-32s | %-26s | %-12s | %s\n' "measure" "figure" "goal" "met"
printf '%s\n' "---------------------------------+----------------------------+--------------+----"
for line in "${LOAD_SUMMARY[@]}"; do
    read -r threads best rps_ratio p50_ratio cpu_ratio <<<"$line"
    printf '%-32s | %-26s | %-12s | %s\n' "lab load rps / $best rps, -t$threads" "$rps_ratio" ">= 1.00" "$(meets "$rps_ratio >= 1.0")"
    printf '%-32s | %-26s | %-12s | %s\n' "lab load p50 / $best p50, -t$threads" "$p50_ratio" "0.90-1.10" "$(meets "0.9 <= $p50_ratio <= 1.1")"
    printf '%-32s | %-26s | %-12s | %s\n' "lab load CPU/req / wrk's, -t$threads" "$cpu_ratio" "<= 1.10" "$(meets "$cpu_ratio <= 1.1")"
done
printf '%-32s | %-26s | %-12s | %s\n' "lab rps / nginx rps (wrk -t1)" "$NGINX_RATIO ($(printf '%.0f / %.0f' "$LAB_RPS" "$NGINX_RPS"))" ">= 1.00" "$(meets "$NGINX_RATIO >= 1.0")"
printf '%-32s | %-26s | %-12s | %s\n' "lab p99 / nginx p99" "$P99_RATIO ($(printf '%.3f / %.3f ms' "$LAB_P99" "$NGINX_P99"))" "<= 1.00" "$(meets "$P99_RATIO <= 1.0")"
printf '%-32s | %-26s | %-12s | %s\n' "CPU/req user+sys, lab / nginx" "$(printf '%.2f+%.2f / %.2f+%.2f us' "$LAB_USER" "$LAB_SYSTEM" "$NGINX_USER" "$NGINX_SYSTEM")" "(where)" "-"
