#!/usr/bin/env bash
# Prequential accuracy of one `xspense` binary on every synthetic stream in benches/streams,
# with every stage on and with `--without knowledge`: writes each stream's predictions and its
# `xspense eval --json` report (timing fields removed, so two binaries' reports diff cleanly)
# into OUTDIR, and prints one accuracy line per report.
#
# Usage: bash benches/eval_streams.sh XSPENSE_BIN OUTDIR
set -euo pipefail
if [ $# -ne 2 ]; then
  echo "usage: $0 XSPENSE_BIN OUTDIR" >&2
  exit 2
fi
bin=$(realpath "$1")
out=$2
mkdir -p "$out"
cd "$(dirname "$0")/.."
for stream in benches/streams/*.csv; do
  name=$(basename "$stream" .csv)
  for without in none knowledge; do
    extra=()
    [ "$without" = none ] || extra=(--without "$without")
    "$bin" eval "$stream" --label Category --currency USD --json \
      --predictions "$out/$name.$without.pred.csv" "${extra[@]}" |
      python3 -c 'import json, sys
report = json.load(sys.stdin)
for timing in ("us_per_tx", "setup_ms"):
    report.pop(timing, None)
print(json.dumps(report, sort_keys=True))' >"$out/$name.$without.json"
    python3 -c 'import json, sys; print(sys.argv[2], round(json.load(open(sys.argv[1]))["accuracy"], 4))' \
      "$out/$name.$without.json" "$name --without $without"
  done
done
