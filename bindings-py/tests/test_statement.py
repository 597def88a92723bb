"""Statements (core module ``statement``): the shared statement vectors through
``read_statement`` (bytes and a path), hints in the core's shape, and errors with their codes."""

from __future__ import annotations

import base64
import pathlib
from typing import Any, Dict, List

import pytest
import xspense
from conftest import load_vectors
from xspense import records, types


def case_bytes(case: Dict[str, Any]) -> bytes:
    if "text" in case:
        return str(case["text"]).encode("utf-8")
    return base64.b64decode(case["base64"])


def expected_transactions(case: Dict[str, Any]) -> List[Dict[str, Any]]:
    """The vector's transactions with ``amount`` (signed decimal text) as ``amount_minor``, read
    by the core's own money rules through ``parse_transaction``."""
    out = []
    for t in case["expect"]["transactions"]:
        text = t["amount"]
        magnitude = xspense.parse_transaction(
            {"descriptor": "x", "amount": text.lstrip("-"), "currency": t["currency"], "date": t["date"]}
        )["amount"]["minor"]
        want = {k: v for k, v in t.items() if k != "amount"}
        want["amount_minor"] = -magnitude if text.startswith("-") else magnitude
        out.append(want)
    return out


def report_fields(r: types.StatementReport) -> Dict[str, Any]:
    """The report fields the vectors decide (see core/tests/vectors/README.md)."""
    date_order = r.get("date_order")
    decimal = r.get("decimal")
    return {
        "format": r["format"],
        "encoding": r["encoding"]["value"],
        "delimiter": r.get("delimiter"),
        "header_row": r.get("header_row"),
        "date_order": date_order["value"] if date_order else None,
        "date_order_by": date_order["by"] if date_order else None,
        "decimal": decimal["value"] if decimal else None,
        "sign": r["sign"]["value"],
        "currency": r["currency"]["value"],
        "skipped": r["skipped"],
    }


@pytest.mark.parametrize("case", load_vectors("statements.json"), ids=lambda c: c["name"])
def test_statement_vectors(case: Dict[str, Any], tmp_path: pathlib.Path) -> None:
    data = case_bytes(case)
    path = tmp_path / "statement"
    path.write_bytes(data)
    for source in (data, path, str(path)):
        if "error" in case:
            with pytest.raises(xspense.XspenseError) as info:
                xspense.read_statement(source, case["hints"])
            err = case["error"]
            assert info.value.code == err["code"]
            assert err["contains"] in str(info.value)
            if "not_contains" in err:
                assert err["not_contains"] not in str(info.value)
            continue
        got = xspense.read_statement(source, case["hints"])
        assert got["transactions"] == expected_transactions(case)
        assert report_fields(got["report"]) == case["expect"]["report"]
        assert got["report"]["transactions"] == len(got["transactions"])


CSV = b"Date,Description,Amount\n01/31/2024,COFFEE,-4.50\n"


def test_hints_are_the_core_shape_and_refused_when_unknown() -> None:
    assert xspense.read_statement(CSV) == xspense.read_statement(CSV, {})
    assert xspense.read_statement(CSV, None) == xspense.read_statement(bytearray(CSV))
    hinted = xspense.read_statement(CSV, {"currency": "EUR", "columns": [{"column": 3, "role": "amount"}]})
    assert hinted["report"]["currency"] == {"value": "EUR", "by": "hint", "detail": hinted["report"]["currency"]["detail"]}
    with pytest.raises(xspense.InvalidInputError, match="dateOrder"):
        xspense.read_statement(CSV, {"dateOrder": "mdy"})  # type: ignore[arg-type]
    with pytest.raises(xspense.InvalidInputError, match="date_order"):
        xspense.read_statement(CSV, {"date_order": "ydm"})  # type: ignore[arg-type]


def test_data_is_bytes_or_a_path() -> None:
    with pytest.raises(FileNotFoundError):
        xspense.read_statement("/nonexistent/statement.csv")
    # text given as a str is taken for a path: refused without echoing it (it may hold card numbers)
    with pytest.raises(xspense.InvalidInputError, match="as bytes") as info:
        xspense.read_statement(CSV.decode() + "4111 1111 1111 1111\n")
    assert "4111" not in str(info.value)
    with pytest.raises(TypeError):
        xspense.read_statement(42)  # type: ignore[arg-type]
    with pytest.raises(xspense.InvalidInputError):
        xspense.read_statement(b"")


def test_the_result_has_the_keys_of_the_generated_records() -> None:
    got = xspense.read_statement(CSV)

    def keys(t: Any) -> "set[str]":
        return set(t.__required_keys__) | set(t.__optional_keys__)

    assert set(got) == keys(records.Statement)
    assert set(got["transactions"][0]) == keys(records.StatementTransaction)
    assert set(got["report"]) == keys(records.Report)
    assert types.StatementReport is records.Report and types.StatementHints is records.Hints
