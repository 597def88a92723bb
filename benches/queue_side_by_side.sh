#!/usr/bin/env bash
# The PostgreSQL task store (stores/postgres/benches/side_by_side.rs) and graphile-worker
# (benches/graphile/bench.mjs) side by side on one PostgreSQL server, at the same concurrency:
# drain throughput (claim and complete N tasks enqueued up front), add-to-start latency at a
# steady rate, and the store's rate-limit decisions per second. Rounds alternate the two, at
# each concurrency level; the table shows the median of the rounds.
#
# Against $XSPENSE_TEST_DATABASE_URL when set, else against a throwaway cluster that
# scripts/test-postgres.sh starts (and stops). Builds the Rust bench (release) and installs
# the Node half's pinned packages (npm ci in benches/graphile) first; installs Node and npm
# with apt when missing. A benchmark, not a test: CI does not run it. Safe to run again.
#
# Environment: ROUNDS (3), LEVELS ("4 8", the concurrency levels), XSPENSE_BENCH_TASKS,
# XSPENSE_BENCH_LATENCY_TASKS, XSPENSE_BENCH_RATE (see the two benches), OUT (a folder that
# keeps the JSON lines; a temporary one by default).
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/../scripts/target-dir.sh"
cd "$(dirname "${BASH_SOURCE[0]}")/.."

if [ -z "${XSPENSE_TEST_DATABASE_URL:-}" ]; then
  # one server for every round: the whole script runs again inside test-postgres.sh
  exec bash scripts/test-postgres.sh bash benches/queue_side_by_side.sh "$@"
fi

ROUNDS=${ROUNDS:-3}
LEVELS=${LEVELS:-4 8}
RUST_BENCH=(cargo bench --quiet -p xspense-postgres --features server-tests --bench side_by_side)

command -v npm >/dev/null 2>&1 || bash scripts/apt-install.sh nodejs npm
(cd benches/graphile && npm ci --no-audit --no-fund --loglevel=error)
"${RUST_BENCH[@]}" --no-run

out=${OUT:-$(mktemp -d /tmp/queue-side-by-side.XXXXXX)}
mkdir -p "$out"
results="$out/results.jsonl"
: >"$results"
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)" | tee "$out/load.txt"

for round in $(seq 1 "$ROUNDS"); do
  for c in $LEVELS; do
    export XSPENSE_BENCH_CONCURRENCY=$c
    # alternate which goes first, so neither always runs on the warmer server
    if [ $((round % 2)) -eq 1 ]; then order="rust node"; else order="node rust"; fi
    for who in $order; do
      echo "round $round, concurrency $c: $who" >&2
      if [ "$who" = rust ]; then
        "${RUST_BENCH[@]}" | tail -n 1 >>"$results"
      else
        node benches/graphile/bench.mjs | tail -n 1 >>"$results"
      fi
    done
  done
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$out/load.txt"
echo "JSON lines: $results"
node benches/graphile/table.mjs "$results"
