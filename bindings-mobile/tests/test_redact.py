"""Redaction through the uniffi scaffolding: the shared vectors and token restore."""

from __future__ import annotations

import pytest
from conftest import load_vectors, xm

OPS = {"placeholder": xm.RedactOperator.PLACEHOLDER, "mask": xm.RedactOperator.MASK,
       "hash": xm.RedactOperator.HASH, "remove": xm.RedactOperator.REMOVE, "token": xm.RedactOperator.TOKEN}


def options(op: "xm.RedactOperator") -> "xm.RedactorOptions":
    return xm.RedactorOptions(operator=op, min_confidence=0.5, hash_key=None, disable=[], allow_values=[], for_descriptors=False)


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
