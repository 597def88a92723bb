// Categorize a few card payments, ask a model only about the ones nothing else knows, then
// learn a correction. The engine never calls a model itself: when no stage is confident it
// returns a request ({ decision: 'needs_llm', system, prompt, ... }); the host sends it to its
// own model and hands the answer text back with engine.resolve.
//
// Run: node categorize.mjs (with xspense installed: npm install ./xspense-0.1.0.tgz)
import assert from 'node:assert/strict'
import { Engine } from 'xspense'

// A fake model that finds a restaurant in everything. Replace the body with your client, e.g.
// OpenAI's (await client.chat.completions.create({ model, messages: [{ role: 'system',
// content: system }, { role: 'user', content: prompt }], response_format: { type: 'json_object' } }))
// .choices[0].message.content
async function askMyModel({ system, prompt }) {
  return JSON.stringify({ category: 'food.restaurants', confidence: 0.85, reason: 'a place to eat' })
}

const payment = (id, descriptor, amount) => ({ id, tenant: 'ana', descriptor, amount, date: '2026-11-02' })

const engine = new Engine()
engine.addRules('ana', 'merchant contains "blue bottle" => food.coffee')

const payments = [
  payment('1', 'SQ *BLUE BOTTLE 0042 OAKLAND CA', '-4.75'), // the tenant's own rule
  payment('2', 'STARBUCKS STORE 10358 SEATTLE WA', '-5.25'), // built-in merchant knowledge
  payment('3', 'Kartenzahlung Baeckerei Schmidt Berlin', '-3.20'), // nothing knows it: the model
  payment('4', 'TRATTORIA DA LUIGI 55 MILANO', '-48.00'), // nothing knows it: the model
]
const expected = { 1: ['food.coffee', 'rule'], 2: ['food.coffee', 'knowledge'], 3: ['food.restaurants', 'llm'], 4: ['food.restaurants', 'llm'] }

let modelCalls = 0
for (let got of await engine.categorizeBatch(payments)) { // a batch runs off the main thread
  if (got.decision === 'needs_llm') {
    modelCalls++
    got = engine.resolve(got, await askMyModel(got)) // checked, then learned
  }
  console.log(got.merchant.padEnd(18), got.category.padEnd(17), got.source.padEnd(10), got.confidence.toFixed(2), got.reason)
  assert.deepEqual([got.category, got.source], expected[got.transaction_id])
}
assert.equal(modelCalls, 2)

// The answers were learned: the same trattoria next week needs no model.
const again = engine.categorize(payment('5', 'TRATTORIA DA LUIGI 55 MILANO', '-31.00'))
assert.deepEqual([again.category, again.source], ['food.restaurants', 'alias'])

// Ana files her bakery under groceries: one correction, and the next payment there follows it.
engine.feedback(payments[2], 'food.groceries')
const bread = engine.categorize(payment('6', 'Kartenzahlung Baeckerei Schmidt Berlin', '-2.90'))
console.log(`after the correction: ${bread.merchant} -> ${bread.category} (${bread.source})`)
assert.deepEqual([bread.category, bread.source], ['food.groceries', 'alias'])
