#!/bin/sh
# The lab's set-up, one verb each:
#   sh cmake/setup.sh run      install what is missing, build `lab`, install it, run `lab run blocking-async`
#   sh cmake/setup.sh test     install what is missing, build `lab` and the tests, install `lab`, run every test
#   sh cmake/setup.sh install  install what is missing, build `lab`, install it (the container image)
#   sh cmake/setup.sh packages [build|rest]   print what `run` needs, one a line: all of it, what
#                              the build needs, or the rest (the container image installs them)
# Everything comes from Debian's packages. As root it installs `lab` into /usr/local/bin,
# otherwise into ~/.local/bin (and asks sudo for the packages). Each stage says how long it took;
# apt's and the build's own chatter goes to build/setup-*.log, shown only if the stage fails.
set -eu
verb=${1:-}
case "$verb" in run|test|install|packages) ;; *) echo "usage: sh cmake/setup.sh run|test|install|packages" >&2; exit 2 ;; esac
cd "$(dirname "$0")/.."

# The packages: cmake/packages.txt, one a line, tagged `build` (what the build needs) or `test`
# (what only the tests need); an untagged line is what `lab` needs to run.
# listed KIND...: the packages of those kinds (build, run, test).
listed() {
    sed 's/#.*//' cmake/packages.txt |
        awk -v kinds=" $* " 'NF > 0 {kind = NF == 1 ? "run" : $2} NF > 0 && index(kinds, " " kind " ") {print $1}'
}
if [ "$verb" = packages ]; then
    case "${2:-all}" in
        all) listed build run ;;
        build) listed build ;;
        rest) listed run ;;
        *) echo "usage: sh cmake/setup.sh packages [build|rest]" >&2; exit 2 ;;
    esac
    exit 0
fi

began=$(date +%s)
mkdir -p build
beside=""  # the process id of the install beside the build, once it runs
# failed STATUS LOG: says how a stage failed and shows its log's last lines.
failed() {
    printf ' failed (exit %d); the end of %s:\n' "$1" "$2"
    tail -n 25 "$2" >&2
}
# quietly NAME LOG COMMAND...: runs COMMAND with its output in LOG; says NAME and its seconds, or,
# if it fails, how (after the install beside it, if any, has ended: an apt-get stopped halfway
# would leave dpkg to be repaired).
quietly() {
    name=$1 log=$2
    shift 2
    printf 'setup: %s ...' "$name"
    start=$(date +%s)
    if "$@" >"$log" 2>&1; then
        printf ' %d s\n' $(($(date +%s) - start))
    else
        status=$?
        failed "$status" "$log"
        [ -z "$beside" ] || { echo "setup: waiting for the packages' install to end" >&2; wait "$beside" || true; }
        exit "$status"
    fi
}
# missing PACKAGE...: those not installed yet.
missing() {
    for p in "$@"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || printf ' %s' "$p"
    done
}
sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
apt_install() {
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends -o Dpkg::Use-Pty=0 "$@"
}

# The build's packages first; the rest (PostgreSQL, Redis, nginx, Python's) install beside the
# build, which needs none of them: apt waits on the network and the disk, the compiler on the CPU.
build_missing=$(missing $(listed build))
rest_kinds="run"; [ "$verb" = test ] && rest_kinds="run test"
rest_missing=$(missing $(listed $rest_kinds))
[ -z "$build_missing$rest_missing" ] || echo "setup: installing$build_missing$rest_missing"
[ -z "$sudo" ] || [ -z "$build_missing$rest_missing" ] || $sudo true  # the password here, not in a quiet stage
updated=false
if [ -n "$build_missing" ]; then
    quietly "apt-get update" build/setup-apt.log $sudo apt-get update
    updated=true
    quietly "apt-get install (the build's packages)" build/setup-apt.log apt_install $build_missing
fi
if [ -n "$rest_missing" ]; then
    echo "setup: the other packages install beside the build"
    # shellcheck disable=SC2086
    ( start=$(date +%s)
      if { $updated || $sudo apt-get update; } >build/setup-apt-beside.log 2>&1 &&
          apt_install $rest_missing >>build/setup-apt-beside.log 2>&1; then status=0; else status=$?; fi
      echo $(($(date +%s) - start)) >build/setup-apt-beside.seconds
      exit $status ) &
    beside=$!
    # Ctrl-C stops the build, not apt (a shell's background job ignores it): wait for apt to end.
    trap 'echo "setup: stopped; waiting for the packages'"'"' install to end" >&2; wait "$beside"; exit 130' INT TERM
fi

# `run` builds only what it runs; `test` the tests and the benchmarks too (built, so that none
# rots unseen; run by hand: bench/README.md).
targets="lab"; [ "$verb" = test ] && targets="lab lab_tests lab_bench"
quietly "configure" build/setup-build.log cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release
quietly "build $targets" build/setup-build.log cmake --build build --target $targets
if [ -n "$beside" ]; then
    printf 'setup: apt-get install (the other packages, beside the build) ...'
    if wait "$beside"; then
        printf ' %d s\n' "$(cat build/setup-apt-beside.seconds)"
    else
        status=$?
        failed "$status" build/setup-apt-beside.log
        exit "$status"
    fi
fi
if [ "$(id -u)" = 0 ]; then prefix=/usr/local; else prefix="$HOME/.local"; fi
cmake --install build --prefix "$prefix" >/dev/null
PATH="$prefix/bin:$PATH"
echo "setup: lab installed as $(command -v lab), $(($(date +%s) - began)) s after the start"

# Four tests at once where they may (as CI): only those not RUN_SERIAL overlap (tests/CMakeLists.txt);
# every group that times a server runs alone. The groups that overlap mostly wait (on servers,
# Chromium, deadlines: about 90 CPU-seconds in their 76 s four at a time here), so four share two cores.
export CTEST_PARALLEL_LEVEL="${CTEST_PARALLEL_LEVEL:-4}"
case "$verb" in
    run) exec lab run blocking-async ;;
    test)
        status=0
        ctest --test-dir build --output-on-failure || status=$?
        echo "setup: every test run (ctest's exit $status), $(($(date +%s) - began)) s after the start"
        exit "$status" ;;
esac
