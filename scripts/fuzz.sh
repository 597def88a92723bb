#!/usr/bin/env bash
# Runs every cargo-fuzz target in fuzz/ for a bounded time, as scripts/test-all.sh does.
# Installs cargo-fuzz under cargo's target folder if missing, builds the targets (stable Rust
# with RUSTC_BOOTSTRAP=1, no sanitizer: the core forbids unsafe code, and a panic is what the
# targets look for), then runs each for FUZZ_SECONDS from its committed seed corpus
# fuzz/corpus/<target>. New inputs go to a fresh folder under the target folder, never into the
# repository. A crash fails the step and prints the reproducer and how to minimize it.
#
#   FUZZ_SECONDS=15        seconds per target (default 15)
#   FUZZ_JOBS=N            targets fuzzed at once (default: the number of cores)
#   FUZZ_TARGETS="a b"     run only these targets (default: every target in the list below)
#   FUZZ_SANITIZER=none    cargo fuzz's -s (address works too, builds and runs slower)
#
# Outputs under $TARGET (target/ or $CARGO_TARGET_DIR): fuzz-tools/ (cargo-fuzz), fuzz/ (the
# build), fuzz-out/<target>/ (log, new corpus, crash artifacts; renewed each run).
set -euo pipefail
. "$(dirname "$0")/target-dir.sh"
cd "$(dirname "$0")/.."

# Every target registered in fuzz/Cargo.toml, in the order they run.
ALL_TARGETS="redact redact_json rules_parse rules_json envelope_verify envelope_parse
webhook_verify snapshot_import transaction_input apply_changes statement_read"

CARGO_FUZZ_VERSION=0.13.2
FUZZ_SECONDS=${FUZZ_SECONDS:-15}
FUZZ_SANITIZER=${FUZZ_SANITIZER:-none}
targets=${FUZZ_TARGETS:-$ALL_TARGETS}
tools=$TARGET/fuzz-tools
out=$TARGET/fuzz-out
cargo_fuzz=$tools/bin/cargo-fuzz

step() { printf '\n== [%s] %s\n' "$(date +%T)" "$*"; }

step "fuzz: cargo-fuzz $CARGO_FUZZ_VERSION (in $tools)"
if ! "$cargo_fuzz" --version 2>/dev/null | grep -qx "cargo-fuzz $CARGO_FUZZ_VERSION"; then
  cargo install cargo-fuzz --version "$CARGO_FUZZ_VERSION" --locked --root "$tools"
fi
"$cargo_fuzz" --version

registered=$("$cargo_fuzz" list --fuzz-dir fuzz | sort)
listed=$(printf '%s\n' $ALL_TARGETS | sort)
if [ "$registered" != "$listed" ]; then
  echo "fuzz targets in fuzz/Cargo.toml and ALL_TARGETS in $0 differ:" >&2
  diff <(echo "$registered") <(echo "$listed") >&2 || true
  exit 1
fi

step "fuzz: build (sanitizer: $FUZZ_SANITIZER)"
host=$(rustc -vV | sed -n 's/^host: //p')
# cargo fuzz passes -Z flags to rustc and cargo: RUSTC_BOOTSTRAP=1 allows them on stable
RUSTC_BOOTSTRAP=1 "$cargo_fuzz" build --fuzz-dir fuzz -s "$FUZZ_SANITIZER" \
  --target "$host" --target-dir "$TARGET/fuzz"
if git rev-parse --is-inside-work-tree >/dev/null 2>&1 && ! git diff --quiet -- fuzz/Cargo.lock; then
  echo "fuzz/Cargo.lock was stale and cargo updated it: commit the update" >&2
  exit 1
fi
bin=$TARGET/fuzz/$host/release

# One target's run: its log, new corpus and artifacts under $out/<target>, its summary line in
# $out/<target>/summary and its exit status in $out/<target>/rc.
run_target() {
  local t=$1 work=$out/$1 seeds=fuzz/corpus/$1 rc execs
  rm -rf "$work"
  mkdir -p "$work/corpus" "$work/artifacts"
  # the first corpus folder receives new inputs: the fresh one, then the committed seeds
  set +e
  "$bin/$t" -max_total_time="$FUZZ_SECONDS" -timeout=30 -print_final_stats=1 \
    -artifact_prefix="$work/artifacts/" "$work/corpus" "$seeds" >"$work/log" 2>&1
  rc=$?
  set -e
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/log" | tail -1)
  printf '%-18s %10s executions in %ss, corpus %s + %s new' "$t" "${execs:-?}" \
    "$FUZZ_SECONDS" "$(ls "$seeds" | wc -l)" "$(ls "$work/corpus" | wc -l)" >"$work/summary"
  echo "$rc" >"$work/rc"
}

for t in $targets; do
  [ -d "fuzz/corpus/$t" ] || { echo "no seed corpus fuzz/corpus/$t" >&2; exit 1; }
done
# FUZZ_JOBS targets at once (default: one per core): each fuzzes on one core
jobs_max=${FUZZ_JOBS:-$(nproc)}
step "fuzz: each target for ${FUZZ_SECONDS}s from fuzz/corpus/<target>, $jobs_max at a time"
running=0
for t in $targets; do
  if [ "$running" -ge "$jobs_max" ]; then
    wait -n
    running=$((running - 1))
  fi
  run_target "$t" &
  running=$((running + 1))
done
wait

failed=()
summary=()
for t in $targets; do
  work=$out/$t
  line=$(cat "$work/summary")
  rc=$(cat "$work/rc")
  if [ "$rc" -ne 0 ]; then
    failed+=("$t")
    line="$line  FAILED (exit $rc)"
    printf -- '-- %s failed (exit %s); the end of its log (%s):\n' "$t" "$rc" "$work/log"
    tail -n 40 "$work/log"
    for a in "$work"/artifacts/*; do
      [ -e "$a" ] || continue
      cat <<EOF
reproducer: $a
  reproduce: $bin/$t $a
  minimize:  $bin/$t -minimize_crash=1 -runs=100000 -exact_artifact_path=$a.min $a
  then add it as a regression test (fuzz/README.md, "A crash")
EOF
    done
  fi
  summary+=("$line")
done

step "fuzz: summary"
printf '%s\n' "${summary[@]}"
if [ "${#failed[@]}" -ne 0 ]; then
  echo "fuzz targets failed: ${failed[*]}" >&2
  exit 1
fi
