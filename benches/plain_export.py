#!/usr/bin/env python3
"""Writes a plain bank export (`Date,Description,Amount`, ISO dates, UTF-8) of N rows that
both the old CLI reader and the core statement reader read, for before/after measurements
of `xspense categorize`.

    python3 benches/plain_export.py 500000 /tmp/plain-500k.csv
"""

import random
import sys

MERCHANTS = [
    "SQ *BLUE BOTTLE 0042 OAKLAND CA",
    "TESCO STORES 3297 LONDON GB",
    "SHELL OIL 5521 HOUSTON TX",
    "NETFLIX.COM 866-579-7172 CA",
    "AMAZON MKTPL*R73KD2PL0",
    "UBER *TRIP HELP.UBER.COM",
    "WHOLEFDS MKT 10234 AUSTIN TX",
    "ACME HARDWARE 77 SPRINGFIELD",
    "PAYROLL ACME INC DIRECT DEP",
    "CITY WATER UTILITY AUTOPAY",
]
DAYS_IN_MONTH = 28
SEED = 7


def main() -> None:
    rows, path = int(sys.argv[1]), sys.argv[2]
    rng = random.Random(SEED)
    with open(path, "w", encoding="utf-8", newline="\n") as out:
        out.write("Date,Description,Amount\n")
        for i in range(rows):
            month = 1 + (i * 12 // rows)
            day = 1 + i % DAYS_IN_MONTH
            cents = rng.randint(100, 25_000)
            sign = "" if i % 17 == 0 else "-"
            merchant = MERCHANTS[rng.randrange(len(MERCHANTS))]
            out.write(f"2026-{month:02d}-{day:02d},{merchant},{sign}{cents // 100}.{cents % 100:02d}\n")


if __name__ == "__main__":
    main()
