"""Hash-chained audit log."""

from __future__ import annotations

import copy

import pytest
import xspense


def test_append_verify_resume_and_tamper() -> None:
    log = xspense.AuditLog()
    e0 = log.append("acme", "ana", "correction", "tx-1", old={"category": "food.other"},
                    new={"category": "food.coffee", "note": "card 4111 1111 1111 1111"}, at=1)
    log.append("acme", "worker-1", "task_transition", "task-1", new={"status": "completed"}, at=2)
    log.append("globex", "bob", "rule_change", "rule-7", at=3)
    assert e0["seq"] == 0 and len(log) == 3
    assert e0["new"]["note"] == "card [CARD]", "values are redacted before hashing"
    log.verify()
    assert [e["subject"] for e in log.entries("acme")] == ["tx-1", "task-1"]
    stored = log.entries()
    resumed = xspense.AuditLog.resume(stored)
    assert resumed.append("acme", "ana", "other", "x", at=4)["prev_hash"] == stored[-1]["hash"]

    altered = copy.deepcopy(stored)
    altered[1]["actor"] = "mallory"
    with pytest.raises(xspense.TamperedError) as info:
        xspense.verify_audit(altered)
    assert info.value.seq == 1 and "altered" in str(info.value)
    with pytest.raises(xspense.TamperedError):
        xspense.verify_audit([stored[0], stored[2]])
    with pytest.raises(xspense.TamperedError):
        xspense.AuditLog.resume(altered)
    with pytest.raises(xspense.InvalidInputError):
        log.append("acme", "ana", "deleted_everything", "x")
    assert not xspense.AuditLog(redact=False).append("a", "b", "other", "s", new="4111 1111 1111 1111")["new"] == "[CARD]"
