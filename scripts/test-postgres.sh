#!/usr/bin/env bash
# Tests the PostgreSQL store (stores/postgres): its tests (feature `server-tests`), the
# command line's `--state postgres://...` test, and clippy for the store, against the
# server at $XSPENSE_TEST_DATABASE_URL when set (a role that may create databases and
# roles), else against a throwaway cluster that this script starts:
# Debian's `postgresql` is installed if missing, a cluster is made in a `mktemp -d` folder
# under /tmp owned by the `postgres` user, started by that user on a free port (127.0.0.1
# only, trust authentication, fsync off), and stopped and removed on exit. Safe to run again.
# Arguments, when given, are a command to run against the server in place of the tests.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/target-dir.sh"
cd "$(dirname "${BASH_SOURCE[0]}")/.."

if [ -z "${XSPENSE_TEST_DATABASE_URL:-}" ]; then
  if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
    bash scripts/apt-install.sh postgresql
  fi
  bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
  # a cluster must not run as root: the `postgres` user owns and runs it
  id -u postgres >/dev/null 2>&1 || useradd --system --home-dir /var/lib/postgresql postgres
  dir=$(mktemp -d /tmp/xspense-pg.XXXXXX)
  chown postgres: "$dir"
  stop() {
    runuser -u postgres -- "$bin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$dir"
  }
  trap stop EXIT
  # a free port: from a random start in the dynamic range, the first nothing answers on
  port=$((49152 + RANDOM % 10000))
  while (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do port=$((port + 1)); done
  runuser -u postgres -- "$bin/initdb" -D "$dir/data" -U xspense --auth=trust -E UTF8 >/dev/null
  runuser -u postgres -- "$bin/pg_ctl" -D "$dir/data" -l "$dir/log" \
    -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200" -w start >/dev/null
  export XSPENSE_TEST_DATABASE_URL="postgresql://xspense@127.0.0.1:$port/postgres"
  echo "test-postgres: throwaway cluster on port $port ($("$bin/postgres" --version))"
fi

# with arguments, they are a command run against the server instead of the tests
# (scripts/kill-test.sh)
if [ "$#" -gt 0 ]; then
  "$@"
  exit
fi
# the tests need a server, so they are built only with this feature (see its Cargo.toml)
cargo test -p xspense-postgres --features server-tests
# the command line's --state postgres://...
cargo test -p xspense-cli --features server-tests --test state_postgres
cargo clippy -p xspense-postgres --features server-tests --all-targets -- -D warnings
