// Engine: the shared categorize / rule-error / LLM-answer vectors, and the JS surface.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Engine } from '../index.mjs'
import { loadVectors, vectorTx } from './helpers.mjs'

for (const c of loadVectors('categorize.json')) {
  test(`categorize vector: ${c.name}`, () => {
    const e = new Engine()
    e.addRules('vectors', c.rules)
    c.feedback.forEach((f, i) => e.feedback(vectorTx(i, f), f.category))
    const d = e.categorize(vectorTx(999, c.transaction))
    const exp = c.expect
    assert.equal(d.decision, exp.decision)
    if (d.decision === 'categorized') {
      assert.equal(d.category, exp.category)
      assert.equal(d.source, exp.source)
    }
    if (exp.merchant_key) assert.equal(d.merchant_key, exp.merchant_key)
  })
}

// an engine with supplied vectors, before and after they come (core/tests/vectors/README.md)
for (const c of loadVectors('semantic_supplied.json')) {
  test(`semantic supplied vector: ${c.name}`, () => {
    const e = new Engine()
    e.useSuppliedVectors(c.dim)
    c.feedback.forEach((f, i) => e.feedback(vectorTx(i, f), f.category))
    const t = vectorTx(999, c.transaction)
    const texts = e.semanticTexts([t])
    for (const want of c.listed) assert.ok(texts.includes(want), want)
    const before = e.categorize(t)
    assert.equal(before.decision, c.expect_without_vectors.decision)
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

test('supplied vectors: a wrong vector stores nothing, and only an engine built for them takes any', () => {
  const e = new Engine()
  assert.throws(() => e.supplySemanticVectors(['x'], [[1, 0]]), (err) => {
    assert.equal(err.code, 'invalid_input')
    assert.match(err.message, /with_supplied_vectors/)
    return true
  })
  assert.deepEqual(e.semanticTexts([vectorTx(0, { descriptor: 'ORTHO CARE PLUS' })]), [])
  e.useSuppliedVectors(2)
  assert.throws(() => e.supplySemanticVectors(['a', 'b'], [[1, 0], [NaN, 1]]), (err) => {
    assert.equal(err.code, 'invalid_input')
    assert.match(err.message, /vector 1 holds NaN/)
    return true
  })
  assert.throws(() => e.supplySemanticVectors(['a'], [[1, 0, 0]]), /not the engine's dimension 2/)
  assert.throws(() => e.useSuppliedVectors(0), /dimension must be 1 to/)
  const texts = e.semanticTexts([vectorTx(0, { descriptor: 'ORTHO CARE PLUS' })])
  assert.ok(texts.includes('a') === false && texts.includes('ortho care plus'))
  assert.equal(e.warmSemantic(), 0)
})

for (const c of loadVectors('rule_errors.json')) {
  test(`rule error vector: ${c.rules.slice(0, 30)}`, () => {
    const e = new Engine()
    assert.throws(() => e.addRules('vectors', c.rules), (err) => {
      assert.equal(err.code, c.code)
      if (c.line) assert.match(err.message, new RegExp(`line ${c.line}, column ${c.column}`))
      return true
    })
    assert.deepEqual(e.rules('vectors'), [])
  })
}

for (const c of loadVectors('llm_answers.json')) {
  test(`llm answer vector: ${c.answer.slice(0, 30)}`, () => {
    const e = new Engine()
    const req = e.categorize(vectorTx(1, { descriptor: 'ODD SHOP 42', amount: '3.00' }))
    assert.equal(req.decision, 'needs_llm')
    if (c.ok) {
      const got = e.resolve(req, c.answer)
      assert.equal(got.category, c.category)
      assert.equal(got.source, 'llm')
    } else {
      assert.throws(() => e.resolve(req, c.answer), { code: 'invalid_answer' })
      assert.equal(e.stats('vectors').by_source.llm, undefined)
    }
  })
}

test('amount forms and typed input errors', () => {
  const e = new Engine({ llm_fallback: false })
  const base = { tenant: 'a', descriptor: 'TESCO STORES 1', date: '2026-01-01' }
  assert.equal(e.categorize({ ...base, amount: -12.5 }).decision, 'categorized')
  assert.equal(e.categorize({ ...base, amount_minor: 999 }).decision, 'categorized')
  assert.throws(() => e.categorize({ ...base, amountMinor: 999 }), { code: 'invalid_input', message: /amountMinor/ })
  assert.throws(() => e.categorize({ ...base, amount: '-5', direction: 'credit' }), { code: 'invalid_input' })
  assert.throws(() => e.categorize({ ...base, amount: 'twelve' }), { code: 'invalid_input' })
  assert.throws(() => e.categorize({ ...base, amount: '1', date: '01/02/2026' }), { code: 'invalid_input' })
  assert.throws(() => e.categorize({ ...base, amount: '1', currency: 'DOLLARS' }), { code: 'invalid_input' })
  assert.throws(() => e.categorize({ ...base }), { code: 'invalid_input' })
  assert.throws(() => e.feedback({ ...base, amount: '1' }, 'no.such.category'), { code: 'not_found' })
  assert.throws(() => new Engine({ alias_decay: 2 }), { code: 'invalid_input' })
  assert.throws(() => new Engine({ no_such_setting: 1 }), { code: 'invalid_input' })
  assert.throws(() => new Engine({ llmFallback: false }), { code: 'invalid_input', message: /llmFallback/ })
  assert.equal(e.stats('a').total, 2, 'refused input changed nothing')
})

test('batch: same answers as single calls, in order, off the main thread', async () => {
  const rows = ['STARBUCKS 123', 'UBER *TRIP', 'Kartenzahlung Baeckerei Schmidt', 'NETFLIX.COM'].map((d) => ({
    tenant: 'a', descriptor: d, amount: '5', date: '2026-01-01',
  }))
  const pending = new Engine().categorizeBatch(rows)
  assert.ok(pending instanceof Promise)
  const batch = await pending
  const sync = new Engine().categorizeBatchSync(rows)
  assert.deepEqual(batch, sync)
  assert.deepEqual(batch.map((d) => d.transaction_id), ['0', '1', '2', '3'])
  assert.equal(Object.getPrototypeOf(batch[0]), Object.prototype)
  assert.throws(() => new Engine().categorizeBatch([rows[0], { ...rows[0], descriptor: '' }]),
    { code: 'invalid_input', message: /transaction #1 in batch: .*descriptor/ })
  assert.throws(() => new Engine().categorizeBatchSync([rows[0], { ...rows[0], colour: 'red' }]),
    { code: 'invalid_input', message: /colour/ })
})

test('feedback, explain, forget; tenants isolated', () => {
  const e = new Engine()
  const tx = { tenant: 'a', descriptor: 'POS KALOMI TASHI 0042', amount: '9', date: '2026-01-01' }
  e.feedback(tx, 'food.restaurants')
  const c = e.explain(tx)
  assert.equal(c.source, 'alias')
  assert.equal(e.stats('a').total, 0)
  const other = e.categorize({ ...tx, tenant: 'b' })
  assert.equal(other.decision, 'needs_llm', 'tenant b does not see what a taught')
  assert.ok(e.forgetMerchant('a', c.merchant_key))
  assert.equal(e.categorize(tx).decision, 'needs_llm')
})

test('resolve learns; the prompt has no card number', () => {
  const e = new Engine()
  const tx = { tenant: 'a', descriptor: 'Baeckerei Schmidt 4111 1111 1111 1111', amount: '3', date: '2026-01-01' }
  const req = e.categorize(tx)
  assert.equal(req.decision, 'needs_llm')
  assert.ok(!req.prompt.includes('4111'))
  assert.ok(req.allowed_categories.some((c) => c.id === 'food.coffee'))
  const back = JSON.parse(JSON.stringify(req)) // a request can travel to another process
  assert.equal(e.resolve(back, '{"category": "food.groceries", "confidence": 0.8}').source, 'llm')
  assert.equal(e.categorize(tx).source, 'alias')
})

test('rules as text and JSON', () => {
  const e = new Engine()
  assert.deepEqual(e.addRules('a', 'rule coffee: merchant contains "blue bottle" => food.coffee'), ['coffee'])
  const json = e.rules('a')
  const f = new Engine()
  assert.deepEqual(f.addRules('a', json), ['coffee'])
  assert.deepEqual(f.rules('a'), json)
  e.removeRule('a', 'coffee')
  assert.throws(() => e.removeRule('a', 'coffee'), { code: 'not_found' })
  assert.equal(Engine.checkRules('merchant = x => food.coffee\nrule b: amount > 5 => food.other')[1].id, 'b')
  assert.throws(() => Engine.checkRules('merchant likes x => y'), { code: 'parse_error' })
})
