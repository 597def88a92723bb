// Rule suggestions (core module `rules`) under Node (wasm build): the shared suggest vectors.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { xs, loadVectors, vectorTx } from './helpers.mjs'

const FIGURES = ['category', 'support', 'matched', 'precision', 'coverage', 'new_rows', 'merchants',
  'conflicts', 'conflicting_rules']

for (const c of loadVectors('suggest.json')) {
  test(`suggest vector: ${c.name}`, () => {
    const e = new xs.Engine()
    e.addRules('vectors', c.rules)
    const history = c.history.map((h, i) => ({ transaction: vectorTx(i, h), category: h.category }))
    const got = e.suggestRules('vectors', history, c.options)
    assert.deepEqual(got.map((s) => s.text), c.expect.map((w) => w.text))
    got.forEach((g, i) => {
      for (const k of FIGURES) assert.deepEqual(g[k], c.expect[i][k], `${c.name}: ${k}`)
    })
  })
}

test('accepting a suggestion adds its rule; bad options are refused', () => {
  const e = new xs.Engine()
  const history = [0, 1, 2].map((i) => ({
    transaction: { id: `t${i}`, tenant: 'ana', descriptor: `NETFLIX.COM ${i}`, amount: -15.49, date: '2026-11-01' },
    category: 'entertainment.streaming',
  }))
  const [s] = e.suggestRules('ana', history)
  assert.deepEqual(e.rules('ana'), [])
  e.addRules('ana', [s.rule])
  assert.deepEqual(e.rules('ana'), [s.rule])
  assert.deepEqual(xs.Engine.checkRules(s.text), [s.rule])
  assert.deepEqual(e.suggestRules('ana', history), [])
  assert.throws(() => e.suggestRules('ana', history, { min_suport: 2 }), { code: 'invalid_input' })
  assert.throws(() => e.suggestRules('bob', history), { code: 'invalid_input', message: /another tenant/ })
})
