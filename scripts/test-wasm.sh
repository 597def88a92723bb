#!/usr/bin/env bash
# Builds the browser binding (scripts/build-wasm.sh) and tests it: the shared vectors and the JS
# surface under Node against the nodejs build, tsc --strict on a typed example against the
# generated declarations, the programs in examples/browser under Node (copied to
# examples-browser/ under cargo's target folder, target/ or $CARGO_TARGET_DIR, beside a
# node_modules/xspense-wasm that links to this package, so `from 'xspense-wasm'` resolves to its
# Node build), then the demo page end to end in headless Chromium (Debian's chromium driven by
# playwright-core, served from 127.0.0.1), which saves wasm-e2e/page.png under cargo's target
# folder.
# Installs what it needs; safe to run again.
set -euo pipefail
. "$(dirname "$0")/target-dir.sh"
cd "$(dirname "$0")/.."

step() { printf '\n== [%s] %s\n' "$(date +%T)" "$*"; }

bash scripts/build-wasm.sh

step "wasm binding: node --test (shared vectors against the nodejs build)"
(cd bindings-wasm && node --test tests/)

step "wasm binding: tsc --strict on examples/typed.ts against the generated .d.ts"
(cd bindings-wasm && npx tsc -p tsconfig.json)

step "wasm binding: the programs in examples/browser, importing 'xspense-wasm' under Node"
EX=$TARGET/examples-browser
rm -rf "$EX"
mkdir -p "$EX/node_modules"
ln -s "$PWD/bindings-wasm" "$EX/node_modules/xspense-wasm"
cp examples/browser/*.mjs "$EX/"
for program in "$EX"/*.mjs; do
  printf -- '-- examples/browser/%s\n' "$(basename "$program")"
  (cd "$EX" && node "$program")
done

step "wasm binding: the demo page in headless Chromium"
bash scripts/apt-install.sh chromium
(cd bindings-wasm && node tests/page.e2e.mjs)
