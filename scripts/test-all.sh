#!/usr/bin/env bash
# Runs every test of the project on a fresh machine: formatting, lints, unit/property/integration
# and doc tests, the example programs, the wasm32 build of the core, every fuzz target for a
# bounded time, the PostgreSQL store against a throwaway cluster, and the bindings' own test
# suites (Python, Node, mobile, and the browser binding with its demo page in headless
# Chromium). Installs what it needs; safe to run again.
set -euo pipefail
. "$(dirname "$0")/target-dir.sh"
cd "$(dirname "$0")/.."

step() { printf '\n== [%s] %s\n' "$(date +%T)" "$*"; }

step "toolchain"
cargo --version
rustup component list --installed 2>/dev/null | grep -q '^rustfmt' || rustup component add rustfmt
rustup component list --installed 2>/dev/null | grep -q '^clippy' || rustup component add clippy

step "cargo fmt --check"
cargo fmt --all -- --check

step "cargo clippy (all targets, warnings are errors)"
cargo clippy --workspace --all-targets -- -D warnings

step "cargo test (core, command-line tool, examples and benches build)"
cargo test --workspace

# (the programs in examples/{python,node,browser,kotlin} run in the binding scripts at the end)
step "examples: every Rust program in examples/rust (each checks what it prints)"
for program in examples/rust/src/bin/*.rs; do
  name=$(basename "$program" .rs)
  printf -- '-- %s\n' "$name"
  cargo run -q -p xspense-examples --bin "$name"
done

step "the optional HNSW index (feature hnsw: clippy and its tests)"
cargo clippy -p xspense --features hnsw --all-targets -- -D warnings
cargo test -p xspense --features hnsw --lib memory::hnsw

step "the core without its default features (no workers, as the browser build): clippy and tests"
cargo clippy -p xspense --no-default-features --all-targets -- -D warnings
cargo test -p xspense --no-default-features

step "wasm32 build of the core (Debian rustc-web, build-std): as the browser builds it, then with the default features"
bash scripts/apt-install.sh rustc-web cargo-web rust-web-src lld
for features in --no-default-features ""; do
  # shellcheck disable=SC2086
  RUSTC=/usr/bin/rustc RUSTC_BOOTSTRAP=1 \
    CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_LINKER=/usr/bin/wasm-ld \
    CARGO_TARGET_DIR="$WASM_TARGET" \
    /usr/bin/cargo build --release -Zbuild-std=std,panic_abort \
    --target wasm32-unknown-unknown -p xspense $features
  ls -l "$WASM_TARGET/wasm32-unknown-unknown/release/libxspense.rlib" >/dev/null
done

# every cargo-fuzz target in fuzz/ for FUZZ_SECONDS (15) each from its committed seed corpus
bash scripts/fuzz.sh

# the PostgreSQL store against a throwaway cluster (or $XSPENSE_TEST_DATABASE_URL)
step "PostgreSQL store (scripts/test-postgres.sh)"
bash scripts/test-postgres.sh

bash scripts/test-python.sh
bash scripts/test-node.sh
bash scripts/test-mobile.sh
bash scripts/test-wasm.sh

step "all tests passed"
