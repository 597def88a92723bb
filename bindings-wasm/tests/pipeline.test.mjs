// Engine under Node (wasm build): the shared categorize / rule-error / LLM-answer vectors.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { xs, loadVectors, vectorTx } from './helpers.mjs'

for (const c of loadVectors('categorize.json')) {
  test(`categorize vector: ${c.name}`, () => {
    const e = new xs.Engine()
    e.addRules('vectors', c.rules)
    c.feedback.forEach((f, i) => e.feedback(vectorTx(i, f), f.category))
    const d = e.categorize(vectorTx(999, c.transaction))
    assert.equal(d.decision, c.expect.decision)
    if (d.decision === 'categorized') {
      assert.equal(d.category, c.expect.category)
      assert.equal(d.source, c.expect.source)
    }
    if (c.expect.merchant_key) assert.equal(d.merchant_key, c.expect.merchant_key)
  })
}

// an engine with supplied vectors, before and after they come (core/tests/vectors/README.md)
for (const c of loadVectors('semantic_supplied.json')) {
  test(`semantic supplied vector: ${c.name}`, () => {
    const e = new xs.Engine()
    e.useSuppliedVectors(c.dim)
    c.feedback.forEach((f, i) => e.feedback(vectorTx(i, f), f.category))
    const t = vectorTx(999, c.transaction)
    const texts = e.semanticTexts([t])
    for (const want of c.listed) assert.ok(texts.includes(want), want)
    assert.equal(e.categorize(t).decision, c.expect_without_vectors.decision)
    const known = texts.filter((text) => text in c.vectors)
    assert.equal(known.length, Object.keys(c.vectors).length)
    // typed arrays and plain arrays both carry vectors
    const vectors = known.map((text, i) =>
      i % 2 ? Float32Array.from(c.vectors[text]) : c.vectors[text])
    assert.equal(e.supplySemanticVectors(known, vectors), known.length)
    const d = e.categorize(t)
    assert.equal(d.decision, 'categorized')
    assert.equal(d.category, c.expect.category)
    assert.equal(d.source, c.expect.source)
    const step = d.trace.find((s) => s.stage === 'semantic')
    assert.ok(step && step.detail.includes(c.expect.semantic_step), JSON.stringify(d.trace))
  })
}

// a tenant's naming habits travel in change events and snapshots (core/tests/vectors/README.md)
for (const c of loadVectors('replay.json')) {
  test(`replay vector: ${c.name}`, () => {
    const e = new xs.Engine()
    for (const cat of c.categories) e.addCategory('vectors', cat.id, cat.name)
    c.feedback.forEach((f, i) => e.feedback(vectorTx(i, f), f.category))
    const stored = JSON.parse(JSON.stringify(e.drainChanges()))
    assert.equal(stored.filter((ch) => ch.type === 'label_voted').length, c.expect.label_voted)
    const replayed = new xs.Engine()
    replayed.applyChanges(stored)
    const imported = new xs.Engine()
    imported.importSnapshot(e.exportSnapshot())
    const t = vectorTx(999, c.transaction)
    for (const engine of [e, replayed, imported]) {
      const d = engine.categorize(t)
      assert.deepEqual([d.category, d.source], [c.expect.category, c.expect.source])
    }
  })
}

