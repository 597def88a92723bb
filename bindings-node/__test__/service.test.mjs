// Drives the example HTTP service on 127.0.0.1: envelopes, rate limit, payload guard, routes.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { Signer } from '../index.mjs'
import { createService } from '../examples/service.mjs'

const KEY = 'service-test-key-0123456789abcdef'
let server
let base

before(async () => {
  server = createService({ keys: [KEY], issuers: ['acme', 'globex'], limit: { count: 5, periodMs: 60_000, burst: 5 } })
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  base = `http://127.0.0.1:${server.address().port}`
})
after(() => server.close())

function token(issuer, key = KEY) {
  const msg = { type: 'event', event: 'request', payload: {}, trace_id: `tr-${issuer}` }
  return new Signer(key, issuer).sign(msg, 'xspense', randomUUID())
}

async function post(path, body, auth) {
  const res = await fetch(base + path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(auth ? { authorization: `Bearer ${auth}` } : {}) },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  })
  return { status: res.status, body: await res.json(), headers: res.headers }
}

test('categorize, learn, redact, with the caller as tenant', async () => {
  const tx = { descriptor: 'POS KALOMI TASHI 0042', amount: '9.50', date: '2026-11-02' }
  let r = await post('/categorize', { transactions: [tx] }, token('acme'))
  assert.equal(r.status, 200)
  assert.equal(r.body.decisions[0].decision, 'needs_llm')
  assert.equal(r.body.trace_id, 'tr-acme')
  r = await post('/feedback', { transaction: tx, category: 'food.restaurants' }, token('acme'))
  assert.deepEqual([r.status, r.body.ok], [200, true])
  r = await post('/categorize', { transactions: [tx] }, token('acme'))
  assert.deepEqual([r.body.decisions[0].category, r.body.decisions[0].source], ['food.restaurants', 'alias'])
  r = await post('/categorize', { transactions: [tx] }, token('globex'))
  assert.equal(r.body.decisions[0].decision, 'needs_llm', 'globex does not see what acme taught')
  r = await post('/redact', { text: 'card 4111 1111 1111 1111' }, token('globex'))
  assert.equal(r.body.text, 'card [CARD]')
  r = await post('/redact', { json: { password: 'hunter2' } }, token('globex'))
  assert.deepEqual(r.body.value, { password: '[SECRET]' })
})

test('refusals: tokens, replay, bad input, size, rate limit', async () => {
  assert.equal((await post('/redact', { text: 'x' })).body.error.code, 'token_malformed')
  assert.equal((await post('/redact', { text: 'x' }, token('acme', 'some-other-key-0123456789abcdefgh'))).body.error.code, 'token_bad_signature')
  assert.equal((await post('/redact', { text: 'x' }, token('mallory'))).status, 401)
  const once = token('acme')
  assert.equal((await post('/redact', { text: 'x' }, once)).status, 200)
  assert.equal((await post('/redact', { text: 'x' }, once)).body.error.code, 'token_replayed')
  let r = await post('/feedback', { transaction: { descriptor: 'X', amount: '1', date: '2026-01-01' }, category: 'no.such' }, token('acme'))
  assert.deepEqual([r.status, r.body.error.code], [404, 'not_found'])
  r = await post('/categorize', '{"transactions": [', token('acme'))
  assert.deepEqual([r.status, r.body.error.code], [400, 'invalid_input'])
  r = await post('/categorize', '['.repeat(40) + ']'.repeat(40), token('acme'))
  assert.deepEqual([r.status, r.body.error.code], [413, 'payload_too_large'])
  let limited
  for (let i = 0; i < 8 && !limited; i++) {
    r = await post('/redact', { text: 'x' }, token('acme'))
    if (r.status === 429) limited = r
  }
  assert.ok(limited, 'the limiter refuses once the burst is spent')
  assert.ok(Number(limited.headers.get('retry-after')) > 0)
})
