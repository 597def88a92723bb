// Statements (core module `statement`): the shared statement vectors through readStatement
// (a Buffer and a Uint8Array), hints in the core's shape, and errors with their codes.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { parseTransaction, readStatement } from '../index.mjs'
import { loadVectors } from './helpers.mjs'

function caseBytes(c) {
  return c.text !== undefined ? Buffer.from(c.text, 'utf8') : Buffer.from(c.base64, 'base64')
}

// the vector's transactions with `amount` (signed decimal text) as `amount_minor`, read by the
// core's own money rules through parseTransaction
function expectedTransactions(c) {
  return c.expect.transactions.map(({ amount, ...t }) => {
    const negative = amount.startsWith('-')
    const { minor } = parseTransaction({ descriptor: 'x', amount: amount.replace(/^-/, ''), currency: t.currency, date: t.date }).amount
    return { ...t, amount_minor: negative ? -minor : minor }
  })
}

// the report fields the vectors decide (see core/tests/vectors/README.md)
function reportFields(r) {
  return {
    format: r.format,
    encoding: r.encoding.value,
    delimiter: r.delimiter ?? null,
    header_row: r.header_row ?? null,
    date_order: r.date_order?.value ?? null,
    date_order_by: r.date_order?.by ?? null,
    decimal: r.decimal?.value ?? null,
    sign: r.sign.value,
    currency: r.currency.value,
    skipped: r.skipped,
  }
}

for (const c of loadVectors('statements.json')) {
  test(`statement vector: ${c.name}`, () => {
    const buffer = caseBytes(c)
    for (const data of [buffer, new Uint8Array(buffer)]) {
      if (c.error) {
        assert.throws(() => readStatement(data, c.hints), (err) => {
          assert.ok(err instanceof Error)
          assert.equal(err.code, c.error.code)
          assert.ok(err.message.includes(c.error.contains), `${c.name}: ${JSON.stringify(err.message)}`)
          if (c.error.not_contains) assert.ok(!err.message.includes(c.error.not_contains), err.message)
          return true
        })
        continue
      }
      const got = readStatement(data, c.hints)
      assert.deepEqual(got.transactions, expectedTransactions(c))
      assert.deepEqual(reportFields(got.report), c.expect.report)
      assert.equal(got.report.transactions, got.transactions.length)
    }
  })
}

const CSV = Buffer.from('Date,Description,Amount\n01/31/2024,COFFEE,-4.50\n')

test('readStatement: hints are the core shape, snake_case, unknown keys refused', () => {
  const plain = readStatement(CSV)
  assert.equal(Object.getPrototypeOf(plain), Object.prototype)
  assert.deepEqual(readStatement(CSV, null), plain)
  assert.deepEqual(readStatement(CSV, {}), plain)
  const hinted = readStatement(CSV, { currency: 'EUR', columns: [{ column: 3, role: 'amount' }] })
  assert.equal(hinted.report.currency.value, 'EUR')
  assert.equal(hinted.report.currency.by, 'hint')
  assert.equal(hinted.transactions[0].amount_minor, -450)
  assert.throws(() => readStatement(CSV, { dateOrder: 'mdy' }), { code: 'invalid_input', message: /dateOrder/ })
  assert.throws(() => readStatement(CSV, { date_order: 'ydm' }), { code: 'invalid_input', message: /date_order/ })
  assert.throws(() => readStatement(Buffer.alloc(0)), { code: 'invalid_input' })
  assert.throws(() => readStatement('Date,Amount\n'), { code: 'invalid_input', message: /Uint8Array/ })
})
