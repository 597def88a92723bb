"""Shared helpers: the core's JSON test vectors and the example task store."""

from __future__ import annotations

import json
import pathlib
import sys
from typing import Any, Dict, List

ROOT = pathlib.Path(__file__).resolve().parents[2]
VECTORS = ROOT / "core" / "tests" / "vectors"
EXAMPLES = pathlib.Path(__file__).resolve().parents[1] / "examples"
sys.path.insert(0, str(EXAMPLES))


def load_vectors(name: str) -> List[Dict[str, Any]]:
    """One file of the shared vectors (the same files `core/tests/vectors.rs` reads)."""
    data: List[Dict[str, Any]] = json.loads((VECTORS / name).read_text(encoding="utf-8"))
    return data


def vector_tx(i: int, v: Dict[str, Any]) -> Dict[str, Any]:
    """A vector transaction as the Rust test builds it."""
    tx: Dict[str, Any] = {
        "id": f"t{i}",
        "tenant": "vectors",
        "descriptor": v["descriptor"],
        "amount": v.get("amount", "1.00"),
        "direction": "credit" if v.get("direction") == "credit" else "debit",
        "date": "2026-11-01",
    }
    if "mcc" in v:
        tx["mcc"] = v["mcc"]
    return tx
