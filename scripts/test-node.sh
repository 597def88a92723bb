#!/usr/bin/env bash
# Builds the Node binding and runs its checks: napi build (which regenerates index.js and
# index.d.ts; they must match the committed ones), the node:test suite (shared vectors, the HTTP
# service on 127.0.0.1, npm pack + install of the tarball, README), and tsc --strict on a typed
# example. Installs what it needs; safe to run again.
set -euo pipefail
. "$(dirname "$0")/target-dir.sh"
cd "$(dirname "$0")/../bindings-node"

step() { printf '\n== %s\n' "$*"; }

step "node binding: toolchain"
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  bash ../scripts/apt-install.sh nodejs npm
fi
node --version
npm ci --no-audit --no-fund --loglevel=error

step "node binding: napi build --release"
npx napi build --platform --release --dts index.d.ts
if ! git diff --quiet -- index.js index.d.ts 2>/dev/null; then
  git --no-pager diff --stat -- index.js index.d.ts
  echo "index.js / index.d.ts changed when rebuilt: commit the regenerated files" >&2
  exit 1
fi

step "node binding: node --test"
node --test __test__/

step "node binding: tsc --strict on examples/typed.ts against index.d.ts"
npx tsc -p tsconfig.json
