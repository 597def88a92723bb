"""Signed agent envelopes and webhook signatures."""

from __future__ import annotations

import pytest
import xspense

KEY = b"k" * 32
T0 = 1_800_000_000_000
MSG = {"type": "task", "task_id": "t1", "action": "categorize", "payload": {"rows": 3},
       "resources": {"timeout_ms": 30000}, "trace_id": "tr-1", "requested_by": "planner"}


def test_sign_and_verify() -> None:
    s = xspense.Signer(KEY, "planner")
    v = xspense.Verifier([KEY], ["planner"], "worker")
    tok = s.sign(MSG, "worker", "jti-1", now=T0)
    claims = v.verify(tok, now=T0 + 1_000)
    assert (claims["iss"], claims["aud"], claims["jti"]) == ("planner", "worker", "jti-1")
    assert claims["msg"]["task_id"] == "t1"


@pytest.mark.parametrize(
    "make, error",
    [
        (lambda tok: tok, xspense.TokenReplayedError),
        (lambda tok: tok[:-3] + ("AAA" if not tok.endswith("AAA") else "BBB"), xspense.TokenBadSignatureError),
        (lambda tok: "nonsense", xspense.TokenMalformedError),
    ],
)
def test_each_failure_has_its_error(make, error) -> None:  # type: ignore[no-untyped-def]
    s = xspense.Signer(KEY, "planner")
    v = xspense.Verifier([KEY], ["planner"], "worker")
    tok = s.sign(MSG, "worker", "jti-2", now=T0)
    v.verify(tok, now=T0)
    with pytest.raises(error) as info:
        v.verify(make(tok), now=T0)
    assert isinstance(info.value, xspense.XspenseError)


def test_time_audience_issuer_and_rotation() -> None:
    s = xspense.Signer(KEY, "planner")
    tok = s.sign(MSG, "worker", "j", ttl_ms=60_000, now=T0)
    with pytest.raises(xspense.TokenExpiredError):
        xspense.Verifier([KEY], ["planner"], "worker").verify(tok, now=T0 + 200_000)
    with pytest.raises(xspense.TokenNotYetValidError):
        xspense.Verifier([KEY], ["planner"], "worker").verify(tok, now=T0 - 200_000)
    with pytest.raises(xspense.TokenWrongAudienceError):
        xspense.Verifier([KEY], ["planner"], "auditor").verify(tok, now=T0)
    with pytest.raises(xspense.TokenWrongIssuerError):
        xspense.Verifier([KEY], ["someone"], "worker").verify(tok, now=T0)
    rotated = xspense.Verifier([b"n" * 32, KEY], ["planner"], "worker")
    assert rotated.verify(tok, now=T0)["jti"] == "j"
    with pytest.raises(xspense.InvalidInputError):
        xspense.Signer(b"short", "planner")
    with pytest.raises(xspense.InvalidInputError):
        s.sign({**MSG, "task_id": ""}, "worker", "j", now=T0)


def test_webhooks() -> None:
    secret = b"s" * 16
    header = xspense.sign_webhook(secret, b'{"a":1}', now=T0)
    assert header.startswith("t=")
    xspense.verify_webhook(secret, header, '{"a":1}', now=T0 + 1_000)
    with pytest.raises(xspense.TokenBadSignatureError):
        xspense.verify_webhook(secret, header, b'{"a":2}', now=T0)
    with pytest.raises(xspense.TokenExpiredError):
        xspense.verify_webhook(secret, header, b'{"a":1}', now=T0 + 3_600_000)
    with pytest.raises(xspense.TokenMalformedError):
        xspense.verify_webhook(secret, "garbage", b"{}", now=T0)
