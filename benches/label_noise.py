#!/usr/bin/env python3
"""Splits xspense's prequential errors on the synthetic streams into real errors and label noise.

Usage: python3 benches/label_noise.py [benches/streams/NAME.csv ...]

Each stream NAME.csv written by benches/streams/make_streams.py has a NAME.clean.txt beside it:
the label each row had before 3% of rows were given a random one. This runs `xspense eval`
(learning from the labels as given, the noisy ones included, as a user's own history would)
with `--predictions`, then scores the same predictions against the given labels and against
the clean ones: overall accuracy, and precision and coverage in the high band (confidence
>= 0.85). Needs only Python's standard library and cargo.
"""

import csv
import sys
from collections import Counter
from pathlib import Path

from eval_compare import clean_labels, xspense_predictions

HIGH = {"high", "very_high"}


def main(streams):
    print("| stream | noisy rows | accuracy: given labels | clean labels "
          "| high band coverage | precision: given labels | clean labels | high-band errors (clean) |")
    print("|---|---|---|---|---|---|---|---|")
    for stream in streams:
        stream = Path(stream).resolve()
        with open(stream, encoding="utf-8", newline="") as f:
            given = [row["Category"] for row in csv.DictReader(f)]
        clean = clean_labels(stream, len(given))
        if clean is None:
            sys.exit(f"{stream.name}: no {stream.stem}.clean.txt beside it")
        _, pred = xspense_predictions(stream, "Category")
        if len(pred) != len(given):
            sys.exit(f"{stream.name}: {len(given)} rows, {len(pred)} predictions")
        # --predictions writes rows in evaluation (date) order; the streams are in date order.
        if any(p["label"] != g for p, g in zip(pred, given)):
            sys.exit(f"{stream.name}: predictions are not in the stream's row order")
        n = len(pred)
        high = [i for i, p in enumerate(pred) if p["band"] in HIGH]
        right = lambda labels, rows: sum(pred[i]["predicted"] == labels[i] for i in rows)
        wrong_high = Counter(pred[i]["source"] for i in high if pred[i]["predicted"] != clean[i])
        print(f"| {stream.stem} | {sum(g != c for g, c in zip(given, clean))} "
              f"| {right(given, range(n)) / n:.3f} | {right(clean, range(n)) / n:.3f} "
              f"| {len(high) / n:.3f} | {right(given, high) / len(high):.3f} "
              f"| {right(clean, high) / len(high):.3f} "
              f"| {sum(wrong_high.values())} ({', '.join(f'{s} {k}' for s, k in sorted(wrong_high.items())) or 'none'}) |")


if __name__ == "__main__":
    main(sys.argv[1:] or sorted(str(p) for p in (Path(__file__).resolve().parent / "streams").glob("*.csv")))
