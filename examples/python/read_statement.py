"""Read a bank export with the engine's statement reader and categorize what it holds.

read_statement takes the file's bytes or its path and detects the format (CSV, OFX/QFX, QIF,
CAMT), the encoding, the columns, the date order, the decimal mark, the currency and the sign
convention; the report says what decided each. Every transaction then goes to the engine with
its signed amount in minor units.

Run: python examples/python/read_statement.py (after `pip install ./bindings-py`)
"""

import collections
import pathlib

import xspense

export = pathlib.Path(__file__).resolve().parents[1] / "data" / "sample-bank.csv"
statement = xspense.read_statement(export)
report = statement["report"]
print(
    f"{export.name}: {report['format']}, {report['encoding']['value']}, "
    f"dates {report['date_order']['value']} ({report['date_order']['detail']}), "
    f"currency {report['currency']['value']} ({report['currency']['detail']})"
)
assert (report["format"], report["date_order"]["value"], report["currency"]["value"]) == ("csv", "mdy", "USD")

engine = xspense.Engine({"llm_fallback": False})
rows = [
    {
        "id": f"row{t['row']}",
        "tenant": "ana",
        "descriptor": t["description"],
        "amount_minor": t["amount_minor"],
        "currency": t["currency"],
        "date": t["date"],
    }
    for t in statement["transactions"]
]
decisions = engine.categorize_batch(rows)
by_category = collections.Counter(d.category for d in decisions)
for category, n in by_category.most_common(5):
    print(f"{n:3} {category}")
assert len(decisions) == report["transactions"] == 25
assert decisions[0].category == "food.coffee", decisions[0]
