// xspense-wasm, the browser package, with the same objects as the Node package: categorize a
// few card payments, ask a model only about the ones nothing else knows, learn a correction,
// and keep what the engine learned as a page would (in localStorage) to replay it on reload.
// Everything runs on the device; nothing here touches the network.
//
// Run: node categorize.mjs (with xspense-wasm installed: it resolves to the package's Node
// build). In a page: `import init, { Engine } from 'xspense-wasm'` and `await init()` first.
import assert from 'node:assert/strict'
import { Engine } from 'xspense-wasm'

// A fake model that finds a restaurant in everything. Replace the body with a fetch to your
// own server, which calls the model with { system, prompt } and returns its answer text.
async function askMyModel({ system, prompt }) {
  return JSON.stringify({ category: 'food.restaurants', confidence: 0.85, reason: 'a place to eat' })
}

const payment = (id, descriptor, amount) => ({ id, tenant: 'ana', descriptor, amount, date: '2026-11-02' })
const storage = new Map() // stands in for window.localStorage

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
for (let got of engine.categorizeBatch(payments)) { // synchronous in the browser package
  if (got.decision === 'needs_llm') {
    modelCalls++
    got = engine.resolve(got, await askMyModel(got)) // checked, then learned
  }
  console.log(got.merchant.padEnd(18), got.category.padEnd(17), got.source.padEnd(10), got.confidence.toFixed(2), got.reason)
  assert.deepEqual([got.category, got.source], expected[got.transaction_id])
}
assert.equal(modelCalls, 2)

// Ana files her bakery under groceries: one correction, and the next payment there follows it.
engine.feedback(payments[2], 'food.groceries')
const bread = payment('5', 'Kartenzahlung Baeckerei Schmidt Berlin', '-2.90')
const now = engine.categorize(bread)
assert.deepEqual([now.category, now.source], ['food.groceries', 'alias'])

// Keep every change (rules, model answers, corrections) and replay them after a reload.
storage.set('xspense-changes', JSON.stringify(engine.drainChanges()))
const reloaded = new Engine()
reloaded.applyChanges(JSON.parse(storage.get('xspense-changes')))
const after = reloaded.categorize(bread)
console.log(`after a reload: ${after.merchant} -> ${after.category} (${after.source})`)
assert.deepEqual([after.category, after.source], ['food.groceries', 'alias'])
assert.equal(reloaded.categorize(payments[0]).source, 'rule') // the rule came back too
