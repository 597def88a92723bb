#!/usr/bin/env bash
# Builds the Python binding and runs its checks: maturin build into a venv, pytest (shared
# vectors, the binding's examples, README), the programs in examples/python with the venv's
# python, mypy --strict on the package, mypy's stubtest of `_native.pyi` against the built
# module, and `pip install ./bindings-py` into a clean venv. Installs what it needs under
# cargo's target folder (target/ or $CARGO_TARGET_DIR); safe to run again.
set -euo pipefail
. "$(dirname "$0")/target-dir.sh"
cd "$(dirname "$0")/.."

step() { printf '\n== [%s] %s\n' "$(date +%T)" "$*"; }
PY=${PYTHON:-python3}
VENV=$TARGET/py-venv
CLEAN=$TARGET/py-install-venv

step "python binding: venv and build tools ($($PY --version))"
if [ ! -x "$VENV/bin/python" ]; then
  "$PY" -m venv "$VENV"
fi
"$VENV/bin/python" -m pip install -q --disable-pip-version-check --upgrade \
  "maturin>=1.8,<2" "pytest>=7" "mypy>=1.18" "pandas>=1.5"

step "python binding: maturin develop --release"
(cd bindings-py && VIRTUAL_ENV="$VENV" PATH="$VENV/bin:$PATH" \
  maturin develop --release -q)

step "python binding: pytest"
"$VENV/bin/python" -m pytest -q bindings-py/tests

step "python binding: the programs in examples/python (each checks what it prints)"
for program in examples/python/*.py; do
  printf -- '-- %s\n' "$program"
  "$VENV/bin/python" "$program"
done

step "python binding: mypy --strict on the package and its stubs"
(cd bindings-py/python && "$VENV/bin/python" -m mypy --strict xspense)

step "python binding: stubtest (_native.pyi against the built module)"
# the stubs may not drift from the module: every name, signature and default is compared
(cd bindings-py/python && "$VENV/bin/python" -m mypy.stubtest xspense._native \
  --allowlist ../stubtest-allowlist.txt)

step "python binding: pip install ./bindings-py into a clean venv"
rm -rf "$CLEAN"
"$PY" -m venv "$CLEAN"
"$CLEAN/bin/python" -m pip install -q --disable-pip-version-check ./bindings-py
(cd /tmp && "$CLEAN/bin/python" - <<'PY'
import xspense
e = xspense.Engine()
d = e.categorize({"descriptor": "SQ *BLUE BOTTLE 0042 OAKLAND CA", "amount": "-4.75", "date": "2026-11-02"})
assert d.category == "food.coffee", d
assert xspense.Redactor().redact("4111 1111 1111 1111").text == "[CARD]"
t = xspense.parse_transaction({"descriptor": "X", "amount": "-1.00", "date": "2026-11-02"})
assert t["amount"] == {"minor": 100, "currency": "USD"}, t
from xspense import records, types
assert types.TransactionDict.__required_keys__ == records.TransactionInput.__required_keys__
print("installed xspense", xspense.__version__, "from", xspense.__file__)
PY
)
