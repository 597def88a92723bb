#!/usr/bin/env python3
"""Builds the cold-start tables of `xspense::knowledge` from the licensed data.

Usage: python3 generate.py PATH/TO/shared/data

- solyanka.tsv: merchant descriptors from the solyanka package (MIT; PyPI solyanka 0.4.1, copy in
  data/merchants/solyanka) with a default category derived from each entry's `types`
  (first type that maps, in the order of TYPE_CATEGORY below). The engine normalizes the
  descriptor to a merchant key when it loads the table.
- mcc.tsv: every code of the ISO 18245 official list (MIT, github.com/jleclanche/python-iso18245,
  copy in data/mcc/iso18245) with a default category, from the explicit codes and ranges in
  MCC_CATEGORY below, else the range default of its first digit.

merchants.tsv (the merchant table: the brands the normalizer recognizes and their default
categories) is maintained by hand, not generated; see docs/merchants.md. A few of its descriptor
spellings were gathered from the same solyanka patterns (MIT; LICENSE-solyanka beside it).
"""
import csv
import re
import sys
from pathlib import Path

import yaml

TYPE_CATEGORY = [
    ("car_wash", "transport.car_wash"), ("parking", "transport.parking"),
    ("coffee", "food.coffee"), ("cafe", "food.coffee"), ("tea", "food.coffee"),
    ("food_delivery", "food.delivery"),
    ("fast_food", "food.fast_food"), ("street_food", "food.fast_food"), ("pizza", "food.fast_food"),
    ("snack", "food.fast_food"), ("snacks", "food.fast_food"), ("noodles", "food.fast_food"),
    ("bar", "food.bars"), ("pub", "food.bars"), ("nightlife", "food.bars"), ("alcohol", "food.bars"),
    ("hookah", "food.bars"),
    ("bakery", "food.other"), ("dessert", "food.other"), ("icecream", "food.other"),
    ("ice_cream", "food.other"), ("beverages", "food.other"), ("beverage", "food.other"),
    ("restaurant", "food.restaurants"), ("dining", "food.restaurants"), ("fine_dining", "food.restaurants"),
    ("supermarket", "food.groceries"), ("groceries", "food.groceries"), ("grocery", "food.groceries"),
    ("hypermarket", "food.groceries"), ("market", "food.groceries"), ("organic", "food.groceries"),
    ("fruit", "food.groceries"),
    ("convenience_store", "shopping.convenience"), ("convenience", "shopping.convenience"),
    ("pharmacy", "shopping.pharmacy"), ("drugstore", "shopping.pharmacy"), ("medicine", "shopping.pharmacy"),
    ("gas_station", "transport.fuel"), ("fuel", "transport.fuel"),
    ("taxi", "transport.taxi"), ("ride_hailing", "transport.taxi"), ("ride_sharing", "transport.taxi"),
    ("rideshare", "transport.taxi"), ("uber", "transport.taxi"),
    ("scooter_rental", "transport.bikes"), ("micromobility", "transport.bikes"),
    ("public_transport", "transport.public"), ("transit", "transport.public"),
    ("train", "travel.trains"),
    ("airline", "travel.flights"), ("aviation", "travel.flights"), ("airport", "travel.flights"),
    ("hotel", "travel.lodging"), ("accommodation", "travel.lodging"), ("resort", "travel.lodging"),
    ("hospitality", "travel.lodging"),
    ("cinema", "entertainment.cinema"), ("streaming", "entertainment.streaming"),
    ("gaming", "entertainment.games"), ("concert", "entertainment.events"),
    ("tickets", "entertainment.events"), ("ticketing", "entertainment.events"),
    ("museum", "entertainment.events"),
    ("fitness", "personal_care.gym"), ("laundry", "personal_care.laundry"),
    ("nail salon", "personal_care.hair"), ("beauty", "personal_care.hair"), ("grooming", "personal_care.hair"),
    ("spa", "personal_care.other"), ("cosmetics", "personal_care.other"), ("personal_care", "personal_care.other"),
    ("dental", "medical.dental"), ("dentist", "medical.dental"), ("optical", "medical.eyecare"),
    ("veterinary", "medical.vet"),
    ("clinic", "medical.doctor"), ("doctor", "medical.doctor"), ("hospital", "medical.doctor"),
    ("healthcare", "medical.doctor"), ("medical", "medical.doctor"), ("telemedicine", "medical.doctor"),
    ("pets", "shopping.pets"), ("pet_care", "shopping.pets"),
    ("jewelry", "shopping.clothing"), ("clothing", "shopping.clothing"), ("fashion", "shopping.clothing"),
    ("accessories", "shopping.clothing"),
    ("electronics", "shopping.electronics"), ("appliances", "shopping.electronics"),
    ("books", "shopping.books"), ("bookstore", "shopping.books"),
    ("home_improvement", "home.improvement"), ("hardware", "home.improvement"), ("diy", "home.improvement"),
    ("tools", "home.improvement"),
    ("furniture", "home.furniture"), ("home_goods", "home.furniture"), ("household", "home.furniture"),
    ("vape", "shopping.tobacco"), ("cigar", "shopping.tobacco"),
    ("gifts", "shopping.gifts"), ("flowers", "shopping.gifts"), ("souvenir", "shopping.gifts"),
    ("software", "services.software"), ("subscription", "services.software"),
    ("ai_service", "services.software"), ("online_services", "services.software"),
    ("digital_services", "services.software"), ("application", "services.software"),
    ("telecom", "utilities.phone"), ("telecommunication", "utilities.phone"), ("mobile_topup", "utilities.phone"),
    ("top_up", "utilities.phone"), ("communications", "utilities.phone"), ("mobile", "utilities.phone"),
    ("internet", "utilities.internet"), ("utilities", "utilities.electricity"), ("energy", "utilities.electricity"),
    ("insurance", "services.insurance"), ("education", "services.education"), ("tuition", "services.education"),
    ("logistics", "services.postage"), ("shipping", "services.postage"),
    ("government", "government.fees"), ("donation", "government.donations"),
    ("department_store", "shopping.department"), ("duty_free", "shopping.department"),
    ("wholesale", "shopping.department"), ("retail", "shopping.department"),
    ("ecommerce", "shopping.online"), ("e-commerce", "shopping.online"), ("online_shopping", "shopping.online"),
    ("social_commerce", "shopping.online"),
    ("delivery", "food.delivery"),
    ("automotive", "services.automotive"), ("car_service", "services.automotive"), ("auto", "services.automotive"),
    ("booking", "travel.other"), ("tour", "travel.other"), ("tourism", "travel.other"),
    ("traveling", "travel.other"), ("travel", "travel.other"),
    ("entertainment", "entertainment.other"), ("leisure", "entertainment.other"),
    ("recreation", "entertainment.other"),
    ("fintech", "transfer.out"), ("wallet", "transfer.out"), ("online_payment", "transfer.out"),
    ("payment", "transfer.out"), ("exchange", "transfer.out"), ("cryptocurrency", "transfer.investment"),
    ("housing", "utilities.rent"), ("property", "utilities.rent"),
    ("shopping", "shopping.other"), ("food", "food.other"), ("health", "medical.other"),
    ("wellness", "personal_care.other"), ("services", "services.other"), ("service", "services.other"),
    ("transportation", "transport.other"), ("transport", "transport.other"),
]

