// A typed program over the API; `tsc --strict --noEmit` checks it against index.d.ts.
import { Engine, RateLimiter, Redactor, RetryPolicy, TaskQueue, TokenVault, parseTransaction, readStatement } from '../index.js'
import type {
  Categorization, Decision, EngineConfig, Hints, LabelledInput, QueueStats, RateDecision, RuleSuggestion, Statement, StatementTransaction,
  Task, TaskStore, Transaction, TransactionInput, XspenseError,
} from '../index.js'

async function categorize(engine: Engine): Promise<string[]> {
  engine.addRules('acme', 'rule coffee: merchant contains "blue bottle" => food.coffee')
  const txs: TransactionInput[] = [
    { tenant: 'acme', descriptor: 'SQ *BLUE BOTTLE 0042', amount: '-4.75', date: '2026-11-02' },
    { tenant: 'acme', descriptor: 'ODD SHOP', amount: 3, date: '2026-11-02' },
    { tenant: 'acme', descriptor: 'PAYROLL', amount_minor: 250000, direction: 'credit', date: '2026-11-30' },
  ]
  const checked: Transaction = parseTransaction(txs[2])
  const decisions: Decision[] = await engine.categorizeBatch(txs)
  const out = decisions.map((d) => {
    const c: Categorization = d.decision === 'needs_llm' ? engine.resolve(d, '{"category": "shopping.other", "confidence": 0.7}') : d
    return `${c.transaction_id}: ${c.category} (${c.source}, ${c.band}, ${c.merchant_key})`
  })
  return [...out, `${checked.amount.minor} ${checked.amount.currency} ${checked.direction}`]
}

async function suggest(engine: Engine): Promise<string[]> {
  const history: LabelledInput[] = [0, 1, 2].map((n) => ({
    transaction: { id: `t${n}`, tenant: 'acme', descriptor: `SQ *BLUE BOTTLE ${n}`, amount: '-4.75', date: '2026-11-02' },
    category: 'food.coffee',
  }))
  const found: RuleSuggestion[] = await engine.suggestRules('acme', history, { min_support: 3 })
  return found.map((s) => `${s.text} (precision ${s.precision.toFixed(2)}, new rows ${s.new_rows})`)
}

function redact(text: string): string {
  const vault = new TokenVault()
  const safe = new Redactor({ operator: 'token', min_confidence: 0.5 }).redact(text, vault).text
  const hashed = new Redactor({ operator: 'hash', hash_key: Buffer.from('k'.repeat(32)) }).redact(text).text
  return `${vault.restore(safe)} ${hashed}`
}

function work(queue: TaskQueue): QueueStats {
  queue.enqueue('acme', 'q', 'categorize', { rows: 1 }, { idempotency_key: 'k1', max_attempts: 3 })
  const task: Task | null = queue.claim('q', 'w1', { lease_ms: 5000 })
  if (task !== null) queue.complete(task.tenant, task.id, 'w1', { ok: true })
  return queue.stats()
}

function statement(csv: string): string {
  const hints: Hints = { date_order: 'dmy', currency: 'GBP', columns: [{ column: 'Paid out', role: 'debit' }] }
  const read: Statement = readStatement(Buffer.from(csv), hints)
  const first: StatementTransaction | undefined = read.transactions[0]
  return `${read.report.format} ${read.report.currency.value} ${read.report.date_order?.by ?? '-'} ${first?.amount_minor ?? 0}`
}

const storeShape: Array<keyof TaskStore> = ['enqueue', 'claim', 'heartbeat', 'complete', 'fail', 'cancel', 'get', 'stats', 'purge']
const policy = new RetryPolicy({ base_ms: 100, jitter: 0 })
const config: EngineConfig = { llm_fallback: false, similarity_k: 5 }

async function main(): Promise<void> {
  console.log(await categorize(new Engine()))
  console.log(await suggest(new Engine(config)))
  console.log(redact('card 4111 1111 1111 1111'))
  console.log(statement('Date,Description,Paid out,Paid in\n02/01/2024,TESCO,12.50,\n'))
  console.log(work(new TaskQueue(null, { retry: { base_ms: policy.base_ms, max_ms: 60_000 } })).completed_total, storeShape.length)
  console.log(policy.delayMs('t1', 2), policy.max_ms)
  const limited: RateDecision = new RateLimiter(5, 1000).check('acme', 'categorize', { n: 2 })
  console.log(limited.allowed, limited.retry_after_ms)
  try {
    new Engine().removeRule('acme', 'missing')
  } catch (err) {
    console.log((err as XspenseError).code)
  }
}

void main()
