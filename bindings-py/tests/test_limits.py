"""Rate limiter and payload guard."""

from __future__ import annotations

import pytest
import xspense

T0 = 1_800_000_000_000


def test_burst_then_refuse_then_recover() -> None:
    rl = xspense.RateLimiter(10, 1_000, burst=3)
    got = [rl.check("acme", "categorize", now=T0) for _ in range(4)]
    assert [bool(d) for d in got] == [True, True, True, False]
    assert got[2].remaining == 0
    assert got[3].retry_after_ms == 100
    assert rl.check("acme", "categorize", now=T0 + 100).allowed
    assert rl.check("globex", "categorize", now=T0).allowed, "tenants have their own budget"
    with pytest.raises(xspense.RateLimitedError):
        for _ in range(5):
            rl.enforce("acme", "redact", now=T0)
    assert rl.check("acme", "x", n=3, now=T0).allowed
    assert not rl.check("acme", "x", n=1, now=T0).allowed
    with pytest.raises(xspense.InvalidInputError):
        rl.check("acme", "y", n=4, now=T0)
    with pytest.raises(xspense.InvalidInputError):
        xspense.RateLimiter(0, 1_000)


def test_payload_guard() -> None:
    g = xspense.PayloadGuard(max_bytes=100, max_depth=3)
    g.check_json(b'{"a": [1, 2]}')
    with pytest.raises(xspense.PayloadTooLargeError):
        g.check_json("[[[[1]]]]")
    with pytest.raises(xspense.PayloadTooLargeError):
        g.check_size(b"x" * 101)