# (first, last, category); the narrowest range holding a code wins; single codes are (c, c).
MCC_CATEGORY = [
    (742, 742, "medical.vet"),
    (1520, 1799, "home.repair"),
    (3000, 3350, "travel.flights"), (3351, 3500, "travel.rental_cars"), (3501, 3999, "travel.lodging"),
    (4011, 4011, "transport.other"), (4111, 4111, "transport.public"), (4112, 4112, "travel.trains"),
    (4121, 4121, "transport.taxi"), (4131, 4131, "transport.public"), (4214, 4215, "services.postage"),
    (4225, 4225, "services.storage"), (4411, 4411, "travel.other"), (4457, 4468, "transport.other"),
    (4511, 4582, "travel.flights"), (4722, 4723, "travel.other"), (4784, 4784, "transport.tolls"),
    (4789, 4789, "transport.other"), (4812, 4814, "utilities.phone"), (4816, 4816, "utilities.internet"),
    (4821, 4821, "utilities.phone"), (4829, 4829, "transfer.out"), (4899, 4899, "entertainment.streaming"),
    (4900, 4900, "utilities.electricity"),
    (5013, 5013, "services.automotive"), (5021, 5021, "home.furniture"), (5039, 5039, "home.improvement"),
    (5044, 5045, "shopping.electronics"), (5047, 5047, "medical.other"), (5065, 5065, "shopping.electronics"),
    (5122, 5122, "shopping.pharmacy"), (5192, 5192, "shopping.books"), (5193, 5193, "shopping.gifts"),
    (5200, 5261, "home.improvement"), (5262, 5262, "shopping.online"), (5271, 5271, "home.furniture"),
    (5300, 5300, "shopping.department"), (5309, 5310, "shopping.department"), (5311, 5311, "shopping.department"),
    (5331, 5331, "shopping.department"), (5399, 5399, "shopping.department"),
    (5411, 5411, "food.groceries"), (5422, 5422, "food.groceries"), (5441, 5441, "food.other"),
    (5451, 5451, "food.groceries"), (5462, 5462, "food.other"), (5499, 5499, "food.groceries"),
    (5511, 5599, "transport.other"), (5531, 5533, "services.automotive"),
    (5541, 5542, "transport.fuel"), (5552, 5552, "transport.ev_charging"),
    (5611, 5699, "shopping.clothing"), (5712, 5719, "home.furniture"), (5722, 5722, "shopping.electronics"),
    (5732, 5734, "shopping.electronics"), (5735, 5735, "entertainment.music"), (5811, 5812, "food.restaurants"),
    (5813, 5813, "food.bars"), (5814, 5814, "food.fast_food"), (5815, 5815, "entertainment.other"),
    (5816, 5816, "entertainment.games"), (5817, 5818, "services.software"),
    (5912, 5912, "shopping.pharmacy"), (5921, 5921, "food.bars"), (5931, 5931, "shopping.other"),
    (5940, 5940, "transport.bikes"), (5941, 5941, "shopping.sporting"), (5942, 5943, "shopping.books"),
    (5944, 5944, "shopping.clothing"), (5945, 5945, "shopping.other"), (5947, 5947, "shopping.gifts"),
    (5948, 5948, "shopping.clothing"), (5960, 5960, "services.insurance"), (5963, 5969, "shopping.online"),
    (5975, 5976, "medical.other"), (5977, 5977, "personal_care.other"), (5992, 5992, "shopping.gifts"),
    (5993, 5993, "shopping.tobacco"), (5994, 5994, "shopping.books"), (5995, 5995, "shopping.pets"),
    (5999, 5999, "shopping.other"),
    (6010, 6011, "transfer.atm"), (6012, 6012, "transfer.out"), (6051, 6051, "transfer.out"),
    (6211, 6211, "transfer.investment"), (6300, 6399, "services.insurance"), (6513, 6513, "utilities.rent"),
    (6540, 6540, "transfer.out"),
    (7011, 7012, "travel.lodging"), (7032, 7033, "travel.lodging"), (7210, 7217, "personal_care.laundry"),
    (7230, 7230, "personal_care.hair"), (7261, 7261, "services.other"), (7276, 7277, "services.accounting"),
    (7297, 7298, "personal_care.other"), (7299, 7299, "personal_care.other"), (7311, 7399, "services.other"),
    (7393, 7393, "home.security"), (7512, 7512, "travel.rental_cars"), (7513, 7519, "transport.other"),
    (7523, 7523, "transport.parking"), (7531, 7538, "services.automotive"), (7542, 7542, "transport.car_wash"),
    (7549, 7549, "services.automotive"), (7622, 7699, "home.repair"), (7800, 7802, "entertainment.gambling"),
    (7829, 7829, "entertainment.other"), (7832, 7832, "entertainment.cinema"),
    (7841, 7841, "entertainment.streaming"), (7911, 7911, "entertainment.other"),
    (7922, 7922, "entertainment.cinema"), (7929, 7929, "entertainment.events"),
    (7932, 7933, "entertainment.other"), (7941, 7941, "entertainment.events"),
    (7991, 7991, "entertainment.events"), (7992, 7992, "entertainment.other"),
    (7993, 7993, "entertainment.games"), (7994, 7994, "entertainment.games"), (7995, 7995, "entertainment.gambling"),
    (7996, 7996, "entertainment.events"), (7997, 7997, "personal_care.gym"), (7998, 7999, "entertainment.other"),
    (8011, 8011, "medical.doctor"), (8021, 8021, "medical.dental"), (8031, 8041, "medical.doctor"),
    (8042, 8043, "medical.eyecare"), (8049, 8099, "medical.doctor"), (8111, 8111, "services.legal"),
    (8211, 8299, "services.education"), (8351, 8351, "services.childcare"), (8398, 8398, "government.donations"),
    (8641, 8699, "government.donations"), (8931, 8931, "services.accounting"), (8911, 8999, "services.other"),
    (9211, 9223, "government.fees"), (9311, 9311, "government.taxes"), (9399, 9399, "government.fees"),
    (9402, 9402, "services.postage"), (9405, 9405, "government.fees"),
]
BY_FIRST_DIGIT = {"0": "services.other", "1": "home.repair", "2": "services.other", "3": "travel.other",
                  "4": "transport.other", "5": "shopping.other", "6": "transfer.out", "7": "services.other",
                  "8": "services.other", "9": "government.fees"}


