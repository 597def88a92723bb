"""Transactions (core module ``model``): the shared transaction-input vectors through
``parse_transaction`` and the ``Transaction`` constructor, Python's conveniences (dates,
decimals, ints, objects), and the hand-written ``TransactionDict`` against the generated
``TransactionInput``."""

from __future__ import annotations

import datetime
import decimal
import inspect
from typing import Any, Dict

import pytest
import xspense
from conftest import load_vectors
from xspense import records, types

CONSTRUCTOR_KEYS = set(inspect.signature(xspense.Transaction).parameters)
#: the constructor's parameters typed ``str``: Python refuses another type before the core sees it
TEXT_KEYS = {"descriptor", "tenant", "id", "direction", "currency", "merchant", "account"}


@pytest.mark.parametrize("case", load_vectors("transaction_inputs.json"), ids=lambda c: c["name"])
def test_transaction_input_vectors(case: Dict[str, Any]) -> None:
    if "expect" in case:
        assert xspense.parse_transaction(case["input"]) == case["expect"]
    else:
        with pytest.raises(xspense.XspenseError) as info:
            xspense.parse_transaction(case["input"])
        assert info.value.code == case["error"]["code"]
        assert case["error"]["contains"] in str(info.value)


@pytest.mark.parametrize("case", load_vectors("transaction_inputs.json"), ids=lambda c: c["name"])
def test_the_constructor_reads_the_vectors_alike(case: Dict[str, Any]) -> None:
    fields = case["input"]
    mistyped = any(k in TEXT_KEYS and not isinstance(v, str) for k, v in fields.items())
    if not set(fields) <= CONSTRUCTOR_KEYS or "descriptor" not in fields or mistyped:
        # an unknown, missing or mistyped argument: Python refuses the call before the core
        # sees it
        with pytest.raises(TypeError):
            xspense.Transaction(**fields)
    elif "expect" in case:
        t = xspense.Transaction(**fields)
        assert xspense.parse_transaction(t) == case["expect"]
        assert xspense.parse_transaction(t.to_dict()) == case["expect"]
    else:
        with pytest.raises(xspense.XspenseError) as info:
            xspense.Transaction(**fields)
        assert info.value.code == case["error"]["code"]
        assert case["error"]["contains"] in str(info.value)


def _parse(**fields: Any) -> Dict[str, Any]:
    tx: Dict[str, Any] = {"descriptor": "SHOP", "date": "2026-01-02", **fields}
    return dict(xspense.parse_transaction(tx))  # type: ignore[arg-type]  # deliberately loose


def test_dates_decimals_and_ints_become_the_core_text() -> None:
    base = _parse(amount="-4.75")
    assert _parse(amount="-4.75", date=datetime.date(2026, 1, 2)) == base
    assert _parse(amount="-4.75", date=datetime.datetime(2026, 1, 2, 23, 59)) == base
    assert _parse(amount=decimal.Decimal("-4.75")) == base
    assert _parse(amount=-4.75) == base
    assert _parse(amount_minor=-475) == base
    assert _parse(amount=decimal.Decimal("1E+2"))["amount"] == {"minor": 10000, "currency": "USD"}
    assert _parse(amount=12)["amount"]["minor"] == 1200
    assert _parse(amount=2**62, currency="JPY")["amount"]["minor"] == 2**62, "ints keep every digit"
    with pytest.raises(xspense.InvalidInputError, match="too large"):
        _parse(amount=2**70)
    with pytest.raises(xspense.InvalidInputError, match="decimal places"):
        _parse(amount=decimal.Decimal("4.7551"))
    with pytest.raises(TypeError):
        _parse(amount=True)
    with pytest.raises(TypeError):
        _parse(amount=object())


def test_the_core_rules_hold_where_python_had_its_own() -> None:
    with pytest.raises(xspense.InvalidInputError, match="mcc"):
        _parse(amount="1", mcc=10000)
    with pytest.raises(xspense.InvalidInputError, match="out of range"):
        _parse(amount_minor=-(2**63))
    with pytest.raises(xspense.InvalidInputError, match="amout"):
        _parse(amout="1")
    with pytest.raises(xspense.InvalidInputError, match="YYYY-MM-DD"):
        _parse(amount="1", date="2026-02-30")
    # optional keys given as None are absent
    assert _parse(amount="1", merchant=None, mcc=None, tenant=None) == _parse(amount="1")


def test_objects_and_the_engine_agree_with_parse_transaction() -> None:
    t = xspense.Transaction("SQ *BLUE BOTTLE", "-4.75", date=datetime.date(2026, 11, 2), mcc=5814)
    parsed = xspense.parse_transaction(t)
    assert parsed == {
        "id": "0",
        "tenant": "default",
        "descriptor": "SQ *BLUE BOTTLE",
        "amount": {"minor": 475, "currency": "USD"},
        "direction": "debit",
        "date": "2026-11-02",
        "mcc": 5814,
    }
    again: Dict[str, Any] = {**parsed, "amount": "4.75"}
    assert xspense.parse_transaction(again) == parsed  # type: ignore[arg-type]
    e = xspense.Engine()
    a, b = e.explain(t), e.explain(t.to_dict())  # type: ignore[arg-type]
    assert a.to_dict() == b.to_dict()


def test_batches_and_history_name_the_bad_position() -> None:
    e = xspense.Engine()
    good: types.TransactionDict = {"tenant": "a", "descriptor": "TESCO", "amount": "-1", "date": "2026-01-01"}
    with pytest.raises(xspense.InvalidInputError, match=r"#2 in batch: .*amout"):
        e.categorize_batch([good, xspense.Transaction("X", "1", date="2026-01-01"), {**good, "amout": "1"}])  # type: ignore[typeddict-unknown-key]
    with pytest.raises(xspense.InvalidInputError, match=r"history row 1: .*mcc"):
        e.suggest_rules("a", [(good, "food.coffee"), ({**good, "mcc": 10000}, "food.coffee")])
    with pytest.raises(TypeError):
        e.categorize_batch([good, 42])  # type: ignore[list-item]


def test_transaction_dict_has_the_keys_of_the_generated_input() -> None:
    def keys(t: Any) -> set:
        return set(t.__required_keys__) | set(t.__optional_keys__)

    assert keys(types.TransactionDict) == keys(records.TransactionInput)
    assert types.TransactionDict.__required_keys__ == records.TransactionInput.__required_keys__
    assert keys(types.LabelledDict) == keys(records.LabelledInput)
    assert types.RuleAction is records.Actions
    assert types.TransactionRecord is records.Transaction
