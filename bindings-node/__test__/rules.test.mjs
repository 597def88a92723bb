// Rule suggestions (core module `rules`): the shared suggest vectors and the JS surface.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Engine } from '../index.mjs'
import { loadVectors, vectorTx } from './helpers.mjs'

const FIGURES = ['category', 'support', 'matched', 'precision', 'coverage', 'new_rows', 'merchants',
  'conflicts', 'conflicting_rules']

for (const c of loadVectors('suggest.json')) {
  test(`suggest vector: ${c.name}`, async () => {
    const e = new Engine()
    e.addRules('vectors', c.rules)
    const history = c.history.map((h, i) => ({ transaction: vectorTx(i, h), category: h.category }))
    const got = await e.suggestRules('vectors', history, c.options)
    assert.deepEqual(got.map((s) => s.text), c.expect.map((w) => w.text))
    got.forEach((g, i) => {
      for (const k of FIGURES) assert.deepEqual(g[k], c.expect[i][k], `${c.name}: ${k}`)
    })
  })
}

const history = () => ['SQ *BLUE BOTTLE 0042', 'BLUE BOTTLE COFFEE', 'SQ *BLUE BOTTLE 7'].map((d, i) => ({
  transaction: { id: `t${i}`, tenant: 'alice', descriptor: d, amount: '-4.75', date: '2026-11-01' },
  category: 'food.coffee',
}))

test('accepting a suggestion adds its rule; suggesting adds nothing', async () => {
  const e = new Engine()
  const [s, ...rest] = await e.suggestRules('alice', history())
  assert.equal(rest.length, 0)
  assert.equal(s.rule.id, 'suggested-blue-bottle')
  assert.equal(s.support, 3)
  assert.deepEqual(e.rules('alice'), [])
  e.addRules('alice', [s.rule])
  const d = e.categorize(history()[0].transaction)
  assert.equal(d.source, 'rule')
  assert.deepEqual(Engine.checkRules(s.text), [s.rule])
  assert.deepEqual(await e.suggestRules('alice', history()), [])
})

test('bad history or options reject with a code', async () => {
  const e = new Engine()
  await assert.rejects(e.suggestRules('bob', history()), { code: 'invalid_input', message: /another tenant/ })
  await assert.rejects(e.suggestRules('alice', [{ ...history()[0], category: 'no.such' }]), { code: 'not_found' })
  assert.throws(() => e.suggestRules('alice', history(), { min_suport: 2 }), { code: 'invalid_input' })
  await assert.rejects(e.suggestRules('alice', history(), { min_precision: 0 }), { code: 'invalid_input' })
  assert.throws(() => e.suggestRules('alice', [{ transaction: { descriptor: 'x', date: '2026-11-01' }, category: 'a' }]),
    { code: 'invalid_input', message: /history row 0/ })
})
