"""Per-transaction overhead of the Python binding against native Rust, on identical data.

    cargo run --release -p xspense-benches --bin binding_workload -- /tmp/xspense-workload.json
    python bindings-py/bench/bench_batch.py /tmp/xspense-workload.json

The workload (2,000 merchants taught, 10,000 transactions that are all alias hits, and 4.6 MB of
log text) is the one the criterion `pipeline` and `redact` benches use; the Rust figures in it
were measured by the same command on the same machine. Best of several runs each.
"""

from __future__ import annotations

import json
import sys
import time
from typing import Any, Callable, Dict

import xspense


def best_of(runs: int, f: Callable[[], Any]) -> float:
    best = float("inf")
    for _ in range(runs):
        t = time.perf_counter()
        f()
        best = min(best, time.perf_counter() - t)
    return best


def main(path: str) -> Dict[str, Any]:
    with open(path, encoding="utf-8") as fh:
        w = json.load(fh)
    engine = xspense.Engine()
    for f in w["feedback"]:
        engine.feedback(f["transaction"], f["category"])
    batch = w["batch"]
    decisions = engine.categorize_batch(batch)
    assert all(getattr(d, "source", None) == "alias" for d in decisions), "every row is an alias hit"
    objects = [xspense.Transaction(**t) for t in batch]
    n = len(batch)
    dicts_10k = best_of(15, lambda: engine.categorize_batch(batch)) * 1e6 / n
    objs_10k = best_of(15, lambda: engine.categorize_batch(objects)) * 1e6 / n
    chunks = [batch[i : i + 1000] for i in range(0, n, 1000)]
    dicts_1k = best_of(15, lambda: [engine.categorize_batch(c) for c in chunks]) * 1e6 / n
    one = best_of(3, lambda: [engine.categorize(t) for t in batch[:2000]]) * 1e6 / 2000
    text = w["log_text"]
    r = xspense.Redactor()
    r.redact("warm up 4111 1111 1111 1111")
    redact_mb_s = len(text.encode()) / 1e6 / best_of(5, lambda: r.redact(text))
    native = w["native"]
    result = {
        "native_batch_1k_us_per_tx": round(native["categorize_batches_of_1k_us_per_tx"], 3),
        "python_batch_1k_dicts_us_per_tx": round(dicts_1k, 3),
        "ratio_batch_1k": round(dicts_1k / native["categorize_batches_of_1k_us_per_tx"], 2),
        "native_batch_10k_us_per_tx": round(native["categorize_batch_10k_us_per_tx"], 3),
        "python_batch_10k_dicts_us_per_tx": round(dicts_10k, 3),
        "python_batch_10k_objects_us_per_tx": round(objs_10k, 3),
        "python_single_calls_us_per_tx": round(one, 3),
        "native_redact_mb_per_s": round(native["redact_mb_per_s"], 1),
        "python_redact_mb_per_s": round(redact_mb_s, 1),
    }
    return result


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1] if len(sys.argv) > 1 else "/tmp/xspense-workload.json"), indent=2))
