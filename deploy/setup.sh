#!/usr/bin/env bash
# tdmaker set-up for a fresh Debian 12 machine (run as root).
#   bash deploy/setup.sh run    install packages, build Release, run the node on its
#                               embedded default (local config, paper mode)
#   bash deploy/setup.sh test   install packages, build Release, run all tests; then the
#                               core's unit tests under ASan/UBSan (what CI runs)
#   bash deploy/setup.sh sanitize  the unit and actor tests under ASan/UBSan (long
#                               from cold: run before a change to actors/ or net/ lands)
#   bash deploy/setup.sh build  install packages and build Release only
# Idempotent: apt-get is skipped when every package is already installed.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
JOBS="${JOBS:-$(nproc)}"
PACKAGES=(
  build-essential cmake ninja-build pkg-config git curl
  libcaf-dev libboost1.81-all-dev rapidjson-dev doctest-dev liblmdb-dev lmdb-utils
  libsecp256k1-dev libcrypto++-dev libssl-dev openssl libspdlog-dev libfmt-dev libzstd-dev
  prometheus ccache
)

install_packages() {
  local missing=()
  for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if [ ${#missing[@]} -eq 0 ]; then
    echo "setup: all packages present"
    return
  fi
  echo "setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # The prometheus package is wanted only for promtool; do not let it start a server.
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  if command -v systemctl >/dev/null 2>&1; then systemctl disable --now prometheus >/dev/null 2>&1 || true; fi
}

# Node.js drives the venue with Polymarket's official client in the conformance
# test; Debian's nodejs/npm are used unless a node is already on the PATH.
install_node_deps() {
  if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    echo "setup: installing nodejs npm"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null
  fi
  local dir="$ROOT/tests/conformance"
  if [ ! -f "$dir/node_modules/.package-lock.json" ] || ! cmp -s "$dir/package-lock.json" "$dir/node_modules/.tdmaker-lock"; then
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
    cp "$dir/package-lock.json" "$dir/node_modules/.tdmaker-lock"
  fi
}

build() { # build DIR cmake-args... [--target T...]
  local dir="$1"; shift
  local args=() targets=()
  while [ $# -gt 0 ]; do
    if [ "$1" = "--target" ]; then shift; targets=("$@"); break; fi
    args+=("$1"); shift
  done
  # A compiler cache outside the clone (ccache's own directory): a second build of
  # the same sources, in this clone or a fresh one, recompiles only what changed.
  if command -v ccache >/dev/null 2>&1; then
    args+=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
    export CCACHE_BASEDIR="$ROOT" CCACHE_MAXSIZE="${CCACHE_MAXSIZE:-5G}"
    export CCACHE_SLOPPINESS="pch_defines,time_macros,include_file_mtime,include_file_ctime"
  fi
  cmake -S "$ROOT" -B "$ROOT/$dir" -G Ninja "${args[@]}" >/dev/null
  if [ ${#targets[@]} -gt 0 ]; then
    cmake --build "$ROOT/$dir" -j "$JOBS" --target "${targets[@]}"
  else
    cmake --build "$ROOT/$dir" -j "$JOBS"
  fi
}

# The node's first discovery and subscriptions go to the venue at once: start it
# only when the venue answers (its ports are all bound by then). Bounded; a venue
# that exits or never answers stops the run with a clear message.
wait_for_venue() { # wait_for_venue PID URL SECONDS
  local pid="$1" url="$2" deadline=$(( $(date +%s) + $3 ))
  until curl -fsS --max-time 1 -o /dev/null "$url" 2>/dev/null; do
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "setup: tdmaker-venue exited before answering on $url" >&2
      exit 1
    fi
    if [ "$(date +%s)" -ge "$deadline" ]; then
      echo "setup: tdmaker-venue did not answer on $url within $3 s" >&2
      exit 1
    fi
    sleep 0.1
  done
  echo "setup: tdmaker-venue answers on $url"
}

# The node's own tests again under ASan+UBSan (build/asan), `unit_tests` and/or
# `actor_tests`. -O0 -g1: sanitizers with optimisation multiply CAF's compile time
# (5x measured on actors/market.cpp); line numbers are enough for reports. The
# venue (test infrastructure) runs in release. From a cold machine the actor tests'
# sanitized build is most of an hour on 2 cores: CI keeps to the core's.
sanitized() {
  local start labels
  start=$(date +%s)
  build build/asan -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-O0 -g1" \
    -DTDMAKER_SANITIZE=ON --target "$@"
  echo "setup: asan build took $(( $(date +%s) - start )) s"
  labels=unit
  [[ " $* " == *" actor_tests "* ]] && labels='unit|actor'
  (cd "$ROOT/build/asan" && ASAN_OPTIONS=detect_leaks=0 \
     UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:suppressions=$ROOT/tests/ubsan.supp" \
     ctest --output-on-failure --timeout 300 -L "$labels")
}

cmd="${1:-run}"
install_packages
case "$cmd" in
  build)
    build build/release -DCMAKE_BUILD_TYPE=Release ;;
  run)
    build build/release -DCMAKE_BUILD_TYPE=Release
    cd "$ROOT"
    # The local venue is the node's default world: started beside it on loopback,
    # stopped with it.
    "$ROOT/build/release/bin/tdmaker-venue" &
    venue_pid=$!
    trap 'kill $venue_pid 2>/dev/null; wait $venue_pid 2>/dev/null' EXIT
    wait_for_venue "$venue_pid" "http://127.0.0.1:18080/ok" 20
    "$ROOT/build/release/bin/tdmaker" ;;
  test)
    install_node_deps
    start=$(date +%s)
    build build/release -DCMAKE_BUILD_TYPE=Release
    echo "setup: release build took $(( $(date +%s) - start )) s"
    # Unit and actor tests use the CPU: two at a time. The e2e tests mostly wait
    # on venue time (slots, timeouts): four at a time (measured: their summed time
    # is the same as one by one, 408 vs 421 s, with 25 % of one core busy).
    (cd "$ROOT/build/release" && ctest --output-on-failure --timeout 300 -j 2 -L 'unit|actor' \
       && ctest --output-on-failure --timeout 300 -j 4 -L e2e)
    sanitized unit_tests ;;
  sanitize)
    sanitized unit_tests actor_tests ;;
  *)
    echo "usage: bash deploy/setup.sh [run|test|sanitize|build]" >&2; exit 2 ;;
esac
