#!/usr/bin/env python3
"""Writes a copy of a labelled stream whose descriptors are 100+ characters long, in the shapes
long bank lines take: the original descriptor (a card-purchase head with its date before it
when it has none), then card number masks, sequence numbers, references and trailing clauses
(`: Mobile Purchase Sign Based ...`). The labels, dates and amounts are unchanged, so `xspense eval` on the copy measures
what long descriptors cost per transaction.

Usage: python3 benches/long_descriptors.py IN.csv OUT.csv
"""
import csv
import random
import sys

MIN_LENGTH = 100
SEED = 7
HEADS = ["PURCHASE AUTHORIZED ON {md}", "DEBIT CARD PURCHASE {md}", "POS PURCHASE {md}",
         "RECURRING CARD PURCHASE {md}"]
TAILS = ["CARD {card} SEQ #{seq} REF {ref}", "S{seq}{seq} CARD {card}",
         "REF {ref} TRACE {seq} : Mobile Purchase Sign Based On {md}"]
ALNUM = "ABCDEFGHJKLMNPQRSTUVWXYZ0123456789"


def lengthen(descriptor, rng):
    fill = {
        "md": f"{rng.randint(1, 12):02d}/{rng.randint(1, 28):02d}",
        "card": f"{rng.randint(0, 9999):04d}",
        "seq": f"{rng.randint(0, 99999999):08d}",
        "ref": "".join(rng.choice(ALNUM) for _ in range(12)),
    }
    has_head = any(h.split(" {")[0] in descriptor.upper() for h in HEADS + ["PURCHASE"])
    text = descriptor if has_head else f"{rng.choice(HEADS).format(**fill)} {descriptor}"
    while len(text) < MIN_LENGTH:
        text = f"{text} {rng.choice(TAILS).format(**fill)}"
    return text


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    rng = random.Random(SEED)
    with open(sys.argv[1], newline="") as f:
        reader = csv.DictReader(f)
        rows = list(reader)
        fields = reader.fieldnames
    with open(sys.argv[2], "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=fields)
        writer.writeheader()
        for row in rows:
            row["Description"] = lengthen(row["Description"], rng)
            writer.writerow(row)


if __name__ == "__main__":
    main()
