"""The sans-IO LLM flow in an asyncio host.

The engine never calls a model: it returns an ``LlmRequest`` when no stage is confident. This
host sends those requests concurrently to its own (here: fake) async client, then hands each
answer back with ``engine.resolve``. Replace ``FakeModel.complete`` with your client, e.g.
``await openai.chat.completions.create(model=..., messages=request.messages(),
response_format={"type": "json_object"})``.
"""

from __future__ import annotations

import asyncio
import json
from typing import List, Union

import xspense


class FakeModel:
    """Stands in for a real model: answers from a keyword table after a short await."""

    def __init__(self) -> None:
        self.calls = 0

    async def complete(self, request: xspense.LlmRequest) -> str:
        self.calls += 1
        await asyncio.sleep(0.01)  # the network round trip
        text = request.prompt.lower()
        category = "food.restaurants" if "baeckerei" in text or "trattoria" in text else "shopping.other"
        return json.dumps({"category": category, "confidence": 0.85, "reason": "keyword match"})


async def categorize_all(
    engine: xspense.Engine, model: FakeModel, rows: List[xspense.types.TransactionDict]
) -> List[xspense.Categorization]:
    decisions = engine.categorize_batch(rows)
    pending = [d for d in decisions if isinstance(d, xspense.LlmRequest)]
    answers = await asyncio.gather(*(model.complete(r) for r in pending))
    resolved = {r.transaction_id: engine.resolve(r, a) for r, a in zip(pending, answers)}
    out: List[xspense.Categorization] = []
    for d in decisions:
        out.append(resolved[d.transaction_id] if isinstance(d, xspense.LlmRequest) else d)
    return out


async def main() -> None:
    engine = xspense.Engine()
    model = FakeModel()
    rows: List[xspense.types.TransactionDict] = [
        {"id": "1", "tenant": "ana", "descriptor": "SQ *BLUE BOTTLE 0042 OAKLAND CA", "amount": "-4.75", "date": "2026-11-02"},
        {"id": "2", "tenant": "ana", "descriptor": "Kartenzahlung Baeckerei Schmidt Berlin", "amount": "-3.20", "date": "2026-11-02"},
        {"id": "3", "tenant": "ana", "descriptor": "TRATTORIA DA LUIGI 55 MILANO", "amount": "-48.00", "date": "2026-11-03"},
    ]
    first = await categorize_all(engine, model, rows)
    for c in first:
        print(f"{c.transaction_id}: {c.merchant:<22} {c.category:<18} {c.source:<9} {c.confidence:.2f}")
    # the answers were learned: the same merchants never need the model again
    again = await categorize_all(engine, model, [{**r, "id": r["id"] + "b"} for r in rows])
    print("model calls:", model.calls, "| second pass sources:", sorted({c.source for c in again}))


if __name__ == "__main__":
    asyncio.run(main())
