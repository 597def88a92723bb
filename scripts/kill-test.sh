#!/usr/bin/env bash
# The kill test at the issue's scale, which CI runs smaller (stores/*/tests/processes.rs, the
# ignored `..._at_full_scale` tests): 20,000 tasks with 15% random failures, a random worker
# process killed (SIGKILL) every second and another started in its place; 4 processes on one
# SQLite file, then 8 on one PostgreSQL database (a throwaway cluster, or
# $XSPENSE_TEST_DATABASE_URL: see scripts/test-postgres.sh); each with the stores'
# `chaos_worker` binaries (15% of attempts fail at random), then with `xspense worker`
# processes (a random 15% of the tasks have an intent it does not serve). Every task must end
# completed exactly once, or dead after all its attempts. Takes minutes (about 15 on a busy
# 2-core machine); prints each run's figures.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/target-dir.sh"
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# the stores' chaos workers, then `xspense worker` processes
cargo test -p xspense-sqlite --test processes -- --ignored --nocapture
cargo test -p xspense-cli --test worker killed_xspense_workers_lose_and_duplicate_nothing_at_full_scale \
  -- --ignored --nocapture
bash scripts/test-postgres.sh bash -c '
  cargo test -p xspense-postgres --features server-tests --test processes -- --ignored --nocapture &&
  cargo test -p xspense-cli --test worker killed_xspense_workers_on_postgres -- --ignored --nocapture'
