#!/usr/bin/env bash
# Builds the browser binding: the crate for wasm32 with Debian's rustc-web (std built from
# source), wasm-bindgen at the crate's exact version into bindings-wasm/pkg/{web,node}, then
# wasm-opt -Oz (npm binaryen) and a size report. Installs what it needs; safe to run again.
# FEATURES="--no-default-features" builds the engine alone (no Redactor, no workers).
set -euo pipefail
. "$(dirname "$0")/target-dir.sh"
cd "$(dirname "$0")/.."

step() { printf '\n== [%s] %s\n' "$(date +%T)" "$*"; }

step "wasm binding: toolchain (Debian rustc-web, lld, wasm-bindgen-cli, npm binaryen)"
bash scripts/apt-install.sh rustc-web cargo-web rust-web-src lld
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  bash scripts/apt-install.sh nodejs npm
fi
# wasm-bindgen-cli must be exactly the version of the wasm-bindgen crate in Cargo.lock.
WB_VERSION=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
TOOLS=$TARGET/wasm-tools
# --debug: it compiles in about a third of the time and still binds the module in seconds
if [ "$("$TOOLS/bin/wasm-bindgen" --version 2>/dev/null || true)" != "wasm-bindgen $WB_VERSION" ]; then
  cargo install wasm-bindgen-cli --debug --version "$WB_VERSION" --root "$TOOLS"
fi
(cd bindings-wasm && npm ci --no-audit --no-fund --loglevel=error)

step "wasm binding: cargo build --target wasm32-unknown-unknown (build-std) ${FEATURES:-}"
# shellcheck disable=SC2086
# panic=immediate-abort: a panic traps without formatting a message (it aborts the instance
# either way on wasm32), which drops the formatting machinery from the module.
RUSTC=/usr/bin/rustc RUSTC_BOOTSTRAP=1 \
  CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_LINKER=/usr/bin/wasm-ld \
  CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS="-Zunstable-options -Cpanic=immediate-abort -Zlocation-detail=none" \
  CARGO_TARGET_DIR="$WASM_TARGET/binding" \
  /usr/bin/cargo build --profile wasm-release -Zbuild-std=std,panic_abort \
  --target wasm32-unknown-unknown -p xspense-wasm ${FEATURES:-}
WASM=$WASM_TARGET/binding/wasm32-unknown-unknown/wasm-release/xspense_wasm.wasm

step "wasm binding: wasm-bindgen (web and nodejs), wasm-opt -Oz"
OUT=bindings-wasm/pkg
rm -rf "$OUT"
"$TOOLS/bin/wasm-bindgen" --target web --out-dir "$OUT/web" "$WASM"
"$TOOLS/bin/wasm-bindgen" --target nodejs --out-dir "$OUT/node" "$WASM"
raw=$(stat -c %s "$OUT/web/xspense_wasm_bg.wasm")
for t in web node; do
  bindings-wasm/node_modules/.bin/wasm-opt -Oz "$OUT/$t/xspense_wasm_bg.wasm" -o "$OUT/$t/xspense_wasm_bg.opt.wasm"
  mv "$OUT/$t/xspense_wasm_bg.opt.wasm" "$OUT/$t/xspense_wasm_bg.wasm"
done
opt=$(stat -c %s "$OUT/web/xspense_wasm_bg.wasm")
mkdir -p "$TARGET"
gz=$(gzip -9 -c "$OUT/web/xspense_wasm_bg.wasm" | wc -c)
printf 'wasm size: %s bytes from wasm-bindgen, %s after wasm-opt -Oz, %s gzipped\n' "$raw" "$opt" "$gz" \
  | tee "$TARGET/wasm-size.txt"
