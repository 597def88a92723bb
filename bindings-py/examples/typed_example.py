"""A small typed program over the whole API; CI runs ``mypy --strict`` on it."""

from __future__ import annotations

import datetime
from typing import List

import xspense
from xspense.types import QueueStats, RuleSuggestion, Task


def categorize(engine: xspense.Engine) -> List[str]:
    engine.add_rules("acme", 'rule coffee: merchant contains "blue bottle" => food.coffee')
    tx = xspense.Transaction("SQ *BLUE BOTTLE 0042", "-4.75", date=datetime.date(2026, 11, 2), tenant="acme")
    out: List[str] = []
    for d in engine.categorize_batch([tx, {"tenant": "acme", "descriptor": "ODD SHOP", "amount": 3, "date": "2026-11-02"}]):
        if isinstance(d, xspense.LlmRequest):
            c = engine.resolve(d, '{"category": "shopping.other", "confidence": 0.7}')
        else:
            c = d
        out.append(f"{c.category} ({c.source}, {c.band})")
    return out


def suggest(engine: xspense.Engine) -> List[str]:
    history = [
        (xspense.Transaction(f"SQ *BLUE BOTTLE {n}", "-4.75", date="2026-11-02", tenant="acme", id=str(n)), "food.coffee")
        for n in range(3)
    ]
    found: List[RuleSuggestion] = engine.suggest_rules("acme", history, min_support=3)
    return [f"{s['text']} (precision {s['precision']:.2f})" for s in found]


def redact(text: str) -> str:
    vault = xspense.TokenVault()
    r = xspense.Redactor(operator="token")
    safe = r.redact(text, vault).text
    return vault.restore(safe)


def work(queue: xspense.TaskQueue) -> QueueStats:
    queue.enqueue("acme", "q", "categorize", {"rows": 1}, idempotency_key="k1")
    task: Task | None = queue.claim("q", "w1", lease_ms=5_000)
    if task is not None:
        queue.complete(task["tenant"], task["id"], "w1", {"ok": True})
    return queue.stats()


def main() -> None:
    print(categorize(xspense.Engine()))
    print(suggest(xspense.Engine()))
    print(redact("card 4111 1111 1111 1111"))
    print(work(xspense.TaskQueue())["completed_total"])
    try:
        xspense.Engine().remove_rule("acme", "missing")
    except xspense.NotFoundError as e:
        print(e.code)


if __name__ == "__main__":
    main()
