// Transactions as hosts write them (core module `model`) under Node (wasm build): the shared
// transaction-input vectors through parseTransaction, and the engine reading the same input.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { xs, loadVectors } from './helpers.mjs'

function refused(c) {
  return (err) => {
    assert.ok(err instanceof Error)
    assert.equal(err.code, c.error.code)
    assert.ok(err.message.includes(c.error.contains), `${c.name}: ${JSON.stringify(err.message)} lacks ${JSON.stringify(c.error.contains)}`)
    return true
  }
}

for (const c of loadVectors('transaction_inputs.json')) {
  test(`transaction input vector: ${c.name}`, () => {
    if (c.expect) {
      assert.deepEqual(xs.parseTransaction(c.input), c.expect)
    } else {
      assert.throws(() => xs.parseTransaction(c.input), refused(c))
      assert.throws(() => new xs.Engine().categorize(c.input), refused(c))
    }
  })
}

test('parseTransaction gives what the engine sees', () => {
  const e = new xs.Engine()
  const input = { tenant: 'ana', descriptor: 'SQ *BLUE BOTTLE', amount: '-4.75', date: '2026-11-02' }
  const tx = xs.parseTransaction(input)
  assert.equal(Object.getPrototypeOf(tx), Object.prototype)
  assert.equal(e.categorize(input).transaction_id, tx.id)
  assert.throws(() => xs.parseTransaction(undefined), { code: 'invalid_input' })
  assert.throws(() => xs.parseTransaction('SQ *BLUE BOTTLE'), { code: 'invalid_input' })
})
