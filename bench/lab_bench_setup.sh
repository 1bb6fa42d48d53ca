# Sourced by the benchmark scripts that run whole lessons (bash bench/NAME.sh): strict mode, the
# checkout as the working folder, the lab binary (LAB, default build/lab), ROUNDS (default 5),
# and a scratch folder OUT removed on exit. BENCH names the script in its one error.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[1]}")/.."
LAB=${LAB:-build/lab}
[ -x "$LAB" ] || { echo "$BENCH: no executable $LAB; build first" >&2; exit 2; }
ROUNDS=${ROUNDS:-5}
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
