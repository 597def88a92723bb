#!/usr/bin/env python3
"""Writes synthetic single-user bank exports for developing and comparing categorizers.

Usage: python3 make_streams.py PATH/TO/shared/data [OUT_DIR]

Each user shops at a few dozen merchants drawn from the solyanka descriptor patterns (MIT; see
core/src/knowledge/data/generate.py for the type -> category mapping reused here), with
Zipf-like popularity, amounts inside each pattern's range, descriptor noise (store numbers and
template options vary, bank prefixes, dates and card suffixes), a personal label set (coarse,
fine, or the built-in ids), a few merchants the user files differently from the usual category,
and 3% label noise. Deterministic for a given seed.

It also writes five harder streams (NAME_hard.csv), closer to what real exports look like and
where the baselines land in the ranges measured on real exports: 300 merchants per user with a
long tail seen once or twice, merchants filed by amount (the cheap visits one way), payments
to people filed by who was paid, salary, cash, and the descriptor formats of one bank per user
(dates, reference numbers and currency clauses inside the text).

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


# Harder streams, closer to what real single-user exports look like: a long tail of merchants
# seen once or twice, merchants filed by amount, payments to people, salary, cash, and the
# descriptor formats of one bank per user (reference numbers and dates inside the text).
FIRST = ["ANNA", "JAMES", "MARIA", "DAVID", "SOPHIE", "LUCAS", "EMMA", "NOAH", "MIA", "OLIVER", "CHLOE",
         "LIAM", "SARA", "TOM", "NINA", "LEO", "ZOE", "MAX", "IVY", "BEN"]
LAST = ["SMITH", "NGUYEN", "GARCIA", "MUELLER", "ROSSI", "TAN", "BROWN", "WILSON", "KOWALSKI", "DUBOIS",
        "SILVA", "JONES", "MARTIN", "LEE", "MORALES", "KHAN", "BERG", "TAYLOR", "MOORE", "CLARK"]
EMPLOYERS = ["ACME CORP", "NORTHWIND LTD", "GLOBEX", "INITECH INC", "UMBRELLA PTY", "CONTOSO GMBH"]
MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]


def bank_format(style, desc, rng, d, amount):
    """The descriptor as one bank writes a card purchase."""
    if style == "us":
        r = rng.random()
        if r < 0.45:
            return (f"PURCHASE AUTHORIZED ON {d.month:02d}/{d.day:02d} {desc.upper()} "
                    f"S{rng.randint(10**14, 10**15 - 1)} CARD {rng.randint(1000, 9999)}")
        if r < 0.6:
            return f"{desc.upper()} {d.month:02d}/{d.day:02d}"
        return desc.upper()
    if style == "uk":
        if rng.random() < 0.5:
            return f"CARD PAYMENT TO {desc.upper()},{amount:.2f} GBP, RATE 1.00/GBP ON {d.day:02d}-{d.month:02d}-{d.year}"
        return f"{desc.upper()} ON {d.day:02d} {MONTHS[d.month - 1]} CLP"
    if style == "de":
        r = rng.random()
        if r < 0.5:
            return f"Kartenzahlung {desc} {d.day:02d}.{d.month:02d}.{d.year} Folgenr.{rng.randint(100, 999)}"
        if r < 0.7:
            return f"SEPA-Lastschrift {desc} Ref. {rng.randint(10**9, 10**10 - 1)}"
        return desc
    if style == "th":
        return f"{desc.upper()} {d.day:02d}/{d.month:02d} TXN{rng.randint(10**6, 10**7 - 1)}" if rng.random() < 0.6 else desc
    return noisy(desc, rng, d)


def person_payment(style, name, rng, d):
    if style == "us":
        return (f"ZELLE PAYMENT TO {name} JPM{rng.randint(10**8, 10**9 - 1)}" if rng.random() < 0.6
                else f"VENMO *{name} {d.month:02d}/{d.day:02d}")
    if style == "uk":
        return f"{name} FASTER PAYMENT REF {rng.choice(['THANKS', 'RENT', 'DINNER', 'TICKETS', 'FOOD', 'XX'])}"
    if style == "de":
        return f"SEPA-Überweisung an {name.title()} Ref. {rng.randint(10**7, 10**8 - 1)}"
    return f"TRANSFER TO {name} {rng.randint(10**5, 10**6 - 1)}"


HARD_USERS = [
    ("us_hard", ["usa", "general", "uk", "eea"], COARSE, 11, "us"),
    ("uk_hard", ["uk", "general", "eea", "spain", "portugal"], FINE, 12, "uk"),
    ("de_hard", ["germany", "austria", "italy", "eea", "general", "hungary"], None, 13, "de"),
    ("th_hard", ["thailand", "malaysia", "general"], FINE, 14, "th"),
    ("au_hard", ["australia", "general", "indonesia", "uk"], COARSE, 15, "au"),
]


def main_hard(data, out):
    for name, files, scheme, seed, style in HARD_USERS:
        rng = random.Random(seed)
        pool = []
        for f in files:
            for e in yaml.safe_load((data / "merchants/solyanka" / f"{f}.yml").read_text(encoding="utf-8")) or []:
                cats = []
                for t in sorted((t for t in (e.get("types") or []) if t in TYPE_CAT), key=lambda t: ORDER[t]):
                    if TYPE_CAT[t] not in cats:
                        cats.append(TYPE_CAT[t])
                if cats:
                    pool.append((e, cats))
        rng.shuffle(pool)
        shops = pool[:300]
        lab = lambda c: label_for(scheme, c)
        # a merchant with two kinds of goods is filed by amount: the cheap visits one way
        split = {i for i, (_, cats) in enumerate(shops[:60]) if len({lab(c) for c in cats}) > 1 and rng.random() < 0.5}
        quirks = {i: rng.choice(sorted({lab(cs[0]) for _, cs in pool})) for i in rng.sample(range(len(shops)), 8)}
        income = "income" if scheme is None else "Income"
        cash = "transfer.out" if scheme is None else ("Money" if scheme is COARSE else "Cash")
        people_cats = sorted({lab(c) for c in ("utilities.rent", "food.restaurants", "entertainment.events",
                                               "transfer.out", "services.other", "shopping.gifts")})
        people = [(f"{rng.choice(FIRST)} {rng.choice(LAST)}", rng.choice(people_cats)) for _ in range(10)]
        weights = [1.0 / (i + 1) ** 1.05 for i in range(len(shops))]
        pweights = [1.0 / (i + 1) for i in range(len(people))]
        employer = rng.choice(EMPLOYERS)
        day = date(2025, 1, 1)
        rows = []
        while len(rows) < 1500:
            day += timedelta(days=rng.choice([0, 0, 0, 1, 1, 2]))
            if day.day in (1, 15) and not any(r[0] == day.isoformat() and r[4] == income for r in rows[-5:]):
                rows.append((day.isoformat(), f"PAYROLL {employer} DIR DEP {rng.randint(10**5, 10**6 - 1)}",
                             f"{rng.uniform(2400, 2600):.2f}", income, income))
                continue
            r = rng.random()
            if r < 0.06:
                who, clean = people[rng.choices(range(len(people)), pweights)[0]]
                desc, amount = person_payment(style, who, rng, day), round(rng.uniform(10, 400), 2)
            elif r < 0.08:
                desc = f"ATM WITHDRAWAL {rng.randint(1000, 9999)} {rng.choice(['MAIN ST', 'CENTRAL', 'AIRPORT', 'MALL'])}"
                amount, clean = float(rng.choice([20, 40, 50, 100, 200])), cash
            else:
                i = rng.choices(range(len(shops)), weights)[0]
                e, cats = shops[i]
                text = render(e.get("title"), rng) or e.get("prettyTitle")
                lo, hi = (e.get("amountRange") or {}).get("min", 5), (e.get("amountRange") or {}).get("max", 50)
                amount = round(rng.uniform(lo, hi), 2)
                clean = quirks.get(i, lab(cats[0]))
                if i in split:
                    amount = round(rng.uniform(lo, hi) * (3 if rng.random() < 0.5 else 0.3), 2)
                    clean = lab(cats[0]) if amount >= (lo + hi) / 2 else lab(cats[1])
                desc = bank_format(style, str(text), rng, day, amount)
            labels = sorted({lab(cs[0]) for _, cs in shops} | {income, cash} | {c for _, c in people})
            label = clean if rng.random() >= 0.03 else rng.choice(labels)
            rows.append((day.isoformat(), desc, f"-{amount:.2f}", label, clean))
        write(out, name, rows)


def write(out, name, rows):
    with open(out / f"{name}.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["Date", "Description", "Amount", "Category"])
        w.writerows(r[:4] for r in rows)
    (out / f"{name}.clean.txt").write_text("".join(r[4] + "\n" for r in rows), encoding="utf-8")
    print(f"{name}: {len(rows)} rows, {len({r[1] for r in rows})} descriptors, {len({r[3] for r in rows})} labels",
          file=sys.stderr)


if __name__ == "__main__":
    data, out = Path(sys.argv[1]), Path(sys.argv[2]) if len(sys.argv) > 2 else HERE
    main(data, out)
    main_hard(data, out)
