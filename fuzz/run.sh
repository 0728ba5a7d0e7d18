#!/usr/bin/env bash
# Builds the libFuzzer targets of fuzz/ with clang in build/fuzz and runs each for
# SECONDS (docs/fuzzing.md). Per target it first runs the shared hostile inputs
# once each, then fuzzes from the target's seed corpus, and prints executions,
# exec/s and crashes. New inputs go to build/fuzz/corpus/<target>; with --merge the
# ones that add coverage are merged back into fuzz/corpus/<target>. Crashing inputs
# are saved in build/fuzz/crashes/<target>/.
#
#   fuzz/run.sh [--merge] [--jobs N] [--max-len BYTES] SECONDS [TARGET...]
#
# Exit status: 0 when no target crashed, 1 when one did, 2 on a usage or build error.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=$root/build/fuzz
all_targets=(config feed_market feed_rtds book_reply trade gamma clob_reply order_wire order_sign control
             records decimal venue_clob venue_ws venue_config)

usage() {
  echo "usage: fuzz/run.sh [--merge] [--jobs N] [--max-len BYTES] SECONDS [TARGET...]" >&2
  echo "targets: ${all_targets[*]}" >&2
  exit 2
}

merge=0 jobs=1 max_len=16384
while [[ $# -gt 0 && $1 == --* ]]; do
  case $1 in
    --merge) merge=1; shift ;;
    --jobs) jobs=${2:?}; shift 2 ;;
    --max-len) max_len=${2:?}; shift 2 ;;
    *) usage ;;
  esac
done
[[ $# -ge 1 && $1 =~ ^[0-9]+$ && $1 -gt 0 ]] || usage
seconds=$1
shift
targets=("$@")
[[ ${#targets[@]} -gt 0 ]] || targets=("${all_targets[@]}")
for t in "${targets[@]}"; do
  [[ " ${all_targets[*]} " == *" $t "* ]] || { echo "fuzz/run.sh: unknown target '$t'" >&2; usage; }
done

# clang and its libFuzzer runtime come from Debian, nothing else is downloaded.
if ! command -v clang++-14 >/dev/null || ! ls /usr/lib/llvm-14/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a \
    >/dev/null 2>&1; then
  sudo=""
  [[ $(id -u) -eq 0 ]] || sudo=sudo
  $sudo apt-get install -y --no-install-recommends clang-14 libclang-rt-14-dev
fi

launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
# -O1 with line tables: libFuzzer's usual choice, asserts kept, and a third less
# compile time than -O3 with full debug info.
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -gline-tables-only" \
      -DCMAKE_CXX_COMPILER=clang++-14 -DTDMAKER_FUZZ=ON -DTDMAKER_WERROR=OFF "${launcher[@]}" >"$build.configure.log" 2>&1 \
  || { cat "$build.configure.log" >&2; exit 2; }
build_args=()
for t in "${targets[@]}"; do build_args+=(--target "${t}_fuzz"); done
cmake --build "$build" -j"$(nproc)" "${build_args[@]}" >"$build/build.log" 2>&1 \
  || { tail -40 "$build/build.log" >&2; exit 2; }

# Stack overflows must be reported as crashes, not hang the run; leaks in a
# target's static state are not findings.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0:detect_stack_use_after_return=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1:suppressions=$root/fuzz/ubsan.supp}

summary=()
status=0
for t in "${targets[@]}"; do
  bin=$build/bin/${t}_fuzz
  work=$build/corpus/$t crashes=$build/crashes/$t logs=$build/logs/$t
  mkdir -p "$work" "$crashes" "$logs"

  # 1. The hostile inputs, once each: these are the known crashes of issue 14.
  hostile_crashes=()
  for f in "$root"/fuzz/corpus/hostile/*; do
    name=$(basename "$f")
    if ! "$bin" -runs=1 "$f" >"$logs/hostile-$name.log" 2>&1; then
      hostile_crashes+=("$name")
      cp "$f" "$crashes/hostile-$name"
    fi
  done

  # 2. Fuzzing. Fork mode keeps going after a crash (-ignore_crashes), so one
  #    crash does not end the run and every distinct one is saved.
  echo "== $t: fuzzing ${seconds}s (jobs $jobs)" >&2
  "$bin" -fork="$jobs" -ignore_crashes=1 -max_total_time="$seconds" -max_len="$max_len" \
         -artifact_prefix="$crashes/" -print_final_stats=1 "$work" "$root/fuzz/corpus/$t" \
         >"$logs/fuzz.log" 2>&1 || true
  # The fork-mode status line: "#N: cov: C ft: F corp: K exec/s E oom/timeout/crash: o/t/c time: Ss ..."
  last=$(grep -E '^#[0-9]+: cov:' "$logs/fuzz.log" | tail -1 || true)
  execs=$(sed -E 's/^#([0-9]+):.*/\1/' <<<"$last")
  rate=$(sed -E 's/.*exec\/s:? *([0-9]+).*/\1/' <<<"$last")
  ftc=$(sed -E 's/.*oom\/timeout\/crash: ([0-9]+\/[0-9]+\/[0-9]+).*/\1/' <<<"$last")
  cov=$(sed -E 's/.*cov: ([0-9]+).*/\1/' <<<"$last")
  fuzz_crashes=${ftc##*/}
  [[ -n $last ]] || { execs=0 rate=0 cov=0 ftc="?/?/?" fuzz_crashes="?"; }

  if [[ $merge -eq 1 ]]; then
    "$bin" -merge=1 -max_len="$max_len" "$root/fuzz/corpus/$t" "$work" >"$logs/merge.log" 2>&1 || true
  fi

  [[ ${#hostile_crashes[@]} -eq 0 && $fuzz_crashes == 0 ]] || status=1
  summary+=("$(printf '%-13s %12s %9s %6s %-14s %s' "$t" "$execs" "$rate" "$cov" "$ftc" \
                "${hostile_crashes[*]:-none}")")
done

printf '\n%-13s %12s %9s %6s %-14s %s\n' target executions exec/s cov oom/tmout/crash "hostile inputs that crash"
printf '%s\n' "${summary[@]}"
echo "crashing inputs: $build/crashes/<target>/, logs: $build/logs/<target>/"
exit $status
