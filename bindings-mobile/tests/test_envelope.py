"""Envelopes, rate limits and the audit log through the uniffi scaffolding."""

from __future__ import annotations

import json

import pytest
from conftest import xm

T0 = 1_800_000_000_000
KEY = b"k" * 32
MSG = json.dumps({"type": "event", "event": "sync", "payload": {}, "trace_id": "tr-1"})


def test_envelopes() -> None:
    tok = xm.Signer(KEY, "planner").sign(MSG, "worker", "j1", 60_000, T0)
    v = xm.Verifier([KEY], ["planner"], "worker")
    assert json.loads(v.verify(tok, T0))["msg"]["event"] == "sync"
    with pytest.raises(xm.XspenseError.TokenReplayed):
        v.verify(tok, T0)
    with pytest.raises(xm.XspenseError.TokenExpired):
        xm.Verifier([KEY], ["planner"], "worker").verify(tok, T0 + 600_000)


def test_limits_and_audit() -> None:
    rl = xm.RateLimiter(10, 1_000, 2)
    assert [rl.check("acme", "r", T0).allowed for _ in range(3)] == [True, True, False]
    log = xm.AuditLog()
    e = json.loads(log.append("acme", "ana", "correction", "tx-1", None, '{"note": "card 4111 1111 1111 1111"}', 1))
    assert e["new"]["note"] == "card [CARD]"
    log.verify()
    entries = json.loads(log.entries_json())
    entries[0]["actor"] = "mallory"
    with pytest.raises(xm.XspenseError.Tampered):
        xm.verify_audit(json.dumps(entries))
