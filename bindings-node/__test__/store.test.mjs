// Host-owned persistence: change events and snapshots.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Engine } from '../index.mjs'
import { loadVectors, vectorTx } from './helpers.mjs'

const TX = { tenant: 'a', descriptor: 'POS KALOMI TASHI 0042', amount: '9', date: '2026-01-01' }

test('change events replay into a fresh engine', () => {
  const e = new Engine()
  e.addCategory('a', 'pets', 'Pets')
  e.addRules('a', 'rule vet: merchant contains "paws" => pets')
  e.feedback(TX, 'food.restaurants')
  const changes = JSON.parse(JSON.stringify(e.drainChanges()))
  assert.deepEqual(changes.slice(0, 2).map((c) => c.type), ['category_added', 'rule_added'])
  assert.deepEqual(e.drainChanges(), [])
  const f = new Engine()
  f.applyChanges(changes)
  assert.deepEqual(f.categorize(TX), e.categorize(TX))
  e.addRules('a', "rule keep: merchant = x => food.coffee")
  assert.throws(() => e.applyChanges([{ type: 'rule_removed', tenant: 'a', id: 'keep' }, { type: 'rule_removed', tenant: 'a', id: 'nope' }]), { code: 'invalid_input' })
  assert.ok(e.rules('a').some((r) => r.id === 'keep'), 'nothing applied')
})

test('snapshots off the main thread; corruption refused', async () => {
  const e = new Engine()
  e.feedback(TX, 'food.restaurants')
  const snap = await e.exportSnapshot()
  const f = new Engine()
  assert.deepEqual(await f.importSnapshot(snap), ['a'])
  assert.equal(f.categorize(TX).source, 'alias')
  await assert.rejects(new Engine().importSnapshot(snap.replace('food.restaurants', 'food.coffee!')), { code: 'corrupt_snapshot' })
  await assert.rejects(new Engine().importSnapshot('not json'), { code: 'corrupt_snapshot' })
})

// a tenant's naming habits travel in change events and snapshots (core/tests/vectors/README.md)
for (const c of loadVectors('replay.json')) {
  test(`replay vector: ${c.name}`, async () => {
    const e = new Engine()
    for (const cat of c.categories) e.addCategory('vectors', cat.id, cat.name)
    c.feedback.forEach((f, i) => e.feedback(vectorTx(i, f), f.category))
    const stored = JSON.parse(JSON.stringify(e.drainChanges()))
    assert.equal(stored.filter((ch) => ch.type === 'label_voted').length, c.expect.label_voted)
    const replayed = new Engine()
    replayed.applyChanges(stored)
    const imported = new Engine()
    await imported.importSnapshot(await e.exportSnapshot())
    const t = vectorTx(999, c.transaction)
    for (const engine of [e, replayed, imported]) {
      const d = engine.categorize(t)
      assert.deepEqual([d.category, d.source], [c.expect.category, c.expect.source])
    }
  })
}
