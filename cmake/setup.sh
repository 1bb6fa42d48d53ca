#!/bin/sh
# The lab's set-up, one verb each:
#   sh cmake/setup.sh run    install what is missing, build, install `lab`, run `lab run blocking-async`
#   sh cmake/setup.sh test   install what is missing, build, install `lab`, run every test
# Everything comes from Debian's packages. As root it installs `lab` into /usr/local/bin,
# otherwise into ~/.local/bin (and asks sudo for the packages).
set -eu
verb=${1:-}
case "$verb" in run|test) ;; *) echo "usage: sh cmake/setup.sh run|test" >&2; exit 2 ;; esac
cd "$(dirname "$0")/.."

# To build and run; real FastAPI and uvicorn for `lab run --with-fastapi`, with the Python
# drivers and queue its twins use (psycopg2, asyncpg, requests, httpx, redis-py, RQ); the real
# PostgreSQL and Redis the database scenarios start privately, their C++ client libraries, and
# nginx, the balancer of scale-out, and gunicorn, which runs uvicorn workers as production does;
# uvloop, the faster event loop uvicorn can run on (--uvloop, experiment-log's fifth row).
packages="g++ cmake ninja-build pkg-config libboost-dev libcli11-dev libcpp-httplib-dev catch2
          libbenchmark-dev libtomlplusplus-dev nlohmann-json3-dev python3-fastapi python3-uvicorn
          python3-psycopg2 python3-asyncpg python3-requests python3-httpx python3-redis python3-rq
          postgresql-15 libpq-dev redis-server libhiredis-dev nginx-light gunicorn python3-uvloop
          libkainjow-mustache-dev libfmt-dev"
# To test as well: a real browser for report.html, and Jupyter's nbconvert for the notebooks.
[ "$verb" = test ] && packages="$packages chromium curl python3-nbconvert python3-nbformat python3-ipykernel
          python3-matplotlib python3-pandas"
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
