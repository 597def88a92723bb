#!/usr/bin/env bash
# The kill test at the issue's scale, which CI runs smaller (stores/*/tests/processes.rs, the
# ignored `..._at_full_scale` tests): 20,000 tasks with 15% random failures, a random worker
# process killed (SIGKILL) every second and another started in its place; 4 processes on one
# SQLite file, then 8 on one PostgreSQL database (a throwaway cluster, or
# $XSPENSE_TEST_DATABASE_URL: see scripts/test-postgres.sh). Every task must end completed
# exactly once, or dead after all its attempts. Takes minutes; prints each run's figures.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/target-dir.sh"
cd "$(dirname "${BASH_SOURCE[0]}")/.."

cargo test -p xspense-sqlite --test processes -- --ignored --nocapture
bash scripts/test-postgres.sh --test processes -- --ignored --nocapture
