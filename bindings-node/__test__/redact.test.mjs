// Redaction: the shared vectors, every operator, JSON and token restore.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Redactor, TokenVault } from '../index.mjs'
import { loadVectors } from './helpers.mjs'

for (const c of loadVectors('redact.json')) {
  test(`redact vector: ${c.name}`, () => {
    const out = new Redactor({ operator: c.mode }).redact(c.text)
    assert.equal(out.text, c.expect)
    assert.deepEqual(out.findings.map((f) => f.kind), c.kinds)
  })
}

test('offsets index JS strings (UTF-16)', () => {
  const text = 'ünïcödé 🙂 card 4111 1111 1111 1111 and ana@example.com'
  const found = new Redactor().find(text)
  assert.deepEqual(found.map((f) => text.slice(f.start, f.end)), ['4111 1111 1111 1111', 'ana@example.com'])
})

test('every operator; tokens restore', async () => {
  const text = 'card 4111 1111 1111 1111'
  assert.equal(new Redactor({ operator: 'mask' }).redact(text).text, 'card **** **** **** 1111')
  assert.equal(new Redactor({ operator: 'remove' }).redact(text).text, 'card ')
  const h1 = new Redactor({ operator: 'hash', hash_key: 'k'.repeat(32) }).redact(text).text
  const h2 = new Redactor({ operator: 'hash', hash_key: Buffer.from('k'.repeat(32)) }).redact('card 4111-1111-1111-1111').text
  assert.ok(h1.startsWith('card [CARD:') && h1 === h2)
  assert.throws(() => new Redactor({ operator: 'shred' }), { code: 'invalid_input' })
  assert.throws(() => new Redactor({ operator: 'hash', hashKey: 'k'.repeat(32) }), { code: 'invalid_input', message: /hashKey/ })
  const vault = new TokenVault()
  const r = new Redactor({ operator: 'token' })
  const out = await r.redactAsync('refund 4111 1111 1111 1111 to ana@example.com', vault)
  assert.equal(out.text, 'refund <CARD_1> to <EMAIL_1>')
  assert.equal(vault.size, 2)
  assert.equal(vault.restore('Refunded <CARD_1>.'), 'Refunded 4111 1111 1111 1111.')
  assert.equal(vault.valueOfToken('<EMAIL_1>'), 'ana@example.com')
  assert.equal(vault.valueOfToken('<EMAIL_9>'), null)
})

test('JSON, options, custom detectors', () => {
  const r = new Redactor()
  const doc = { user: { email: 'ana@example.com', password: 'hunter2' }, notes: ['ok', 'ssn 588-46-6702'], n: 3 }
  const out = r.redactJson(doc)
  assert.deepEqual(out.value, { user: { email: '[EMAIL]', password: '[SECRET]' }, notes: ['ok', 'ssn [SSN]'], n: 3 })
  assert.deepEqual(out.findings.map((f) => f.path).sort(), ['/notes/1', '/user/email', '/user/password'])
  assert.equal(doc.user.password, 'hunter2')
  const text = 'mail ana@example.com from 203.0.113.42'
  assert.equal(new Redactor({ disable: ['EMAIL_ADDRESS'] }).redact(text).text, 'mail ana@example.com from [IP]')
  assert.equal(new Redactor({ allow_values: ['ana@example.com'] }).redact(text).text, 'mail ana@example.com from [IP]')
  const custom = new Redactor({ detectors: [{ id: 'employee-id', kind: 'EMPLOYEE_ID', regex: '\\bEMP-\\d{6}\\b', keywords: ['emp-'] }] })
  assert.equal(custom.redact('badge EMP-004211').text, 'badge [EMPLOYEE_ID]')
  assert.ok(new Redactor({ builtin_secrets: false }).detectorIds().length < r.detectorIds().length)
})
