#!/bin/sh
# The lab's set-up, one verb each:
#   sh cmake/setup.sh run    install what is missing, build `lab`, install it, run `lab run blocking-async`
#   sh cmake/setup.sh test   install what is missing, build `lab` and the tests, install `lab`, run every test
#   sh cmake/setup.sh packages   print what `run` needs, one a line (the container image installs it)
# Everything comes from Debian's packages. As root it installs `lab` into /usr/local/bin,
# otherwise into ~/.local/bin (and asks sudo for the packages). Each stage says how long it took;
# apt's and the build's own chatter goes to build/setup-*.log, shown only if the stage fails.
set -eu
verb=${1:-}
case "$verb" in run|test|packages) ;; *) echo "usage: sh cmake/setup.sh run|test" >&2; exit 2 ;; esac
cd "$(dirname "$0")/.."

# The packages: cmake/packages.txt, one a line; a line tagged `test` is for the tests only.
tagged=""; [ "$verb" = test ] && tagged=test
packages=$(sed 's/#.*//' cmake/packages.txt | awk -v tagged="$tagged" 'NF == 1 || (NF == 2 && $2 == tagged) {print $1}')
if [ "$verb" = packages ]; then
    echo "$packages"
    exit 0
fi

began=$(date +%s)
mkdir -p build
# quietly NAME LOG COMMAND...: runs COMMAND with its output in LOG; says NAME and its seconds, or,
# if it fails, the log's last lines and its exit status.
quietly() {
    name=$1 log=$2
    shift 2
    printf 'setup: %s ...' "$name"
    start=$(date +%s)
    if "$@" >"$log" 2>&1; then
        printf ' %d s\n' $(($(date +%s) - start))
    else
        status=$?
        printf ' failed (exit %d); the end of %s:\n' "$status" "$log"
        tail -n 25 "$log" >&2
        exit "$status"
    fi
}

missing=""
for p in $packages; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
    echo "setup: installing$missing"
    sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
    [ -z "$sudo" ] || $sudo true  # asks for the password here, not inside the quiet stage
    quietly "apt-get update" build/setup-apt.log $sudo apt-get update
    quietly "apt-get install" build/setup-apt.log $sudo env DEBIAN_FRONTEND=noninteractive \
        apt-get install -y --no-install-recommends -o Dpkg::Use-Pty=0 $missing
fi

# `run` builds only what it runs; `test` the tests too (the benchmarks: cmake --build build).
targets="lab"; [ "$verb" = test ] && targets="lab lab_tests"
quietly "configure" build/setup-build.log cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release
quietly "build $targets" build/setup-build.log cmake --build build --target $targets
if [ "$(id -u)" = 0 ]; then prefix=/usr/local; else prefix="$HOME/.local"; fi
cmake --install build --prefix "$prefix" >/dev/null
PATH="$prefix/bin:$PATH"
echo "setup: lab installed as $(command -v lab), $(($(date +%s) - began)) s after the start"

if [ "$verb" = run ]; then
    exec lab run blocking-async
fi
# Two tests at once where they may (as CI): only those not RUN_SERIAL overlap (tests/CMakeLists.txt);
# every group that times a server runs alone.
export CTEST_PARALLEL_LEVEL="${CTEST_PARALLEL_LEVEL:-2}"
exec ctest --test-dir build --output-on-failure
