#!/usr/bin/env bash
# Peak RSS of a 5 GiB segmented upload (10 segment threads) and a 5 GiB
# verified download through the C API, against the local cluster. Grows the
# cluster's tmpfs to hold the object.
# Usage: bench/memory.sh [SIZE_MIB] [SEGMENT_MIB] [THREADS] [LIMIT_MIB [together]]
# LIMIT_MIB sets the client's memory_limit (0: none); "together" uploads a
# second copy while downloading the first, at once on one client (see
# bench/rss.c), e.g. bench/memory.sh 5120 100 20 24 together.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
export SWC_CLUSTER_TMPFS_SIZE=${SWC_CLUSTER_TMPFS_SIZE:-14g}
scripts/cluster up
STATE=${SWC_CLUSTER_DIR:-$ROOT/.cluster}
# shellcheck disable=SC1091
source "$STATE/cluster.env"
if grep -q " $STATE/srv tmpfs" /proc/mounts; then
  mount -o remount,size="$SWC_CLUSTER_TMPFS_SIZE" "$STATE/srv"
fi
make --no-print-directory >/dev/null
mkdir -p build
cc -O2 -std=c99 -Wall -Wextra -Werror -Iinclude bench/rss.c -Ltarget/dist -lswiftclient \
   -Wl,-rpath,"$ROOT/target/dist" -o build/rss
build/rss "${1:-5120}" "${2:-100}" "${3:-10}" ${4:+"$4"} ${5:+"$5"}
