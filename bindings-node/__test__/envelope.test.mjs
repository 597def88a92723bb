// Signed agent envelopes and webhook signatures.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Signer, Verifier, signWebhook, verifyWebhook } from '../index.mjs'
import { T0 } from './helpers.mjs'

const KEY = 'k'.repeat(32)
const MSG = { type: 'task', task_id: 't1', action: 'categorize', payload: { rows: 3 }, resources: { timeout_ms: 30000 }, trace_id: 'tr-1', requested_by: 'planner' }

test('sign, verify, and each refusal has its code', () => {
  const s = new Signer(KEY, 'planner')
  const v = new Verifier([KEY], ['planner'], 'worker')
  const tok = s.sign(MSG, 'worker', 'jti-1', { now: T0 })
  const claims = v.verify(tok, T0 + 1000)
  assert.deepEqual([claims.iss, claims.aud, claims.jti, claims.msg.type], ['planner', 'worker', 'jti-1', 'task'])
  assert.throws(() => v.verify(tok, T0 + 1000), { code: 'token_replayed' })
  assert.throws(() => v.verify('nonsense', T0), { code: 'token_malformed' })
  const other = s.sign(MSG, 'worker', 'jti-2', { now: T0 })
  assert.throws(() => new Verifier([Buffer.from('x'.repeat(32))], ['planner'], 'worker').verify(other, T0), { code: 'token_bad_signature' })
  assert.throws(() => new Verifier([KEY], ['planner'], 'worker').verify(other, T0 + 300_000), { code: 'token_expired' })
  assert.throws(() => new Verifier([KEY], ['planner'], 'worker').verify(other, T0 - 300_000), { code: 'token_not_yet_valid' })
  assert.throws(() => new Verifier([KEY], ['planner'], 'auditor').verify(other, T0), { code: 'token_wrong_audience' })
  assert.throws(() => new Verifier([KEY], ['someone'], 'worker').verify(other, T0), { code: 'token_wrong_issuer' })
  assert.equal(new Verifier(['n'.repeat(32), KEY], ['planner'], 'worker').verify(other, T0).jti, 'jti-2')
  assert.throws(() => new Signer('short', 'planner'), { code: 'invalid_input' })
  assert.throws(() => s.sign({ ...MSG, task_id: '' }, 'worker', 'j', { now: T0 }), { code: 'invalid_input' })
  assert.throws(() => s.sign(MSG, 'worker', 'j', { ttlMs: 5000, now: T0 }), { code: 'invalid_input', message: /ttlMs/ })
  const short = s.sign(MSG, 'worker', 'jti-3', { ttl_ms: 1000, now: T0 })
  assert.throws(() => new Verifier([KEY], ['planner'], 'worker', { leeway_ms: 0 }).verify(short, T0 + 2000), { code: 'token_expired' })
  assert.equal(new Verifier([KEY], ['planner'], 'worker', { leeway_ms: 5000 }).verify(short, T0 + 2000).jti, 'jti-3')
})

test('webhooks', () => {
  const secret = 's'.repeat(16)
  const header = signWebhook(secret, '{"a":1}', T0)
  verifyWebhook(secret, header, Buffer.from('{"a":1}'), undefined, T0 + 1000)
  assert.throws(() => verifyWebhook(secret, header, '{"a":2}', undefined, T0), { code: 'token_bad_signature' })
  assert.throws(() => verifyWebhook(secret, header, '{"a":1}', undefined, T0 + 3_600_000), { code: 'token_expired' })
  assert.throws(() => verifyWebhook(secret, 'garbage', '{}', undefined, T0), { code: 'token_malformed' })
})
