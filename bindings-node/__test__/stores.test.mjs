// Stores opened by URL: TaskQueue, RateLimiter, AuditLog and Engine on a SQLite file in a temp dir (and
// on PostgreSQL when XSPENSE_TEST_DATABASE_URL names a database: those cases are skipped
// otherwise), each state seen by a second instance opened on the same URL. Against a throwaway
// server: `bash scripts/test-postgres.sh node --test bindings-node/__test__/stores.test.mjs`.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { AuditLog, Engine, RateLimiter, TaskQueue, migrateStore } from '../index.mjs'
import { T0 } from './helpers.mjs'

const PG = process.env.XSPENSE_TEST_DATABASE_URL
const skipPg = PG ? false : 'PostgreSQL cases run only when XSPENSE_TEST_DATABASE_URL is set'

function tempDir() {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'xspense-stores-'))
}

const kinds = {
  sqlite: { skip: false, url: () => `sqlite:${path.join(tempDir(), 'stores.db')}` },
  postgres: {
    skip: skipPg,
    url: () => {
      migrateStore(PG)
      return PG
    },
  },
}

// a tenant and queue name no earlier run used (a PostgreSQL database outlives the test)
const unique = (name) => `${name}-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}`

for (const [kind, { skip, url: makeUrl }] of Object.entries(kinds)) {
  test(`${kind}: a task enqueued in one queue is claimed and completed in another`, { skip }, () => {
    const url = makeUrl()
    const tenant = unique('acme')
    const queue = unique('q')
    const a = TaskQueue.open(url)
    const b = TaskQueue.open(url)
    const e = a.enqueue(tenant, queue, 'categorize', { n: 1 }, { idempotency_key: 'k1', now: T0 })
    assert.ok(e.created)
    const again = b.enqueue(tenant, queue, 'categorize', { n: 2 }, { idempotency_key: 'k1', now: T0 })
    assert.ok(!again.created)
    assert.equal(again.task.id, e.task.id)
    const job = b.claim(queue, 'w1', { lease_ms: 30_000, now: T0 })
    assert.equal(job.id, e.task.id)
    assert.deepEqual(job.payload, { n: 1 })
    assert.equal(a.claim(queue, 'w2', { now: T0 }), null)
    assert.throws(() => a.complete(tenant, job.id, 'w2', null, T0 + 1), { code: 'lease_lost' })
    b.complete(tenant, job.id, 'w1', { ok: true }, T0 + 1)
    const done = a.get(tenant, job.id)
    assert.equal(done.status, 'completed')
    assert.deepEqual(done.result, { ok: true })
    assert.throws(() => a.complete(tenant, job.id, 'w1', null, T0 + 2), { code: 'invalid_transition' })
    assert.throws(() => a.get(tenant, 'no-such-task'), { code: 'not_found' })
    assert.equal(typeof a.location, 'string')
    assert.equal(new TaskQueue().location, null)
  })

  test(`${kind}: limiter decisions persist across two limiters`, { skip }, () => {
    const url = makeUrl()
    const tenant = unique('acme')
    const first = RateLimiter.open(url, 2, 60_000)
    assert.ok(first.check(tenant, '/categorize', { now: T0 }).allowed)
    assert.ok(first.check(tenant, '/categorize', { now: T0 }).allowed)
    const second = RateLimiter.open(url, 2, 60_000)
    const refused = second.check(tenant, '/categorize', { now: T0 })
    assert.ok(!refused.allowed && refused.retry_after_ms > 0)
    assert.throws(() => second.enforce(tenant, '/categorize', T0), { code: 'rate_limited' })
    assert.ok(second.check(unique('other'), '/categorize', { now: T0 }).allowed)
    assert.ok(second.check(tenant, '/categorize', { now: T0 + 30_000 }).allowed)
    assert.throws(() => RateLimiter.open(url, 0, 60_000), { code: 'invalid_input' })
  })

  test(`${kind}: audit appends and verifies across two logs`, { skip }, () => {
    const url = makeUrl()
    const tenant = unique('acme')
    const a = AuditLog.open(url)
    a.append(tenant, 'user:7', 'correction', 'tx-1', { old: { c: 'a' }, new: { c: 'b' }, at: T0 })
    const b = AuditLog.open(url)
    const e = b.append(tenant, 'api', 'rule_change', 'r1', { new: { when: '4111 1111 1111 1111' }, at: T0 + 1 })
    assert.equal(e.seq, 1)
    assert.match(JSON.stringify(e.new), /\[CARD\]/)
    assert.equal(a.verify(tenant), 2)
    assert.deepEqual(a.entries(tenant).map((x) => x.actor), ['user:7', 'api'])
    const other = unique('other')
    assert.equal(b.append(other, 'api', 'other', 'x', { at: T0 }).seq, 0)
    assert.equal(b.verify(other), 1)
    for (const call of [() => a.entries(), () => a.verify(), () => a.size]) {
      assert.throws(call, { code: 'invalid_input', message: /needs a tenant/ })
    }
    assert.throws(() => a.append(tenant, 'api', 'not-an-action', 'x'), { code: 'invalid_input' })
  })
}

