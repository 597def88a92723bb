// Categorizing 10,000 transactions with the wasm build (under Node, as the page would in a
// browser) against native Rust, on identical data.
//
//   cargo run --release -p xspense-benches --bin binding_workload -- /tmp/xspense-workload.json
//   node bindings-wasm/bench/bench_batch.mjs /tmp/xspense-workload.json
//
// The workload (2,000 merchants taught, 10,000 transactions that are all alias hits, 4.6 MB of
// log text) is the one of the criterion `pipeline` and `redact` benches; its Rust figures were
// measured by the same command on the same machine. Best of several runs each.
import fs from 'node:fs'
import { createRequire } from 'node:module'

const xs = createRequire(import.meta.url)('../pkg/node/xspense_wasm.js')

function bestOf(runs, f) {
  let best = Infinity
  for (let i = 0; i < runs; i++) {
    const t = process.hrtime.bigint()
    f()
    best = Math.min(best, Number(process.hrtime.bigint() - t) / 1e9)
  }
  return best
}

const w = JSON.parse(fs.readFileSync(process.argv[2] ?? '/tmp/xspense-workload.json', 'utf8'))
const engine = new xs.Engine()
for (const f of w.feedback) engine.feedback(f.transaction, f.category)
const batch = w.batch
const n = batch.length
if (!engine.categorizeBatch(batch).every((d) => d.source === 'alias')) throw new Error('every row should be an alias hit')
const chunks = []
for (let i = 0; i < n; i += 1000) chunks.push(batch.slice(i, i + 1000))
const batch1k = bestOf(15, () => { for (const c of chunks) engine.categorizeBatch(c) }) * 1e6 / n
const batch10k = bestOf(15, () => engine.categorizeBatch(batch)) * 1e6 / n
const one = bestOf(3, () => { for (const t of batch.slice(0, 2000)) engine.categorize(t) }) * 1e6 / 2000
const r = new xs.Redactor()
r.redact('warm up 4111 1111 1111 1111')
const redactMbS = Buffer.byteLength(w.log_text) / 1e6 / bestOf(5, () => r.redact(w.log_text))
const nat = w.native
const round = (x, d = 3) => Number(x.toFixed(d))
console.log(JSON.stringify({
  native_batch_1k_us_per_tx: round(nat.categorize_batches_of_1k_us_per_tx),
  wasm_batch_1k_us_per_tx: round(batch1k),
  ratio_batch_1k: round(batch1k / nat.categorize_batches_of_1k_us_per_tx, 2),
  native_batch_10k_us_per_tx: round(nat.categorize_batch_10k_us_per_tx),
  wasm_batch_10k_us_per_tx: round(batch10k),
  wasm_10k_ms: round(batch10k * n / 1000, 1),
  wasm_single_calls_us_per_tx: round(one),
  native_redact_mb_per_s: round(nat.redact_mb_per_s, 1),
  wasm_redact_mb_per_s: round(redactMbS, 1),
}, null, 2))
