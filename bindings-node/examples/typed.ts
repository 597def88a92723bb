// A typed program over the API; `tsc --strict --noEmit` checks it against index.d.ts.
import { Engine, Redactor, TaskQueue, TokenVault } from '../index.js'
import type { Categorization, LabelledTransaction, LlmRequest, QueueStats, RuleSuggestion, Task, TaskStore } from '../index.js'

async function categorize(engine: Engine): Promise<string[]> {
  engine.addRules('acme', 'rule coffee: merchant contains "blue bottle" => food.coffee')
  const decisions: Array<Categorization | LlmRequest> = await engine.categorizeBatch([
    { tenant: 'acme', descriptor: 'SQ *BLUE BOTTLE 0042', amount: '-4.75', date: '2026-11-02' },
    { tenant: 'acme', descriptor: 'ODD SHOP', amount: 3, date: '2026-11-02' },
  ])
  return decisions.map((d) => {
    const c: Categorization = d.decision === 'needs_llm' ? engine.resolve(d, '{"category": "shopping.other", "confidence": 0.7}') : d
    return `${c.category} (${c.source}, ${c.band})`
  })
}

async function suggest(engine: Engine): Promise<string[]> {
  const history: LabelledTransaction[] = [0, 1, 2].map((n) => ({
    transaction: { id: `t${n}`, tenant: 'acme', descriptor: `SQ *BLUE BOTTLE ${n}`, amount: '-4.75', date: '2026-11-02' },
    category: 'food.coffee',
  }))
  const found: RuleSuggestion[] = await engine.suggestRules('acme', history, { min_support: 3 })
  return found.map((s) => `${s.text} (precision ${s.precision.toFixed(2)})`)
}

function redact(text: string): string {
  const vault = new TokenVault()
  const safe = new Redactor({ operator: 'token' }).redact(text, vault).text
  return vault.restore(safe)
}

function work(queue: TaskQueue): QueueStats {
  queue.enqueue('acme', 'q', 'categorize', { rows: 1 }, { idempotencyKey: 'k1' })
  const task: Task | null = queue.claim('q', 'w1', { leaseMs: 5000 })
  if (task !== null) queue.complete(task.tenant, task.id, 'w1', { ok: true })
  return queue.stats()
}

const storeShape: Array<keyof TaskStore> = ['enqueue', 'claim', 'heartbeat', 'complete', 'fail', 'cancel', 'get', 'stats', 'purge']

async function main(): Promise<void> {
  console.log(await categorize(new Engine()))
  console.log(await suggest(new Engine()))
  console.log(redact('card 4111 1111 1111 1111'))
  console.log(work(new TaskQueue(null)).completed_total, storeShape.length)
  try {
    new Engine().removeRule('acme', 'missing')
  } catch (err) {
    console.log((err as { code: string }).code)
  }
}

void main()
