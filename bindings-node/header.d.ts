/** Any value JSON can carry. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue }
/** A JSON object. */
export type JsonObject = { [key: string]: JsonValue }

export type Band = 'low' | 'medium' | 'high' | 'very_high'
export type Source = 'rule' | 'alias' | 'similarity' | 'classifier' | 'knowledge' | 'mcc' | 'llm' | 'default'
export type TaskStatus = 'pending' | 'claimed' | 'completed' | 'dead' | 'cancelled'
export type AuditAction = 'decision' | 'correction' | 'rule_change' | 'task_transition' | 'other'

/** Stage switches and thresholds; every key optional, unknown keys are refused. */
export interface EngineConfig {
  rule_confidence?: number
  alias_min_confidence?: number
  alias_decay?: number
  llm_fallback?: boolean
  llm_examples?: number
  similarity?: boolean
  similarity_k?: number
  similarity_min_similarity?: number
  similarity_min_confidence?: number
  classifier_min_examples?: number
  knowledge?: boolean
  knowledge_confidence?: number
  mcc?: boolean
  mcc_confidence?: number
}

/** A rule in its JSON form: `when` is a tree of `{field, op, value}` under `all` / `any` / `not`. */
export interface Rule {
  id: string
  priority: number
  when: JsonObject
  then: { category?: string; rename?: string; tags?: string[] }
}

/** Thresholds for `Engine.suggestRules`; every key optional, unknown keys are refused. */
export interface MiningOptions {
  min_support?: number
  min_precision?: number
  max_suggestions?: number
  max_examples?: number
}

/** A proposed rule and its backtest over the history it was mined from. */
export interface RuleSuggestion {
  rule: Rule
  text: string
  category: string
  support: number
  matched: number
  precision: number
  coverage: number
  new_rows: number
  merchants: number
  conflicts: number
  conflict_examples: Array<{ transaction_id: string; descriptor: string; category: string }>
  conflicting_rules: string[]
}

/** A change event to persist and replay with `Engine.applyChanges` (the core's JSON shape). */
export type Change =
  | { type: 'category_added'; tenant: string; category: Category }
  | { type: 'rule_added'; tenant: string; rule: Rule }
  | { type: 'rule_removed'; tenant: string; id: string }
  | { type: 'alias_learned'; tenant: string; key: string; entry: JsonObject }
  | { type: 'alias_forgotten'; tenant: string; key: string }

export interface Category { id: string; name: string; parent?: string; builtin: boolean }
export interface Normalized { key: string; display: string; brand: boolean; detail: string }
export interface Stats {
  total: number
  by_source: Partial<Record<Source, number>>
  by_band: Partial<Record<Band, number>>
  llm_requests: number
  llm_share: number
  mean_confidence: number
  feedback: number
}

/** A task as stores keep it (the core's JSON shape; times in ms since the epoch). */
export interface Task {
  id: string
  tenant: string
  queue: string
  from: string
  intent: string
  payload: JsonValue
  correlation_id: string
  idempotency_key: string | null
  priority: number
  run_at: number
  attempts: number
  max_attempts: number
  status: TaskStatus
  lease_owner: string | null
  lease_expires_at: number | null
  result: JsonValue | null
  error: string | null
  created_at: number
  updated_at: number
  finished_at: number | null
}
/** A task to add (what a store's `enqueue` receives). */
export interface NewTask {
  tenant: string
  queue: string
  from: string
  intent: string
  payload: JsonValue
  correlation_id: string | null
  idempotency_key: string | null
  priority: number
  run_at: number | null
  max_attempts: number
}
export interface Enqueued { task: Task; created: boolean }
export interface QueueCounts { by_status: Partial<Record<TaskStatus, number>>; due: number; oldest_due_age_ms: number | null }
export interface QueueStats {
  queues: Record<string, QueueCounts>
  completed_total: number
  failed_total: number
  error_rate: number
  dead_letters: number
}

/**
 * A task store written by the host, for `new TaskQueue(store)`. Each method must be atomic and
 * synchronous; throw an `Error` with `code` `"not_found"`, `"lease_lost"` or
 * `"invalid_transition"` where the in-memory store would (it reaches the caller unchanged).
 * `examples/json-file-store.mjs` is a complete one.
 */
export interface TaskStore {
  /** Adds `task` (id, `correlation_id` defaulting to it, `run_at` to `now`), or returns the task with the same tenant and idempotency key and `created: false`. */
  enqueue(task: NewTask, now: number): Enqueued
  /** Takes the next due task of `queue` (pending with `run_at <= now`, or claimed with an expired lease, which counts as a failed attempt), highest priority first, then earliest `run_at`. */
  claim(queue: string, worker: string, leaseMs: number, now: number): Task | null
  /** Extends the lease `worker` holds to `now + leaseMs` and returns it. */
  heartbeat(tenant: string, id: string, worker: string, leaseMs: number, now: number): number
  /** Marks a claimed task completed with `result`. */
  complete(tenant: string, id: string, worker: string, result: JsonValue, now: number): void
  /** Records a failed attempt: pending again at `now + retry.delayMs(id, attempts)`, or dead when no attempts are left. */
  fail(tenant: string, id: string, worker: string, error: string, retry: RetryPolicy, now: number): TaskStatus
  /** Cancels a pending or claimed task. */
  cancel(tenant: string, id: string, now: number): void
  /** One task of `tenant`. */
  get(tenant: string, id: string): Task
  /** Counts per queue and status. */
  stats(now: number): QueueStats
  /** Deletes final tasks finished before `now - retentionMs`; returns how many. */
  purge(retentionMs: number, now: number): number
}

/** The message an envelope carries (the core's JSON shape). */
export type Envelope =
  | { type: 'task'; task_id: string; action: string; payload: JsonValue; reply_to?: string; trace_id: string; requested_by: string; resources: { priority?: number; timeout_ms: number; retry?: number } }
  | { type: 'result'; task_id: string; status: 'accepted' | 'in_progress' | 'succeeded' | 'failed'; result?: JsonValue; error?: { code: string; message: string }; trace_id: string }
  | { type: 'event'; event: string; payload: JsonValue; trace_id: string }

/** The claims of a verified envelope token (seconds since the epoch). */
export interface Claims { iss: string; aud: string; exp: number; nbf: number; iat: number; jti: string; msg: Envelope }

export interface AuditEntry {
  seq: number
  at: number
  tenant: string
  actor: string
  action: AuditAction
  subject: string
  old: JsonValue | null
  new: JsonValue | null
  prev_hash: string
  hash: string
}

/** An error from xspense: `code` is the core's stable code, the message is the core's. */
export interface XspenseError extends Error { code: string }
