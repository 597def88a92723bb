// Redaction under Node (wasm build): the shared redact vectors and the JS surface.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { xs, loadVectors } from './helpers.mjs'

for (const c of loadVectors('redact.json')) {
  test(`redact vector: ${c.name}`, () => {
    const r = new xs.Redactor({ operator: c.mode })
    const out = c.mode === 'token' ? r.redactWithVault(c.text, new xs.TokenVault()) : r.redact(c.text)
    assert.equal(out.text, c.expect)
    assert.deepEqual(out.findings.map((f) => f.kind), c.kinds)
  })
}

test('offsets index the JavaScript string; tokens restore', () => {
  const text = 'café ☕ card 4111 1111 1111 1111 mail ana@example.com'
  const r = new xs.Redactor({ operator: 'token' })
  const vault = new xs.TokenVault()
  const out = r.redactWithVault(text, vault)
  for (const f of out.findings) assert.match(text.slice(f.start, f.end), /4111|ana@/)
  assert.equal(vault.size, 2)
  assert.equal(vault.restore(out.text), text)
  const j = new xs.Redactor().redactJson({ note: 'é 4111 1111 1111 1111', password: 'hunter2' })
  assert.equal(j.value.password, '[SECRET]')
  assert.equal(j.findings.find((f) => f.path === '/note').start, 2)
})

test('bad options are typed errors', () => {
  assert.throws(() => new xs.Redactor({ operator: 'shred' }), { code: 'invalid_input' })
  assert.throws(() => new xs.Redactor({ operater: 'mask' }), { code: 'invalid_input' })
  assert.throws(() => new xs.Redactor({ min_confidence: 'high' }), { code: 'invalid_input' })
})
