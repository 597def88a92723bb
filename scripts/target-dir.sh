# Sourced by the scripts in this folder, before they change directory. Cargo writes its outputs
# to $CARGO_TARGET_DIR when it is set (made absolute here, relative to the caller's directory,
# and exported, so cargo, maturin and napi find the same folder from any directory), else to
# target/ at the repository root. Sets:
#   TARGET       cargo's output folder (absolute); the scripts' venvs and tools live there too
#   WASM_TARGET  the target folder of the wasm32 builds beside it (TARGET-wasm): they use
#                Debian's rustc-web, and two toolchains must not share a target folder
if [ -n "${CARGO_TARGET_DIR:-}" ]; then
  CARGO_TARGET_DIR=$(realpath -m -- "$CARGO_TARGET_DIR")
  export CARGO_TARGET_DIR
fi
TARGET=${CARGO_TARGET_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/target}
WASM_TARGET=$TARGET-wasm
