// Task engine: the same contract against the built-in store, the JSON-file example store and the
// SQLite store opened by URL (`TaskQueue.open`).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { RetryPolicy, TaskQueue } from '../index.mjs'
import { JsonFileTaskStore } from '../examples/json-file-store.mjs'
import { T0 } from './helpers.mjs'

const retry = { base_ms: 100, factor: 2, max_ms: 1000, jitter: 0 }
const stores = {
  memory: () => new TaskQueue(null, { retry }),
  'json file': () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xspense-'))
    return new TaskQueue(new JsonFileTaskStore(path.join(dir, 'tasks.json')), { retry })
  },
  'sqlite url': () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xspense-'))
    return TaskQueue.open(`sqlite:${path.join(dir, 'tasks.db')}`, { retry })
  },
}

for (const [name, make] of Object.entries(stores)) {
  test(`${name}: idempotent enqueue per tenant`, () => {
    const q = make()
    const a = q.enqueue('acme', 'q', 'work', { n: 1 }, { idempotency_key: 'k', now: T0 })
    const b = q.enqueue('acme', 'q', 'work', { n: 2 }, { idempotency_key: 'k', now: T0 })
    const c = q.enqueue('other', 'q', 'work', { n: 3 }, { idempotency_key: 'k', now: T0 })
    assert.ok(a.created && !b.created && c.created)
    assert.equal(b.task.id, a.task.id)
    assert.deepEqual(b.task.payload, { n: 1 })
  })

  test(`${name}: claim order, leases, completion`, () => {
    const q = make()
    const low = q.enqueue('acme', 'q', 'low', null, { now: T0 }).task
    const high = q.enqueue('acme', 'q', 'high', null, { priority: 5, now: T0 + 1 }).task
    q.enqueue('acme', 'q', 'later', null, { run_at: T0 + 10_000, now: T0 })
    const first = q.claim('q', 'w1', { lease_ms: 1000, now: T0 + 2 })
    assert.equal(first.id, high.id)
    assert.equal(q.claim('q', 'w2', { lease_ms: 1000, now: T0 + 2 }).id, low.id)
    assert.equal(q.claim('q', 'w3', { now: T0 + 3 }), null)
    assert.equal(q.heartbeat('acme', first.id, 'w1', { lease_ms: 5000, now: T0 + 500 }), T0 + 5500)
    assert.throws(() => q.complete('acme', first.id, 'w2', null, T0 + 600), { code: 'lease_lost' })
    q.complete('acme', first.id, 'w1', { ok: true }, T0 + 600)
    const done = q.get('acme', first.id)
    assert.deepEqual([done.status, done.result, done.finished_at], ['completed', { ok: true }, T0 + 600])
    assert.throws(() => q.cancel('acme', first.id, T0 + 700), { code: 'invalid_transition' })
  })

  test(`${name}: expired lease retried, then dead; backoff`, () => {
    const q = make()
    const t = q.enqueue('acme', 'q', 'flaky', null, { max_attempts: 2, now: T0 }).task
    q.claim('q', 'w1', { lease_ms: 100, now: T0 })
    const again = q.claim('q', 'w2', { lease_ms: 100, now: T0 + 200 })
    assert.deepEqual([again.id, again.attempts], [t.id, 2])
    assert.throws(() => q.complete('acme', t.id, 'w1', null, T0 + 250), { code: 'lease_lost' })
    assert.equal(q.fail('acme', t.id, 'w2', 'boom', { now: T0 + 250 }), 'dead')
    const s = q.stats(T0 + 300)
    assert.deepEqual([s.dead_letters, s.failed_total], [1, 2])
    const u = q.enqueue('acme', 'q', 'x', null, { now: T0 }).task
    q.claim('q', 'w', { now: T0 })
    assert.equal(q.fail('acme', u.id, 'w', 'e1', { now: T0 }), 'pending')
    assert.equal(q.get('acme', u.id).run_at, T0 + 100)
  })

  test(`${name}: tenants cannot touch each other; downstream; purge`, () => {
    const q = make()
    const t = q.enqueue('acme', 'ingest', 'parse', null, { correlation_id: 'upload-9', now: T0 }).task
    assert.throws(() => q.get('globex', t.id), { code: 'not_found' })
    assert.throws(() => q.cancel('globex', t.id, T0), { code: 'not_found' })
    const child = q.enqueueDownstream(t, 'categorize', 'batch', { rows: 3 }, { now: T0 }).task
    assert.deepEqual([child.tenant, child.correlation_id, child.from], ['acme', 'upload-9', 'ingest'])
    q.cancel('acme', t.id, T0)
    assert.equal(q.purge(1000, T0 + 500), 0)
    assert.equal(q.purge(1000, T0 + 2000), 1)
    assert.throws(() => q.enqueue('', 'q', 'x', null, { now: T0 }), { code: 'invalid_input' })
    assert.throws(() => q.claim('q', 'w', { lease_ms: 0, now: T0 }), { code: 'invalid_input' })
    assert.throws(() => q.claim('q', 'w', { leaseMs: 5000, now: T0 }), { code: 'invalid_input', message: /leaseMs/ })
  })
}

test('a store must implement every method; bad answers are internal errors', () => {
  assert.throws(() => new TaskQueue({ enqueue() {} }), { code: 'invalid_input', message: /lacks claim/ })
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xspense-'))
  const store = new JsonFileTaskStore(path.join(dir, 't.json'))
  store.claim = () => ({ not: 'a task' })
  store.get = () => { throw new Error('disk on fire') }
  const q = new TaskQueue(store)
  assert.throws(() => q.claim('q', 'w'), { code: 'internal', message: /unexpected value/ })
  assert.throws(() => q.get('acme', 'x'), { message: 'disk on fire' })
  assert.throws(() => new TaskQueue(null, { retry: { factor: 0.5 } }), { code: 'invalid_input' })
})

test('a retry policy has the record\'s keys; a failure may override some of the queue\'s', () => {
  const p = new RetryPolicy({ base_ms: 100, max_ms: 1000, jitter: 0 })
  assert.deepEqual([p.base_ms, p.max_ms, p.jitter], [100, 1000, 0])
  assert.equal(p.delayMs('t', 1), 100)
  assert.equal(p.delayMs('t', 9), 1000)
  assert.throws(() => new RetryPolicy({ baseMs: 100 }), { code: 'invalid_input', message: /baseMs/ })
  assert.throws(() => new TaskQueue(null, { retry: { maxMs: 5 } }), { code: 'invalid_input', message: /maxMs/ })
  const q = new TaskQueue(null, { retry })
  const t = q.enqueue('acme', 'q', 'x', null, { now: T0 }).task
  q.claim('q', 'w', { now: T0 })
  assert.equal(q.fail('acme', t.id, 'w', 'e', { retry: { base_ms: 500 }, now: T0 }), 'pending')
  assert.equal(q.get('acme', t.id).run_at, T0 + 500, 'the other keys are the queue\'s (no jitter)')
})
