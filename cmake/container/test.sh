#!/bin/bash
# The image test: builds cmake/container/Dockerfile on this machine and runs the lesson inside it.
#   bash cmake/container/test.sh        (as root; .ci/run runs it)
# No image registry is reachable here and `podman run` is refused, so:
#   1. a Debian 12 base from Debian's own packages: mmdebstrap --variant=minbase bookworm
#   2. imported under the name the Dockerfile's FROM asks for: docker.io/library/debian:bookworm
#   3. podman build --isolation chroot -f cmake/container/Dockerfile .  (never pulls)
#   4. a second build FROM that image whose one step runs `lab run blocking-async --repeat 1
#      --quiet` and `lab check blocking-async`: the image builds, and it runs the lesson (and
#      holds no PostgreSQL cluster of Debian's own: the lab starts its private one).
# Everything lives in one temporary folder (podman's storage too, not /var/lib/containers),
# unmounted and deleted on every exit. Each stage's time is printed at the end.
#
#   bash cmake/container/test.sh --fresh-setup [run|test]
# times a newcomer's wait instead (bench/README.md): on the same fresh base, a build whose one
# step is the README's `sh cmake/setup.sh run` (packages, build and the lesson's table included)
# or `sh cmake/setup.sh test` (packages, build and every test); its stage time is the figure.
set -eu
cd "$(dirname "$0")/../.."
fresh_setup=""  # the set-up's verb to time on a fresh base, if any
case "${1:-}:${2:-run}" in
    --fresh-setup:run | --fresh-setup:test) fresh_setup=${2:-run} ;;
    :run) ;;
    *) echo "usage: bash cmake/container/test.sh [--fresh-setup [run|test]]" >&2; exit 2 ;;
esac
[ "$(id -u)" = 0 ] || { echo "cmake/container/test.sh: run it as root (mmdebstrap and podman build as root)" >&2; exit 2; }

times=""
stage_name=""
stage_start=$SECONDS
work=""
podman=()
stage() {  # stage NAME: ends the stage before (its time noted) and starts this one
    [ -z "$stage_name" ] || times+=$(printf '  %-34s %5d s' "$stage_name" $((SECONDS - stage_start)))$'\n'
    stage_name=$1
    stage_start=$SECONDS
    printf '\n---- container test: %s\n' "$1"
}
cleanup() {  # on every exit: what this script made goes, then the stage times; the exit status stays
    local rc=$?
    set +e
    [ -z "$stage_name" ] || times+=$(printf '  %-34s %5d s%s' "$stage_name" $((SECONDS - stage_start)) \
                                    "$([ $rc = 0 ] || echo '  (failed here)')")$'\n'
    if [ -n "$work" ]; then
        [ ${#podman[@]} = 0 ] || "${podman[@]}" rmi --all --force >/dev/null 2>&1
        # Whatever is still mounted under the folder (an interrupted build's layers), deepest first.
        findmnt -rn -o TARGET | grep -F "$work/" | sort -r | while read -r m; do umount -l "$m"; done
        rm -rf --one-file-system "$work"
    fi
    printf '\ncontainer test stage times:\n%s  %-34s %5d s\n' "$times" total "$SECONDS"
    exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

work=$(mktemp -d /var/tmp/lab-container-test.XXXXXX)
export TMPDIR="$work/tmp"
mkdir -p "$TMPDIR"
podman=(podman --root "$work/storage" --runroot "$work/run" --tmpdir "$work/libpod"
        --storage-driver "${LAB_STORAGE_DRIVER:-overlay}" --cgroup-manager cgroupfs --events-backend file)

stage "tools (mmdebstrap, podman)"
missing=""
for p in mmdebstrap podman; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing
fi
mmdebstrap --version
podman --version

stage "base: mmdebstrap minbase bookworm"
# From the mirror this machine's own apt uses (its Debian sources), so that the base, and the
# image's apt-get after it, reach what the host reaches; mmdebstrap's default mirror otherwise.
sources=""
for f in /etc/apt/sources.list.d/debian.sources /etc/apt/sources.list; do
    if [ -s "$f" ]; then sources=$f; break; fi
done
mmdebstrap --quiet --mode=root --variant=minbase bookworm "$work/base.tar" ${sources:+"$sources"}

stage "import as debian:bookworm"
# What the official image sets and a bare import lacks: PATH (the build's RUN steps need it).
"${podman[@]}" import \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'CMD ["bash"]' \
    "$work/base.tar" docker.io/library/debian:bookworm
rm -f "$work/base.tar"

if [ -n "$fresh_setup" ]; then
    stage "fresh Debian 12: setup.sh $fresh_setup"
    mkdir -p "$work/fresh"
    git ls-files -z --cached --others --exclude-standard | tar --null -T - -cf - | tar -xf - -C "$work/fresh"
    cat > "$work/fresh/Containerfile.fresh" <<FRESH
FROM docker.io/library/debian:bookworm
COPY . /root/concurrency-lab
RUN cd /root/concurrency-lab && sh cmake/setup.sh $fresh_setup
FRESH
    "${podman[@]}" build --isolation chroot --pull=never --shm-size 1g --ulimit "nofile=$(ulimit -Hn):$(ulimit -Hn)" -f "$work/fresh/Containerfile.fresh" "$work/fresh"
    exit 0
fi

stage "build cmake/container/Dockerfile"
"${podman[@]}" build --isolation chroot --pull=never -t localhost/concurrency-lab:test \
    --ignorefile cmake/container/Dockerfile.dockerignore -f cmake/container/Dockerfile .

stage "inside: lab run, lab check"
mkdir -p "$work/smoke"
cat > "$work/smoke/Containerfile" <<'SMOKE'
FROM localhost/concurrency-lab:test
RUN { [ ! -e /etc/postgresql/15/main ] || { echo "the image holds Debian's main PostgreSQL cluster" >&2; exit 1; }; } \
 && lab run blocking-async --repeat 1 --quiet && lab check blocking-async
SMOKE
"${podman[@]}" build --isolation chroot --pull=never -f "$work/smoke/Containerfile" "$work/smoke"

echo "container test: the image builds, and runs and checks blocking-async inside"
