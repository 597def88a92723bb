// A typed program over the browser API; `tsc --strict --noEmit` checks it against the
// declarations wasm-bindgen generates (pkg/web/xspense_wasm.d.ts, with types.d.ts inside).
import init, { Engine, Redactor, TokenVault } from '../pkg/web/xspense_wasm.js'
import type { Decision, LabelledTransaction, RuleSuggestion, Transaction, XspenseError } from '../pkg/web/xspense_wasm.js'

export async function demo(): Promise<string[]> {
  await init()
  const engine = new Engine({ llm_fallback: true })
  engine.addRules('ana', 'merchant contains "blue bottle" => food.coffee')
  const txs: Transaction[] = [
    { tenant: 'ana', descriptor: 'SQ *BLUE BOTTLE 0042', amount: -4.75, date: '2026-11-02' },
    { tenant: 'ana', descriptor: 'ODD SHOP', amount: '3.00', date: '2026-11-02' },
  ]
  const out: string[] = []
  for (const d of engine.categorizeBatch(txs) as Decision[]) {
    if (d.decision === 'needs_llm') {
      const c = engine.resolve(d, '{"category": "shopping.other", "confidence": 0.7}')
      out.push(`${c.category} (${c.source})`)
    } else {
      out.push(`${d.category} (${d.source}, ${d.band})`)
    }
  }
  const history: LabelledTransaction[] = [0, 1, 2].map((n) => ({
    transaction: { id: `t${n}`, tenant: 'ana', descriptor: `NETFLIX.COM ${n}`, amount: -15.49, date: '2026-11-01' },
    category: 'entertainment.streaming',
  }))
  const found: RuleSuggestion[] = engine.suggestRules('ana', history, { min_support: 3 })
  out.push(...found.map((s) => s.text))
  const vault = new TokenVault()
  const safe = new Redactor({ operator: 'token' }).redactWithVault('card 4111 1111 1111 1111', vault)
  out.push(vault.restore(safe.text))
  try {
    engine.removeRule('ana', 'missing')
  } catch (err) {
    out.push((err as XspenseError).code)
  }
  return out
}
