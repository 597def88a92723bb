// Per-transaction overhead of the Node binding against native Rust, on identical data.
//
//   cargo run --release -p xspense-benches --bin binding_workload -- /tmp/xspense-workload.json
//   node bindings-node/bench/bench_batch.mjs /tmp/xspense-workload.json
//
// The workload (2,000 merchants taught, 10,000 transactions that are all alias hits, 4.6 MB of
// log text) is the one of the criterion `pipeline` and `redact` benches; its Rust figures were
// measured by the same command on the same machine. Best of several runs each.
import fs from 'node:fs'
import { Engine, Redactor } from '../index.mjs'

async function bestOf(runs, f) {
  let best = Infinity
  for (let i = 0; i < runs; i++) {
    const t = process.hrtime.bigint()
    await f()
    best = Math.min(best, Number(process.hrtime.bigint() - t) / 1e9)
  }
  return best
}

const w = JSON.parse(fs.readFileSync(process.argv[2] ?? '/tmp/xspense-workload.json', 'utf8'))
const engine = new Engine()
for (const f of w.feedback) engine.feedback(f.transaction, f.category)
const batch = w.batch
const n = batch.length
const first = await engine.categorizeBatch(batch)
if (!first.every((d) => d.source === 'alias')) throw new Error('every row should be an alias hit')
const chunks = []
for (let i = 0; i < n; i += 1000) chunks.push(batch.slice(i, i + 1000))
const async1k = (await bestOf(15, async () => { for (const c of chunks) await engine.categorizeBatch(c) })) * 1e6 / n
const sync1k = (await bestOf(15, () => { for (const c of chunks) engine.categorizeBatchSync(c) })) * 1e6 / n
const async10k = (await bestOf(15, () => engine.categorizeBatch(batch))) * 1e6 / n
const concurrent = (await bestOf(15, () => Promise.all(chunks.map((c) => engine.categorizeBatch(c))))) * 1e6 / n
const one = (await bestOf(3, () => { for (const t of batch.slice(0, 2000)) engine.categorize(t) })) * 1e6 / 2000
const r = new Redactor()
r.redact('warm up 4111 1111 1111 1111')
const text = w.log_text
const redactMbS = Buffer.byteLength(text) / 1e6 / (await bestOf(5, () => r.redact(text)))
const nat = w.native
const round = (x, d = 3) => Number(x.toFixed(d))
console.log(JSON.stringify({
  native_batch_1k_us_per_tx: round(nat.categorize_batches_of_1k_us_per_tx),
  node_batch_1k_async_us_per_tx: round(async1k),
  ratio_batch_1k_async: round(async1k / nat.categorize_batches_of_1k_us_per_tx, 2),
  node_batch_1k_sync_us_per_tx: round(sync1k),
  native_batch_10k_us_per_tx: round(nat.categorize_batch_10k_us_per_tx),
  node_batch_10k_async_us_per_tx: round(async10k),
  node_10_batches_of_1k_concurrently_us_per_tx: round(concurrent),
  node_single_calls_us_per_tx: round(one),
  native_redact_mb_per_s: round(nat.redact_mb_per_s, 1),
  node_redact_mb_per_s: round(redactMbS, 1),
}, null, 2))
