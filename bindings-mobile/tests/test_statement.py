"""Statements (core module ``statement``) through the uniffi scaffolding: the shared statement
vectors through ``read_statement`` (bytes, hints as the core's JSON), and errors with their
codes."""

from __future__ import annotations

import base64
import json

import pytest
from conftest import load_vectors, xm


def error_class(code: str) -> type:
    return getattr(xm.XspenseError, "".join(w.capitalize() for w in code.split("_")))


def case_bytes(case: dict) -> bytes:
    if "text" in case:
        return case["text"].encode("utf-8")
    return base64.b64decode(case["base64"])


def tx_fields(t: "xm.StatementTransaction") -> dict:
    """The record in the vectors' shape (`amount` the signed decimal text)."""
    return {
        "row": t.row,
        "date": t.date,
        "amount": t.amount,
        "currency": t.currency,
        "description": t.description,
        "memo": t.memo,
        "bank_category": t.bank_category,
        "pending": t.pending,
        "id": t.id,
        "mcc": t.mcc,
    }


def report_fields(r: "xm.StatementReport") -> dict:
    """The report fields the vectors decide (see core/tests/vectors/README.md)."""
    return {
        "format": r.format,
        "encoding": r.encoding.value,
        "delimiter": r.delimiter,
        "header_row": r.header_row,
        "date_order": r.date_order.value if r.date_order else None,
        "date_order_by": r.date_order.by if r.date_order else None,
        "decimal": r.decimal.value if r.decimal else None,
        "sign": r.sign.value,
        "currency": r.currency.value,
        "skipped": [{"row": s.row, "reason": s.reason} for s in r.skipped],
    }


@pytest.mark.parametrize("case", load_vectors("statements.json"), ids=lambda c: c["name"])
def test_statement_vectors(case: dict) -> None:
    data, hints = case_bytes(case), json.dumps(case["hints"])
    if "error" in case:
        err = case["error"]
        with pytest.raises(error_class(err["code"])) as info:
            xm.read_statement(data, hints)
        assert err["contains"] in info.value.detail
        if "not_contains" in err:
            assert err["not_contains"] not in info.value.detail
        return
    got = xm.read_statement(data, hints)
    assert [tx_fields(t) for t in got.transactions] == case["expect"]["transactions"]
    assert report_fields(got.report) == case["expect"]["report"]
    assert got.report.transactions == len(got.transactions)
    for t in got.transactions:
        magnitude = t.amount.lstrip("-").replace(".", "")
        assert abs(t.amount_minor) == int(magnitude)


CSV = b"Date,Description,Amount\n01/31/2024,COFFEE,-4.50\n"


def test_hints_are_the_core_json_and_refused_when_unknown() -> None:
    plain = xm.read_statement(CSV, None)
    assert plain == xm.read_statement(CSV, "{}")
    assert plain.transactions[0].amount_minor == -450
    hinted = xm.read_statement(CSV, '{"currency": "EUR", "columns": [{"column": 3, "role": "amount"}]}')
    assert (hinted.report.currency.value, hinted.report.currency.by) == ("EUR", "hint")
    assert [c.role for c in hinted.report.columns] == ["date", "description", "amount"]
    with pytest.raises(xm.XspenseError.InvalidInput, match="dateOrder"):
        xm.read_statement(CSV, '{"dateOrder": "mdy"}')
    with pytest.raises(xm.XspenseError.InvalidInput, match="not JSON"):
        xm.read_statement(CSV, "{")
    with pytest.raises(xm.XspenseError.InvalidInput):
        xm.read_statement(b"", None)
