// Hash-chained audit log.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { AuditLog, verifyAudit } from '../index.mjs'

test('append, verify, resume, tamper', () => {
  const log = new AuditLog()
  const e0 = log.append('acme', 'ana', 'correction', 'tx-1', { old: { category: 'food.other' }, new: { category: 'food.coffee', note: 'card 4111 1111 1111 1111', n: 1 }, at: 1 })
  log.append('acme', 'worker-1', 'task_transition', 'task-1', { new: { status: 'completed' }, at: 2 })
  log.append('globex', 'bob', 'rule_change', 'rule-7', { at: 3 })
  assert.equal(log.size, 3)
  assert.equal(e0.new.note, 'card [CARD]')
  log.verify()
  assert.deepEqual(log.entries('acme').map((e) => e.subject), ['tx-1', 'task-1'])
  const stored = JSON.parse(JSON.stringify(log.entries()))
  const resumed = AuditLog.resume(stored)
  assert.equal(resumed.append('acme', 'ana', 'other', 'x', { at: 4 }).prev_hash, stored[2].hash)
  const altered = structuredClone(stored)
  altered[1].actor = 'mallory'
  assert.throws(() => verifyAudit(altered), { code: 'tampered', message: /entry 1: altered/ })
  assert.throws(() => verifyAudit([stored[0], stored[2]]), { code: 'tampered' })
  assert.throws(() => AuditLog.resume(altered), { code: 'tampered' })
  assert.throws(() => log.append('acme', 'ana', 'deleted_everything', 'x'), { code: 'invalid_input' })
})
