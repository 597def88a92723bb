"""Loads the uniffi-generated Python module (same FFI scaffolding as Kotlin and Swift) and the
core's shared test vectors. `scripts/test-mobile.sh` generates the module into
$XSPENSE_MOBILE_PY (default mobile/python under cargo's target folder: $CARGO_TARGET_DIR, else
target/) next to the built library."""

from __future__ import annotations

import json
import os
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]
TARGET = pathlib.Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
GEN = pathlib.Path(os.environ.get("XSPENSE_MOBILE_PY", TARGET / "mobile" / "python"))
sys.path.insert(0, str(GEN))

import xspense_mobile as xm  # noqa: E402  (generated)


def load_vectors(name: str) -> list:
    return json.loads((ROOT / "core" / "tests" / "vectors" / name).read_text(encoding="utf-8"))


def vector_tx(i: int, v: dict) -> "xm.Transaction":
    return xm.Transaction(
        id=f"t{i}",
        tenant="vectors",
        descriptor=v["descriptor"],
        amount=v.get("amount", "1.00"),
        currency="USD",
        direction=xm.TxDirection.CREDIT if v.get("direction") == "credit" else xm.TxDirection.DEBIT,
        date="2026-11-01",
        merchant=None,
        account=None,
        mcc=v.get("mcc"),
    )
