#!/usr/bin/env python3
"""Side-by-side redaction comparison: xspense, Presidio (pattern recognizers, blank spaCy
pipeline, offline) and scrubadub on the same corpus.

Prints recall per entity type ("the span is covered" by any finding) and throughput in MB/s,
on core/tests/fixtures/redact/synth.jsonl (derived from presidio-research's synthetic
dataset) or on another JSON Lines file of {"text", "spans": [{"type", "start", "end"}]} with
byte offsets.

Usage: python3 benches/redact_compare.py [FILE]
The first run creates benches/.venv-redact and installs presidio-analyzer and scrubadub there.
"""
import json
import logging
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / "benches" / ".venv-redact"
TYPES = ["CREDIT_CARD", "EMAIL_ADDRESS", "PHONE_NUMBER", "IBAN_CODE", "US_SSN", "IP_ADDRESS"]


def ensure_venv():
    py = VENV / "bin" / "python"
    if VENV.exists() and Path(sys.prefix).resolve() == VENV.resolve():
        return
    if not py.exists():
        subprocess.check_call([sys.executable, "-m", "venv", str(VENV)])
    subprocess.check_call(
        [str(py), "-m", "pip", "install", "-q", "presidio-analyzer==2.2.*", "scrubadub==2.0.*"]
    )
    os.execv(str(py), [str(py), __file__, *sys.argv[1:]])


def load(path):
    docs = []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        d = json.loads(line)
        text = d["text"]
        raw = text.encode("utf-8")
        spans = []
        for s in d["spans"]:
            # byte offsets -> character offsets for the Python tools
            a = len(raw[: s["start"]].decode("utf-8"))
            b = len(raw[: s["end"]].decode("utf-8"))
            spans.append((s["type"], a, b))
        docs.append((text, spans))
    return docs


def recall(docs, found):
    hits = {t: [0, 0] for t in TYPES}
    for (text, spans), f in zip(docs, found):
        for ty, a, b in spans:
            if ty not in hits:
                continue
            hits[ty][1] += 1
            ok = all(
                text[i].isspace() or any(s <= i < e for s, e in f) for i in range(a, b)
            )
            hits[ty][0] += ok
    return {t: (h / n if n else None) for t, (h, n) in hits.items()}


def run_presidio(docs):
    import spacy
    from presidio_analyzer import AnalyzerEngine
    from presidio_analyzer.nlp_engine import SpacyNlpEngine

    engine = SpacyNlpEngine(models=[{"lang_code": "en", "model_name": "blank_en"}])
    engine.nlp = {"en": spacy.blank("en")}
    analyzer = AnalyzerEngine(nlp_engine=engine, supported_languages=["en"])
    t0 = time.perf_counter()
    found = [
        [(r.start, r.end) for r in analyzer.analyze(text=t, language="en", entities=TYPES)]
        for t, _ in docs
    ]
    return found, time.perf_counter() - t0


def run_scrubadub(docs):
    logging.disable(logging.CRITICAL)
    import scrubadub

    scrubber = scrubadub.Scrubber()
    t0 = time.perf_counter()
    found = [[(f.beg, f.end) for f in scrubber.iter_filth(t)] for t, _ in docs]
    return found, time.perf_counter() - t0


def run_xspense(path):
    out = subprocess.run(
        ["cargo", "run", "--release", "-q", "-p", "xspense-benches", "--bin", "redact_eval", "--", str(Path(path).parent)],
        cwd=ROOT, check=True, capture_output=True, text=True,
    ).stdout
    m = json.loads(out)
    return {t: m["synth_recall"].get(t, {}).get("recall") for t in TYPES}, m["synth_mb_per_s"]


def main():
    ensure_venv()
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "core/tests/fixtures/redact/synth.jsonl"
    docs = load(path)
    mb = sum(len(t.encode("utf-8")) for t, _ in docs) / 1e6
    rows = []
    if path.name == "synth.jsonl":
        r, speed = run_xspense(path)
        rows.append(("xspense", r, speed))
    for name, fn in [("presidio (patterns)", run_presidio), ("scrubadub", run_scrubadub)]:
        found, secs = fn(docs)
        rows.append((name, recall(docs, found), mb / secs))
    print(f"{len(docs)} documents, {mb:.2f} MB: recall (span covered) and throughput on one core")
    print(f"{'tool':<20}" + "".join(f"{t:>15}" for t in TYPES) + f"{'MB/s':>10}")
    for name, r, speed in rows:
        cells = "".join(f"{'-' if r[t] is None else format(r[t], '.3f'):>15}" for t in TYPES)
        print(f"{name:<20}{cells}{speed:>10.2f}")


if __name__ == "__main__":
    main()
