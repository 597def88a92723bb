// Rate limiter and payload guard.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { PayloadGuard, RateLimiter } from '../index.mjs'
import { T0 } from './helpers.mjs'

test('burst, refuse, recover; tenants separate', () => {
  const rl = new RateLimiter(10, 1000, 3)
  const got = [0, 1, 2, 3].map(() => rl.check('acme', 'categorize', { now: T0 }))
  assert.deepEqual(got.map((d) => d.allowed), [true, true, true, false])
  assert.equal(got[3].retry_after_ms, 100)
  assert.deepEqual(Object.keys(got[3]).sort(), ['allowed', 'remaining', 'reset_after_ms', 'retry_after_ms'])
  assert.ok(rl.check('acme', 'categorize', { now: T0 + 100 }).allowed)
  assert.ok(rl.check('globex', 'categorize', { now: T0 }).allowed)
  assert.throws(() => { for (let i = 0; i < 5; i++) rl.enforce('acme', 'redact', T0) }, { code: 'rate_limited' })
  assert.throws(() => rl.check('acme', 'y', { n: 4, now: T0 }), { code: 'invalid_input' })
  assert.throws(() => new RateLimiter(0, 1000), { code: 'invalid_input' })
})

test('payload guard', () => {
  const g = new PayloadGuard(100, 3)
  g.checkJson('{"a": [1, 2]}')
  assert.throws(() => g.checkJson('[[[[1]]]]'), { code: 'payload_too_large' })
  assert.throws(() => g.checkSize(Buffer.alloc(101)), { code: 'payload_too_large' })
})