def render(title):
    """A plain title, or a template filled with the first option of each parameter."""
    if isinstance(title, str) or title is None:
        return title
    text = title.get("template", "")
    for name, spec in (title.get("params") or {}).items():
        options = spec.get("options") or [""] if isinstance(spec, dict) else [""]
        text = text.replace("{" + name + "}", str(options[0]))
    return re.sub(r"\{[^}]*\}", "", text)


def mcc_category(code):
    n = int(code)
    hits = [(hi - lo, cat) for lo, hi, cat in MCC_CATEGORY if lo <= n <= hi]
    return min(hits)[1] if hits else BY_FIRST_DIGIT[code[0]]


def main(data):
    data = Path(data)
    here = Path(__file__).parent
    type_cat = dict()
    order = {t: i for i, (t, _) in enumerate(TYPE_CATEGORY)}
    type_cat = dict(TYPE_CATEGORY)
    rows = []
    for f in sorted((data / "merchants/solyanka").glob("*.yml")):
        for e in yaml.safe_load(f.read_text(encoding="utf-8")) or []:
            types = [t for t in (e.get("types") or []) if t in type_cat]
            title = render(e.get("title")) or e.get("prettyTitle") or ""
            title = str(title).replace("\t", " ").strip()
            if not types or not title:
                continue
            best = min(types, key=lambda t: order[t])
            rows.append((title, type_cat[best], f.stem))
    with open(here / "solyanka.tsv", "w", encoding="utf-8") as out:
        out.write("# descriptor\tdefault category\tcountry file (solyanka, MIT; see generate.py)\n")
        for r in rows:
            out.write("\t".join(r) + "\n")
    with open(data / "mcc/iso18245/iso18245_official_list.csv", encoding="utf-8") as f:
        codes = [(r["MCC"], r["DESCRIPTION"]) for r in csv.DictReader(f)]
    with open(here / "mcc.tsv", "w", encoding="utf-8") as out:
        out.write("# mcc\tdefault category\tISO 18245 description (python-iso18245, MIT; see generate.py)\n")
        for code, desc in codes:
            out.write(f"{code}\t{mcc_category(code)}\t{desc}\n")
        # brand-specific codes the official list leaves out
        for lo, hi, cat, desc in [(3000, 3350, "travel.flights", "Airlines (by carrier)"),
                                  (3351, 3500, "travel.rental_cars", "Car rental agencies (by company)"),
                                  (3501, 3999, "travel.lodging", "Hotels and motels (by chain)")]:
            out.write(f"{lo:04d}-{hi:04d}\t{cat}\t{desc}\n")
    print(f"{len(rows)} solyanka merchants, {len(codes)} MCCs", file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv[1])
