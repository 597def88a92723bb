"""Redaction through the uniffi scaffolding: the shared vectors and token restore."""

from __future__ import annotations

import json

import pytest
from conftest import load_vectors, xm

OPS = {"placeholder": xm.RedactOperator.PLACEHOLDER, "mask": xm.RedactOperator.MASK,
       "hash": xm.RedactOperator.HASH, "remove": xm.RedactOperator.REMOVE, "token": xm.RedactOperator.TOKEN}


def options(op: "xm.RedactOperator") -> "xm.RedactorOptions":
    # the other options are absent: the core's defaults
    return xm.RedactorOptions(operator=op)


@pytest.mark.parametrize("case", load_vectors("redact.json"), ids=lambda c: c["name"])
def test_redact_vectors(case: dict) -> None:
    out = xm.Redactor.with_options(options(OPS[case["mode"]])).redact(case["text"], None)
    assert out.text == case["expect"]
    assert [f.kind for f in out.findings] == case["kinds"]


def test_tokens_restore_and_json() -> None:
    r = xm.Redactor.with_options(options(xm.RedactOperator.TOKEN))
    vault = xm.TokenVault()
    out = r.redact("refund 4111 1111 1111 1111 to ana@example.com", vault)
    assert out.text == "refund <CARD_1> to <EMAIL_1>"
    assert vault.restore("Refunded <CARD_1>.") == "Refunded 4111 1111 1111 1111."
    assert '"[SECRET]"' in xm.Redactor().redact_json('{"password": "hunter2"}')
    with pytest.raises(xm.XspenseError.InvalidInput):
        xm.Redactor().redact_json("{")


def test_options_record_and_spec_json_are_the_core_spec() -> None:
    text = "badge EMP-004211, mail ana@example.com"
    assert xm.Redactor.with_options(xm.RedactorOptions()).redact(text, None).text == xm.Redactor().redact(text, None).text
    allowed = xm.Redactor.with_options(xm.RedactorOptions(allow_patterns=[r"ana@example\.com"]))
    assert allowed.redact(text, None).text == text
    spec = {"operator": "mask", "detectors": [{"id": "employee-id", "kind": "EMPLOYEE_ID", "regex": r"\bEMP-\d{6}\b", "keywords": ["emp-"]}]}
    masked = xm.Redactor.with_spec_json(json.dumps(spec)).redact(text, None)
    assert [f.kind for f in masked.findings] == ["EMPLOYEE_ID", "EMAIL_ADDRESS"]
    with pytest.raises(xm.XspenseError.InvalidInput, match="operater"):
        xm.Redactor.with_spec_json('{"operater": "mask"}')
    with pytest.raises(xm.XspenseError.InvalidInput):
        xm.Redactor.with_options(xm.RedactorOptions(disable=["lower case"]))


def test_offsets_are_utf16_units_as_kotlin_and_swift_index_strings() -> None:
    text = "café 😀 ana@example.com"
    found = xm.Redactor().find(text)
    # é is one UTF-16 unit and 😀 two, so the email starts at 8 (byte offset 11)
    assert [(f.kind, f.start, f.end) for f in found] == [("EMAIL_ADDRESS", 8, 23)]
    assert text.encode("utf-16-le")[2 * 8:2 * 23].decode("utf-16-le") == "ana@example.com"
