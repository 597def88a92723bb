#!/usr/bin/env bash
# Builds the Node binding and runs its checks: napi build (which regenerates index.js and
# index.d.ts; they must match the committed ones), the node:test suite (shared vectors, the HTTP
# service on 127.0.0.1, npm pack + install of the tarball, README), tsc --strict on a typed
# example, and the programs in examples/node, copied under cargo's target folder (target/ or
# $CARGO_TARGET_DIR) beside a node_modules/xspense that links to this package, so that
# `import ... from 'xspense'` resolves to the build just made. Installs what it needs; safe to
# run again.
set -euo pipefail
. "$(dirname "$0")/target-dir.sh"
cd "$(dirname "$0")/../bindings-node"

step() { printf '\n== [%s] %s\n' "$(date +%T)" "$*"; }

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

step "node binding: the programs in examples/node, importing 'xspense' (each checks what it prints)"
EX=$TARGET/examples-node
rm -rf "$EX"
mkdir -p "$EX/node_modules"
ln -s "$PWD" "$EX/node_modules/xspense"
cp ../examples/node/*.mjs "$EX/"
for program in "$EX"/*.mjs; do
  printf -- '-- examples/node/%s\n' "$(basename "$program")"
  (cd "$EX" && node "$program")
done