test('in-memory audit keeps one chain', () => {
  const log = new AuditLog()
  log.append('a', 'api', 'other', 'x', { at: T0 })
  log.append('b', 'api', 'other', 'y', { at: T0 })
  assert.deepEqual([log.verify(), log.verify('a'), log.size], [2, 1, 2])
  assert.equal(log.location, null)
})

test('bad URLs throw invalid_input; a file that is no database throws with a code', () => {
  for (const bad of ['', 'redis://localhost:6379', 'sqlite:']) {
    for (const open of [(u) => TaskQueue.open(u), (u) => AuditLog.open(u), (u) => RateLimiter.open(u, 1, 1000)]) {
      assert.throws(() => open(bad), { code: 'invalid_input' })
    }
  }
  const junk = path.join(tempDir(), 'junk.db')
  fs.writeFileSync(junk, 'not a database'.repeat(100))
  assert.throws(() => TaskQueue.open(junk), { code: 'internal' })
})

test('a password never shows in an error', () => {
  // nothing listens on port 1: the connection fails at once
  const url = 'postgres://app:s3cr3t-pw@127.0.0.1:1/xspense'
  for (const open of [
    (u) => TaskQueue.open(u),
    (u) => AuditLog.open(u),
    (u) => RateLimiter.open(u, 1, 1000),
    (u) => migrateStore(u),
  ]) {
    assert.throws(open.bind(null, url), (err) => {
      assert.ok(err.code, 'has a code')
      assert.ok(!String(err.message).includes('s3cr3t') && !String(err.stack).includes('s3cr3t'), err.message)
      return true
    })
  }
})

test('a password never shows in location', { skip: PG && /\/\/[^/@]*:[^/@]*@/.test(PG) ? false : 'needs XSPENSE_TEST_DATABASE_URL with a password' }, () => {
  const password = PG.split('@')[0].split('//').pop().split(':').slice(1).join(':')
  for (const opened of [TaskQueue.open(PG), AuditLog.open(PG), RateLimiter.open(PG, 1, 1000)]) {
    assert.ok(!opened.location.includes(password) && opened.location.includes(':***@'), opened.location)
  }
})

for (const [kind, { skip, url: makeUrl }] of Object.entries(kinds)) {
  test(`${kind}: engine state persists across two engines`, { skip }, async () => {
    const url = makeUrl()
    const tenant = unique('ana')
    const tx = { tenant, descriptor: 'SQ *BLUE BOTTLE 0042 OAKLAND CA', amount: '-4.75', date: '2026-11-02' }
    const a = Engine.open(url)
    assert.equal(a.addRules(tenant, 'merchant contains "zork" => shopping.other').length, 1)
    a.feedback(tx, 'food.restaurants')
    assert.deepEqual(a.drainChanges(), []) // appended to the store by each call
    const b = Engine.open(url)
    assert.equal(b.categorize(tx).category, 'food.restaurants')
    assert.deepEqual(b.rules(tenant).map((r) => r.then.category), ['shopping.other'])
    // a picks up b's change before its next call
    b.addRules(tenant, 'merchant contains "qux" => transport.taxi')
    assert.equal(a.rules(tenant).length, 2)
    const [d] = await Engine.open(url).categorizeBatch([tx])
    assert.equal(d.category, 'food.restaurants')
    assert.ok((await Engine.open(url).exportSnapshot(tenant)).includes(tenant))
    assert.equal(typeof a.location, 'string')
    assert.throws(() => a.applyChanges([]), { code: 'invalid_input', message: /keeps its state there/ })
    await assert.rejects(a.importSnapshot(await new Engine().exportSnapshot()), { code: 'invalid_input' })
  })
}

test('a plain engine is still in memory', () => {
  const e = new Engine()
  e.addRules('ana', 'merchant contains "zork" => shopping.other')
  assert.equal(e.drainChanges().length, 1)
  assert.equal(e.location, null)
})
