"""Transactions (core module ``model``) through the uniffi scaffolding: the shared
transaction-input vectors through ``parse_transaction_json``, and the ``Transaction`` record
read by the core's rules."""

from __future__ import annotations

import json

import pytest
from conftest import load_vectors, vector_tx, xm


def core_json(t: "xm.Transaction") -> dict:
    """The record in the core's `Transaction` JSON shape (`amount` as minor units)."""
    out = {
        "id": t.id,
        "tenant": t.tenant,
        "descriptor": t.descriptor,
        # the record's amount has exactly the currency's decimals, so its digits are the minor units
        "amount": {"minor": int(t.amount.replace(".", "")), "currency": t.currency},
        "direction": t.direction.name.lower(),
        "date": t.date,
    }
    for key in ["merchant", "account", "mcc", "bank_category"]:
        if getattr(t, key) is not None:
            out[key] = getattr(t, key)
    return out


def error_class(code: str) -> type:
    return getattr(xm.XspenseError, "".join(w.capitalize() for w in code.split("_")))


@pytest.mark.parametrize("case", load_vectors("transaction_inputs.json"), ids=lambda c: c["name"])
def test_transaction_input_vectors(case: dict) -> None:
    text = json.dumps(case["input"])
    if "expect" in case:
        assert core_json(xm.parse_transaction_json(text)) == case["expect"]
    else:
        with pytest.raises(error_class(case["error"]["code"])) as info:
            xm.parse_transaction_json(text)
        assert case["error"]["contains"] in info.value.detail


def test_a_parsed_record_categorizes_as_written() -> None:
    t = xm.parse_transaction_json('{"descriptor": "STARBUCKS 1", "amount": -5, "currency": "eur", "date": "2026-11-01"}')
    assert (t.amount, t.currency, t.direction) == ("5.00", "EUR", xm.TxDirection.DEBIT)
    assert xm.Engine().categorize(t).categorization.category == "food.coffee"
    with pytest.raises(xm.XspenseError.InvalidInput):
        xm.parse_transaction_json("{")


def test_records_follow_the_core_rules() -> None:
    e = xm.Engine()
    bad_mcc = vector_tx(1, {"descriptor": "SHOP", "mcc": 10000})
    with pytest.raises(xm.XspenseError.InvalidInput, match="mcc"):
        e.categorize(bad_mcc)
    with pytest.raises(xm.XspenseError.InvalidInput, match="decimal places"):
        e.categorize(vector_tx(2, {"descriptor": "SHOP", "amount": "4.7551"}))
    with pytest.raises(xm.XspenseError.InvalidInput, match=r"#1 in batch.*already says debit"):
        e.categorize_batch([vector_tx(0, {"descriptor": "A"}), vector_tx(1, {"descriptor": "B", "amount": "-1"})])
    with pytest.raises(xm.XspenseError.InvalidInput, match="history row 0"):
        e.suggest_rules("vectors", [xm.LabelledTransaction(transaction=bad_mcc, category="food.coffee")], xm.MiningOptions())
    # the currency is the core's default when absent
    t = xm.Transaction(id="1", tenant="a", descriptor="SHOP", amount="1", direction=xm.TxDirection.CREDIT, date="2026-11-01")
    assert e.explain(t).transaction_id == "1"