test('supplied vectors: a wrong vector stores nothing, and only an engine built for them takes any', () => {
  const e = new xs.Engine()
  assert.throws(() => e.supplySemanticVectors(['x'], [[1, 0]]), (err) => {
    assert.equal(err.code, 'invalid_input')
    assert.match(err.message, /with_supplied_vectors/)
    return true
  })
  const query = [vectorTx(0, { descriptor: 'ORTHO CARE PLUS' })]
  assert.deepEqual(e.semanticTexts(query), [])
  e.useSuppliedVectors(2)
  assert.throws(() => e.supplySemanticVectors(['ortho care plus', 'b'], [[1, 0], [1, 'x']]),
    /vector 1 holds NaN/)
  assert.throws(() => e.supplySemanticVectors(['a'], [[1, 0, 0]]), /not the engine's dimension 2/)
  assert.throws(() => e.useSuppliedVectors(0), /dimension must be 1 to/)
  assert.ok(e.semanticTexts(query).includes('ortho care plus'))
  assert.equal(e.warmSemantic(), 0)
})

for (const c of loadVectors('rule_errors.json')) {
  test(`rule error vector: ${c.rules.slice(0, 30)}`, () => {
    const e = new xs.Engine()
    assert.throws(() => e.addRules('vectors', c.rules), (err) => {
      assert.ok(err instanceof Error)
      assert.equal(err.code, c.code)
      if (c.line) assert.match(err.message, new RegExp(`line ${c.line}, column ${c.column}`))
      return true
    })
    assert.deepEqual(e.rules('vectors'), [])
  })
}

for (const c of loadVectors('llm_answers.json')) {
  test(`llm answer vector: ${c.answer.slice(0, 30)}`, () => {
    const e = new xs.Engine()
    const req = e.categorize(vectorTx(1, { descriptor: 'ODD SHOP 42', amount: '3.00' }))
    assert.equal(req.decision, 'needs_llm')
    if (c.ok) {
      assert.equal(e.resolve(req, c.answer).category, c.category)
    } else {
      assert.throws(() => e.resolve(req, c.answer), { code: 'invalid_answer' })
      assert.equal(e.stats('vectors').by_source.llm ?? 0, 0)
    }
  })
}

test('plain objects in and out; a batch equals single calls', () => {
  const e = new xs.Engine({ llm_fallback: false })
  e.addRules('ana', 'merchant contains "blue bottle" => food.coffee')
  const txs = ['SQ *BLUE BOTTLE 0042', 'NETFLIX.COM', 'ODD SHOP'].map((d, i) => ({
    id: `t${i}`, tenant: 'ana', descriptor: d, amount: -4.75, date: '2026-11-02',
  }))
  const batch = e.categorizeBatch(txs)
  assert.equal(Object.getPrototypeOf(batch[0]), Object.prototype)
  assert.deepEqual(batch, txs.map((t) => e.explain(t)).map((c) => ({ decision: 'categorized', ...c })))
  assert.equal(batch[0].category, 'food.coffee')
  assert.equal(batch[0].band, 'very_high')
  assert.equal(e.stats('ana').total, 3)
})

test('feedback, change events and snapshots carry what was learned', () => {
  const e = new xs.Engine()
  const t = { tenant: 'ana', descriptor: 'POS KALOMI TASHI 0042', amount: '12.00', date: '2026-11-02' }
  e.feedback(t, 'food.bars')
  const changes = e.drainChanges()
  assert.ok(changes.some((c) => c.type === 'alias_learned'))
  const replayed = new xs.Engine()
  replayed.applyChanges(changes)
  assert.equal(replayed.explain(t).category, 'food.bars')
  const restored = new xs.Engine()
  assert.deepEqual(restored.importSnapshot(e.exportSnapshot()), ['ana'])
  assert.equal(restored.explain(t).source, 'alias')
  assert.throws(() => restored.importSnapshot(e.exportSnapshot().replace('food.bars', 'food.cafe')), { code: 'corrupt_snapshot' })
})

test('bad input is a typed error and changes nothing', () => {
  const e = new xs.Engine()
  assert.throws(() => e.categorize({ descriptor: 'X', date: '2026-11-02' }), { code: 'invalid_input', message: /needs an amount/ })
  assert.throws(() => e.categorize({ descriptor: 'X', amount: 1, date: '02/11/2026' }), { code: 'invalid_input', message: /YYYY-MM-DD/ })
  assert.throws(() => e.categorize({ descriptor: 'X', amount: 1, date: '2026-11-02', colour: 'red' }), { code: 'invalid_input', message: /colour/ })
  assert.throws(() => e.categorizeBatch([{ descriptor: 'X', amount: 1, date: '2026-11-02' }, { descriptor: 'Y', date: 'x' }]),
    { code: 'invalid_input', message: /#1/ })
  assert.throws(() => new xs.Engine({ rule_confidence: 7 }), { code: 'invalid_input' })
  assert.throws(() => e.feedback({ descriptor: 'X', amount: 1, date: '2026-11-02' }, 'no.such'), { code: 'not_found' })
  assert.deepEqual(e.tenants(), [])
  assert.deepEqual(xs.errorCodes().slice(0, 3), ['invalid_input', 'parse_error', 'not_found'])
})
