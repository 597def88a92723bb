// Every error is an Error with the core's code and message; ESM and CJS entries agree.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createRequire } from 'node:module'
import * as esm from '../index.mjs'

test('errors carry the core code and message', () => {
  assert.equal(esm.errorCodes().length, 19)
  try {
    new esm.Engine().removeRule('acme', 'nope')
    assert.fail('no error')
  } catch (err) {
    assert.ok(err instanceof Error)
    assert.equal(err.code, 'not_found')
    assert.equal(err.message, 'rule not found: nope')
  }
})

test('the ES module and CommonJS entries export the same names', () => {
  const cjs = createRequire(import.meta.url)('../index.js')
  const names = (o) => Object.keys(o).filter((k) => k !== 'default' && !k.startsWith('__')).sort()
  assert.deepEqual(names(esm), names(cjs))
  assert.equal(esm.Engine, cjs.Engine)
})
