// Shared helpers: the core's JSON test vectors (the files core/tests/vectors.rs reads).
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const here = path.dirname(fileURLToPath(import.meta.url))
export const ROOT = path.resolve(here, '..', '..')

export function loadVectors(name) {
  return JSON.parse(fs.readFileSync(path.join(ROOT, 'core', 'tests', 'vectors', name), 'utf8'))
}

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

export const T0 = 1_800_000_000_000
