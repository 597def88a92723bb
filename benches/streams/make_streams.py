#!/usr/bin/env python3
"""Writes synthetic single-user bank exports for developing and comparing categorizers.

Usage: python3 make_streams.py PATH/TO/shared/data [OUT_DIR]

Each user shops at a few dozen merchants drawn from the solyanka descriptor patterns (MIT; see
core/src/knowledge/data/generate.py for the type -> category mapping reused here), with
Zipf-like popularity, amounts inside each pattern's range, descriptor noise (store numbers and
template options vary, bank prefixes, dates and card suffixes), a personal label set (coarse,
fine, or the built-in ids), a few merchants the user files differently from the usual category,
and 3% label noise. Deterministic for a given seed.

Next to each NAME.csv it writes NAME.clean.txt: the label each row had before the noise, one
per line in row order, so that errors can be split into real ones and label noise
(benches/label_noise.py).
"""
import csv
import importlib.util
import random
import sys
from datetime import date, timedelta
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
spec = importlib.util.spec_from_file_location(
    "kbgen", HERE.parent.parent / "core/src/knowledge/data/generate.py")
kbgen = importlib.util.module_from_spec(spec)
spec.loader.exec_module(kbgen)
TYPE_CAT = dict(kbgen.TYPE_CATEGORY)
ORDER = {t: i for i, (t, _) in enumerate(kbgen.TYPE_CATEGORY)}

COARSE = {"food.groceries": "Groceries", "food": "Food & drink", "shopping": "Shopping",
          "transport": "Transport", "travel": "Travel", "utilities": "Bills", "services": "Bills",
          "entertainment": "Fun", "medical": "Health", "personal_care": "Health",
          "home": "Home", "transfer": "Money", "government": "Bills", "income": "Income"}
FINE = {"food.groceries": "Groceries", "food.restaurants": "Restaurants", "food.fast_food": "Takeaway",
        "food.delivery": "Takeaway", "food.coffee": "Coffee", "food.bars": "Going out",
        "food.other": "Coffee", "transport.fuel": "Car", "transport.parking": "Car",
        "transport.car_wash": "Car", "services.automotive": "Car", "transport.taxi": "Taxis",
        "transport.public": "Public transport", "travel": "Holidays", "shopping.clothing": "Clothes",
        "shopping.pharmacy": "Health", "medical": "Health", "personal_care": "Self care",
        "services.software": "Subscriptions", "entertainment.streaming": "Subscriptions",
        "utilities": "Bills", "entertainment": "Entertainment", "shopping": "Shopping",
        "services": "Services", "home": "Home", "transfer": "Transfers", "government": "Bills"}

USERS = [
    ("us_coarse", ["usa", "general"], COARSE, 1),
    ("uk_fine", ["uk", "general", "eea"], FINE, 2),
    ("eu_builtin", ["germany", "france", "spain", "italy", "eea"], None, 3),
    ("asia_fine", ["thailand", "malaysia", "vietnam", "general"], FINE, 4),
    ("au_coarse", ["australia", "general", "uk"], COARSE, 5),
]


def label_for(scheme, cat):
    if scheme is None:
        return cat
    if cat in scheme:
        return scheme[cat]
    return scheme.get(cat.split(".")[0], "Other")


def render(title, rng):
    if isinstance(title, str) or title is None:
        return title
    text = title.get("template", "")
    for name, p in (title.get("params") or {}).items():
        opts = (p.get("options") if isinstance(p, dict) else None) or [str(rng.randint(100, 9999))]
        text = text.replace("{" + name + "}", str(rng.choice(opts)))
    import re
    return re.sub(r"\{[^}]*\}", str(rng.randint(10, 99)), text)


def noisy(desc, rng, d):
    r = rng.random()
    if r < 0.15:
        desc = "POS " + desc
    elif r < 0.25:
        desc = "CARD PURCHASE " + desc
    elif r < 0.30:
        desc = "SQ *" + desc
    if rng.random() < 0.2:
        desc += f" {d.month:02d}/{d.day:02d}"
    if rng.random() < 0.1:
        desc += f" #{rng.randint(1000, 9999)}"
    return desc.upper() if rng.random() < 0.5 else desc


def main(data, out):
    data = Path(data)
    out.mkdir(parents=True, exist_ok=True)
    for name, files, scheme, seed in USERS:
        rng = random.Random(seed)
        pool = []
        for f in files:
            for e in yaml.safe_load((data / "merchants/solyanka" / f"{f}.yml").read_text(encoding="utf-8")) or []:
                types = [t for t in (e.get("types") or []) if t in TYPE_CAT]
                if types:
                    pool.append((e, TYPE_CAT[min(types, key=lambda t: ORDER[t])]))
        rng.shuffle(pool)
        shops = pool[:70]
        quirks = {i: rng.choice(sorted({label_for(scheme, c) for _, c in pool})) for i in rng.sample(range(len(shops)), 5)}
        labels = sorted({label_for(scheme, c) for _, c in shops} | set(quirks.values()))
        weights = [1.0 / (i + 1) ** 0.8 for i in range(len(shops))]
        day = date(2025, 1, 1)
        rows = []
        for _ in range(1500):
            day += timedelta(days=rng.choice([0, 0, 0, 1, 1, 2]))
            i = rng.choices(range(len(shops)), weights)[0]
            e, cat = shops[i]
            desc = render(e.get("title"), rng) or e.get("prettyTitle")
            lo, hi = (e.get("amountRange") or {}).get("min", 5), (e.get("amountRange") or {}).get("max", 50)
            amount = round(rng.uniform(lo, hi), 2)
            label = clean = quirks.get(i, label_for(scheme, cat))
            if rng.random() < 0.03:
                label = rng.choice(labels)
            rows.append((day.isoformat(), noisy(str(desc), rng, day), f"-{amount:.2f}", label, clean))
        with open(out / f"{name}.csv", "w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            w.writerow(["Date", "Description", "Amount", "Category"])
            w.writerows(r[:4] for r in rows)
        (out / f"{name}.clean.txt").write_text("".join(r[4] + "\n" for r in rows), encoding="utf-8")
        print(f"{name}: {len(rows)} rows, {len(shops)} merchants, {len(labels)} labels", file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv[1], Path(sys.argv[2]) if len(sys.argv) > 2 else HERE)
