"""Redaction: the shared vectors, every operator, JSON and token restore."""

from __future__ import annotations

import pytest
import xspense
from conftest import load_vectors


@pytest.mark.parametrize("case", load_vectors("redact.json"), ids=lambda c: c["name"])
def test_redact_vectors(case: dict) -> None:
    r = xspense.Redactor(operator=case["mode"])
    out = r.redact(case["text"])
    assert out.text == case["expect"]
    assert [f.kind for f in out.findings] == case["kinds"]


def test_offsets_index_python_strings() -> None:
    text = "ünïcödé ✓ card 4111 1111 1111 1111 and ana@example.com"
    r = xspense.Redactor()
    found = r.find(text)
    assert [text[f.start : f.end] for f in found] == ["4111 1111 1111 1111", "ana@example.com"]
    assert found[0].detector == "card" and found[0].confidence > 0.9


def test_every_operator() -> None:
    text = "card 4111 1111 1111 1111"
    assert xspense.Redactor(operator="placeholder").redact(text).text == "card [CARD]"
    assert xspense.Redactor(operator="mask").redact(text).text == "card **** **** **** 1111"
    assert xspense.Redactor(operator="remove").redact(text).text == "card "
    h1 = xspense.Redactor(operator="hash", hash_key=b"k" * 32).redact(text).text
    h2 = xspense.Redactor(operator="hash", hash_key="k" * 32).redact("card 4111-1111-1111-1111").text
    h3 = xspense.Redactor(operator="hash", hash_key=b"x" * 32).redact(text).text
    assert h1.startswith("card [CARD:") and h1 == h2 and h1 != h3
    with pytest.raises(xspense.InvalidInputError):
        xspense.Redactor(operator="shred")  # type: ignore[arg-type]


def test_token_vault_restores() -> None:
    r = xspense.Redactor(operator="token")
    vault = xspense.TokenVault()
    out = r.redact("refund 4111 1111 1111 1111 to ana@example.com", vault)
    assert out.text == "refund <CARD_1> to <EMAIL_1>"
    assert len(vault) == 2
    assert vault.restore("Refunded <CARD_1>.") == "Refunded 4111 1111 1111 1111."
    assert vault.value_of("<EMAIL_1>") == "ana@example.com"
    assert vault.value_of("<EMAIL_9>") is None


def test_json_and_batch() -> None:
    r = xspense.Redactor()
    doc = {"user": {"email": "ana@example.com", "password": "hunter2"}, "notes": ["ok", "ssn 588-46-6702"], "n": 3}
    out = r.redact_json(doc)
    assert out.value["user"] == {"email": "[EMAIL]", "password": "[SECRET]"}
    assert out.value["notes"] == ["ok", "ssn [SSN]"]
    assert out.value["n"] == 3
    paths = sorted(f["path"] for f in out.findings)
    assert paths == ["/notes/1", "/user/email", "/user/password"]
    assert doc["user"]["password"] == "hunter2", "input untouched"
    assert r.redact_batch(["a 4111 1111 1111 1111", "clean"]) == ["a [CARD]", "clean"]
    with pytest.raises(TypeError):
        r.redact_json({"x": object()})


def test_options() -> None:
    text = "mail ana@example.com from 203.0.113.42"
    assert xspense.Redactor(disable=["EMAIL_ADDRESS"]).redact(text).text == "mail ana@example.com from [IP]"
    assert xspense.Redactor(allow_values=["ana@example.com"]).redact(text).text == "mail ana@example.com from [IP]"
    custom = xspense.Redactor(
        detectors=[{"id": "employee-id", "kind": "EMPLOYEE_ID", "regex": r"\bEMP-\d{6}\b", "keywords": ["emp-"]}]
    )
    assert custom.redact("badge EMP-004211").text == "badge [EMPLOYEE_ID]"
    assert "employee-id" in custom.detector_ids()
    assert len(xspense.Redactor(builtin_secrets=False).detector_ids()) < len(xspense.Redactor().detector_ids())
    with pytest.raises(xspense.XspenseError):
        xspense.Redactor(detectors=[{"id": "x", "kind": "lower", "regex": "("}])


def test_options_are_the_core_spec() -> None:
    text = "mail ana@example.com, card 4111 1111 1111 1111"
    # None, like an absent option, takes the core's default
    assert xspense.Redactor(operator=None, min_confidence=None, disable=None).redact(text).text == xspense.Redactor().redact(text).text
    assert xspense.Redactor(allow_patterns=[r"ana@example\.com"]).redact(text).text == "mail ana@example.com, card [CARD]"
    assert xspense.Redactor(for_descriptors=True).operator == "placeholder"
    with pytest.raises(xspense.InvalidInputError, match="redactor options"):
        xspense.Redactor(min_confidence="high")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        xspense.Redactor(operater="mask")  # type: ignore[call-arg]
