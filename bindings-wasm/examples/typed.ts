// A typed program over the browser API; `tsc --strict --noEmit` checks it against the
// declarations wasm-bindgen generates (pkg/web/xspense_wasm.d.ts, with schema/records.d.ts inside).
import init, { Engine, Redactor, TokenVault, parseTransaction, readStatement } from '../pkg/web/xspense_wasm.js'
import type { Categorization, Decision, Hints, LabelledInput, RuleSuggestion, Statement, Stats, Transaction, TransactionInput, XspenseError } from '../pkg/web/xspense_wasm.js'

export async function demo(): Promise<string[]> {
  await init()
  const engine = new Engine({ llm_fallback: true })
  engine.addRules('ana', 'merchant contains "blue bottle" => food.coffee')
  const txs: TransactionInput[] = [
    { tenant: 'ana', descriptor: 'SQ *BLUE BOTTLE 0042', amount: -4.75, date: '2026-11-02' },
    { tenant: 'ana', descriptor: 'ODD SHOP', amount: '3.00', date: '2026-11-02' },
    { tenant: 'ana', descriptor: 'PAYROLL', amount_minor: 250000, direction: 'credit', date: '2026-11-30' },
  ]
  const checked: Transaction = parseTransaction(txs[0])
  const out: string[] = [`${checked.amount.minor} ${checked.amount.currency} ${checked.direction}`]
  const decisions: Decision[] = engine.categorizeBatch(txs)
  for (const d of decisions) {
    if (d.decision === 'needs_llm') {
      const c: Categorization = engine.resolve(d, '{"category": "shopping.other", "confidence": 0.7}')
      out.push(`${c.category} (${c.source}) for ${d.merchant_key}`)
    } else {
      out.push(`${d.category} (${d.source}, ${d.band}) for ${d.transaction_id}`)
    }
  }
  const history: LabelledInput[] = [0, 1, 2].map((n) => ({
    transaction: { id: `t${n}`, tenant: 'ana', descriptor: `NETFLIX.COM ${n}`, amount: -15.49, date: '2026-11-01' },
    category: 'entertainment.streaming',
  }))
  const found: RuleSuggestion[] = engine.suggestRules('ana', history, { min_support: 3 })
  out.push(...found.map((s) => `${s.text} (new rows ${s.new_rows})`))
  const hints: Hints = { decimal: ',', currency: 'EUR' }
  const read: Statement = readStatement(new TextEncoder().encode('Datum;Empfänger;Betrag\n15.01.2024;REWE;-12,50\n'), hints)
  out.push(`${read.report.format}: ${read.transactions.map((t) => `${t.description} ${t.amount_minor} ${t.currency}`).join(', ')}`)
  const stats: Stats = engine.stats('ana')
  out.push(`${stats.total} categorized, ${stats.llm_requests} for the model`)
  const vault = new TokenVault()
  const safe = new Redactor({ operator: 'token', min_confidence: 0.5 }).redactWithVault('card 4111 1111 1111 1111', vault)
  out.push(vault.restore(safe.text))
  try {
    engine.removeRule('ana', 'missing')
  } catch (err) {
    out.push((err as XspenseError).code)
  }
  return out
}
