// Shared helpers: the Node build of the wasm package and the core's JSON test vectors.
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))
export const xs = createRequire(import.meta.url)('../pkg/node/xspense_wasm.js')

/** One file of the shared vectors (the same files `core/tests/vectors.rs` reads). */
export function loadVectors(name) {
  return JSON.parse(readFileSync(join(here, '..', '..', 'core', 'tests', 'vectors', name), 'utf8'))
}

/** A vector transaction as the Rust test builds it. */
export function vectorTx(i, v) {
  const tx = {
    id: `t${i}`,
    tenant: 'vectors',
    descriptor: v.descriptor,
    amount: v.amount ?? '1.00',
    direction: v.direction === 'credit' ? 'credit' : 'debit',
    date: '2026-11-01',
  }
  if (v.mcc !== undefined) tx.mcc = v.mcc
  return tx
}
