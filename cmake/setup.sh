#!/bin/sh
# The lab's set-up, one verb each:
#   sh cmake/setup.sh run    install what is missing, build, install `lab`, run `lab run blocking-async`
#   sh cmake/setup.sh test   install what is missing, build, install `lab`, run every test
#   sh cmake/setup.sh packages   print what `run` needs, one a line (the container image installs it)
# Everything comes from Debian's packages. As root it installs `lab` into /usr/local/bin,
# otherwise into ~/.local/bin (and asks sudo for the packages).
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
missing=""
for p in $packages; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
    echo "installing:$missing"
    sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $missing
fi

cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release
cmake --build build
if [ "$(id -u)" = 0 ]; then prefix=/usr/local; else prefix="$HOME/.local"; fi
cmake --install build --prefix "$prefix" >/dev/null
PATH="$prefix/bin:$PATH"
echo "lab installed as $(command -v lab)"

if [ "$verb" = run ]; then
    exec lab run blocking-async
fi
exec ctest --test-dir build --output-on-failure
