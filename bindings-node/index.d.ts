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

/**
 * Which binding artifact the generated loader actually loaded: `'native'` for
 * a native addon, otherwise the `platformArchABI` of the WASI flavor. Every
 * flavor napi-rs can build is listed, because `NAPI_RS_NATIVE_LIBRARY_PATH`
 * can point the loader at a WASI artifact this package does not build itself.
 */
export declare const __napiBindingTarget: 'native' | 'wasm32-wasi' | 'wasm32-wasip1'

/**
 * An append-only log where each entry carries the hash of the one before; values are redacted
 * before they are hashed unless `redact` is `false`.
 */
export declare class AuditLog {
  constructor(redact?: boolean | undefined | null)
  /** Continues a persisted log after verifying its chain. */
  static resume(entries: AuditEntry[], redact?: boolean | undefined | null): AuditLog
  /** Appends one entry and returns it. */
  append(tenant: string, actor: string, action: AuditAction, subject: string, options?: AppendOptions | undefined | null): AuditEntry
  /** Every entry, oldest first (optionally one tenant's). */
  entries(tenant?: string | undefined | null): AuditEntry[]
  /** Throws `code: "tampered"` if the chain does not verify. */
  verify(): void
  /** How many entries it holds. */
  get size(): number
}

/** The categorization engine: every tenant's rules, memory and statistics. */
export declare class Engine {
  /** An engine; `config` sets stage switches and thresholds (unknown keys are refused). */
  constructor(config?: EngineConfig)
  /** The configuration in force. */
  get config(): Required<EngineConfig>
  /**
   * Categorizes one transaction: a `Categorization`, or an `LlmRequest` when no stage is
   * confident enough.
   */
  categorize(transaction: Transaction): Categorization | LlmRequest
  /** Categorizes many transactions off the main thread (one conversion per batch). */
  categorizeBatch(transactions: Array<Transaction>): Promise<Array<Categorization | LlmRequest>>
  /** `categorizeBatch` on the calling thread (for scripts and small batches). */
  categorizeBatchSync(transactions: Array<Transaction>): Array<Categorization | LlmRequest>
  /** Checks the model's answer text and learns from it; `invalid_answer` if it is bad. */
  resolve(request: LlmRequest, answer: string): Categorization
  /** Learns a correction: `transaction` belongs in `category`. */
  feedback(transaction: Transaction, category: string): void
  /** What the engine would answer and why, without counting or learning. */
  explain(transaction: Transaction): Categorization
  /** Forgets what was learned for a merchant key; `true` if there was something. */
  forgetMerchant(tenant: string, key: string): boolean
  /** A tenant's counters. */
  stats(tenant: string): Stats
  /** What the normalizer makes of a descriptor. */
  normalize(descriptor: string): Normalized
  /** Tenants with state. */
  tenants(): Array<string>
  /** A tenant's categories. */
  taxonomy(tenant: string): Category[]
  /** Adds a category of the tenant's own; `false` if it exists with that name. */
  addCategory(tenant: string, id: string, name: string, parent?: string | undefined | null): boolean
  /** Adds rules from rule text or rule objects; returns their ids. */
  addRules(tenant: string, rules: string | Rule[]): Array<string>
  /** Removes one rule; `not_found` if it does not exist. */
  removeRule(tenant: string, id: string): void
  /** A tenant's rules as rule objects. */
  rules(tenant: string): Rule[]
  /** Parses rule text without adding it; a `parse_error` names the line and column. */
  static checkRules(text: string): Rule[]
  /**
   * Proposes rules from confirmed history, each with its backtest (support, precision,
   * coverage, rows saved, conflicts), off the main thread. Adds nothing: accept one with
   * `addRules(tenant, [s.rule])`. `options` uses the core's names (`min_support`, ...).
   */
  suggestRules(tenant: string, history: Array<LabelledTransaction>, options?: MiningOptions): Promise<RuleSuggestion[]>
  /** The change events since the last call, oldest first, for the host to persist. */
  drainChanges(): Change[]
  /** Replays persisted change events (all are checked before any is applied). */
  applyChanges(changes: Change[]): void
  /** A checksummed snapshot of one tenant or all, off the main thread. */
  exportSnapshot(tenant?: string | undefined | null): Promise<string>
  /** Loads a snapshot off the main thread; resolves to the tenants it held. */
  importSnapshot(snapshot: string): Promise<string[]>
}

/** Refuses payloads over a size or JSON nesting depth before anything parses them. */
export declare class PayloadGuard {
  constructor(maxBytes?: number | undefined | null, maxDepth?: number | undefined | null)
  /** Throws `payload_too_large` if over the size limit. */
  checkSize(payload: string | Buffer): void
  /** Throws `payload_too_large` if too large or nested too deep. */
  checkJson(payload: string | Buffer): void
}

/** A per-tenant, per-route rate limiter: `count` requests per `periodMs`, bursts of `burst`. */
export declare class RateLimiter {
  constructor(count: number, periodMs: number, burst?: number | undefined | null)
  /** Counts the request(s) if they fit; says when to retry if not. */
  check(tenant: string, route: string, options?: CheckOptions | undefined | null): RateDecision
  /** Like `check`, but throws `code: "rate_limited"` when refused. */
  enforce(tenant: string, route: string, now?: number | undefined | null): RateDecision
}

/**
 * Finds and replaces card numbers, IBANs, SSNs, routing numbers, emails, phones, IPs, JWTs,
 * API keys and secrets.
 */
export declare class Redactor {
  constructor(options?: RedactorOptions | undefined | null)
  /** The operator's name. */
  get operator(): 'placeholder' | 'mask' | 'hash' | 'remove' | 'token'
  /** The ids of the secret detectors in force. */
  detectorIds(): Array<string>
  /** The findings in `text`, in order of position, without replacing anything. */
  find(text: string): Array<Finding>
  /**
   * `text` with every finding replaced; with the `token` operator pass a `vault` to restore
   * the values later.
   */
  redact(text: string, vault?: TokenVault | undefined | null): Redacted
  /** `redact` off the main thread, for large texts. */
  redactAsync(text: string, vault?: TokenVault | undefined | null): Promise<Redacted>
  /**
   * A JSON value with sensitive strings, and values under sensitive keys (`password`,
   * `card_number`, ...), replaced.
   */
  redactJson(value: JsonValue, vault?: TokenVault | undefined | null): RedactedJson
}

/** What a host store's `fail` receives to compute the next delay. */
export declare class RetryPolicy {
  constructor(options?: RetryOptions | undefined | null)
  /** The delay after failed attempt number `attempt` (1-based) of task `taskId`. */
  delayMs(taskId: string, attempt: number): number
  get maxMs(): number
}

/** Signs envelopes as one issuer with an HMAC key of at least 32 bytes. */
export declare class Signer {
  constructor(key: string | Buffer, issuer: string)
  /** A compact token carrying `message` for `audience`; `jti` must be unique per token. */
  sign(message: Envelope, audience: string, jti: string, options?: SignOptions | undefined | null): string
}

/**
 * Claims, leases, retries, idempotency and dead letters over the built-in in-memory store or
 * a store object of the host's (`TaskStore`). Times are ms since the epoch; `now` defaults to
 * the system clock.
 */
export declare class TaskQueue {
  constructor(store?: TaskStore | null, options?: QueueOptions | undefined | null)
  /** Adds a task, or returns the one with the same tenant and idempotency key. */
  enqueue(tenant: string, queue: string, intent: string, payload?: JsonValue, options?: EnqueueOptions | undefined | null): Enqueued
  /** Adds a task downstream of `parent`: same tenant and correlation id, from its queue. */
  enqueueDownstream(parent: Task, queue: string, intent: string, payload?: JsonValue, options?: EnqueueOptions | undefined | null): Enqueued
  /** Claims the next due task of `queue` for `worker`, or returns `null`. */
  claim(queue: string, worker: string, options?: LeaseOptions | undefined | null): Task | null
  /** Extends the lease `worker` holds; returns the new expiry. */
  heartbeat(tenant: string, id: string, worker: string, options?: LeaseOptions | undefined | null): number
  /** Marks a claimed task completed; throws `code: "lease_lost"` if the lease was lost. */
  complete(tenant: string, id: string, worker: string, result?: JsonValue, now?: number | undefined | null): void
  /** Records a failed attempt; returns the new status (`pending` to retry, or `dead`). */
  fail(tenant: string, id: string, worker: string, error: string, options?: FailOptions | undefined | null): TaskStatus
  /** Cancels a pending or claimed task. */
  cancel(tenant: string, id: string, now?: number | undefined | null): void
  /** One task of a tenant. */
  get(tenant: string, id: string): Task
  /** Counts per queue and status, error rate and dead letters. */
  stats(now?: number | undefined | null): QueueStats
  /** Forgets final tasks older than `retentionMs`; returns how many. */
  purge(retentionMs: number, now?: number | undefined | null): number
}

/** Remembers the values behind `<KIND_n>` tokens so a reply can be restored. */
export declare class TokenVault {
  constructor()
  /** `text` with every token this vault issued replaced by its original value. */
  restore(text: string): string
  /** The value behind one token, or `null`. */
  valueOfToken(token: string): string | null
  /** How many values it holds. */
  get size(): number
}

/**
 * Verifies envelopes for one audience: signature (any key, for rotation), issuer, audience,
 * time, replay.
 */
export declare class Verifier {
  constructor(keys: Array<string | Buffer>, issuers: Array<string>, audience: string, options?: VerifierOptions | undefined | null)
  /** The token's claims, or an error whose `code` says why (`token_expired`, ...). */
  verify(token: string, now?: number | undefined | null): Claims
}

/** A category the model may answer with. */
export interface AllowedCategory {
  id: string
  name: string
}

/** Options of `AuditLog.append`. */
export interface AppendOptions {
  old?: JsonValue
  new?: JsonValue
  /** ms since the epoch (default: now). */
  at?: number
}

/** The engine's answer for one transaction. */
export interface Categorization {
  /** Always `"categorized"` (tells it apart from an `LlmRequest`). */
  decision: 'categorized'
  transactionId: string
  category: string
  confidence: number
  band: Band
  source: Source
  reason: string
  merchantKey: string
  merchant: string
  tags: Array<string>
  trace: Array<TraceStep>
}

/** Options of `RateLimiter.check`. */
export interface CheckOptions {
  /** How many requests this is (default 1). */
  n?: number
  /** ms since the epoch (default: now). */
  now?: number
}

/** Options of `TaskQueue.enqueue`. */
export interface EnqueueOptions {
  /** Who asks (default `"api"`). */
  sender?: string
  idempotencyKey?: string
  correlationId?: string
  priority?: number
  /** Not before this time (ms since the epoch). */
  runAt?: number
  /** Attempts before the task is dead (default 5). */
  maxAttempts?: number
  now?: number
}

/** Every stable error code, in the core's order. */
export declare function errorCodes(): Array<string>

/** Options of `fail`. */
export interface FailOptions {
  /** Overrides the queue's retry policy for this failure. */
  retry?: RetryOptions
  now?: number
}

/** Sensitive data found in a text; `start`/`end` index the JavaScript string. */
export interface Finding {
  kind: string
  start: number
  end: number
  confidence: number
  detector: string
}

/** A finding inside a JSON document; `start`/`end` index the string at `path`. */
export interface JsonFinding {
  /** JSON Pointer of the value that held it. */
  path: string
  kind: string
  start: number
  end: number
  confidence: number
  detector: string
}

/** One confirmed history row for `Engine.suggestRules`. */
export interface LabelledTransaction {
  transaction: Transaction
  /** The category a person confirmed. */
  category: string
}

/** Options of `claim` and `heartbeat`. */
export interface LeaseOptions {
  /** Lease length (default 30,000 ms). */
  leaseMs?: number
  now?: number
}

/** A few-shot example from the tenant's memory. */
export interface LlmExample {
  merchant: string
  category: string
}

/** What to ask the host's language model; hand its answer text to `Engine.resolve`. */
export interface LlmRequest {
  /** Always `"needs_llm"`. */
  decision: 'needs_llm'
  tenant: string
  transactionId: string
  merchantKey: string
  merchant: string
  date: string
  /** The system message: the task and the answer format. */
  system: string
  /** The user message; personal data has been redacted from it. */
  prompt: string
  allowedCategories: Array<AllowedCategory>
  examples: Array<LlmExample>
  answerSchema: JsonObject
  /** What to show while the model is asked. */
  bestGuess?: Categorization
}

/** Options of `TaskQueue`. */
export interface QueueOptions {
  retry?: RetryOptions
}

/** The answer to one rate-limit check. */
export interface RateDecision {
  /** Whether the request may go ahead (it has been counted if so). */
  allowed: boolean
  /** Requests that could still go ahead right now. */
  remaining: number
  /** When refused, how long until a request would be allowed (ms). */
  retryAfterMs: number
  /** How long until the full burst is available again (ms). */
  resetAfterMs: number
}

/** A redacted text and what was replaced in it (spans refer to the input). */
export interface Redacted {
  text: string
  findings: Array<Finding>
}

/** A redacted JSON document and what was replaced in it. */
export interface RedactedJson {
  value: JsonValue
  findings: Array<JsonFinding>
}

/** How a `Redactor` works; every field is optional. */
export interface RedactorOptions {
  operator?: 'placeholder' | 'mask' | 'hash' | 'remove' | 'token'
  /** Findings below this confidence are kept (default 0.5). */
  minConfidence?: number
  /** The HMAC key of the `hash` operator. */
  hashKey?: string | Buffer
  /** Kinds to leave alone (`EMAIL_ADDRESS`, `PHONE_NUMBER`, ...). */
  disable?: Array<string>
  /** `false` drops the built-in secret detectors (default `true`). */
  builtinSecrets?: boolean
  /** Extra detectors: `{id, kind, regex, keywords?, entropy?, ...}`. */
  detectors?: JsonObject[]
  allowValues?: Array<string>
  allowPatterns?: Array<string>
  /** Keep merchant numbers of bank descriptors (store numbers, references). */
  forDescriptors?: boolean
}

/** Backoff between attempts of a failed task. */
export interface RetryOptions {
  /** First delay (default 1,000 ms). */
  baseMs?: number
  /** Growth per attempt (default 2). */
  factor?: number
  /** Longest delay (default 600,000 ms). */
  maxMs?: number
  /** Fraction of the delay randomized away, deterministically per task (default 0.5). */
  jitter?: number
}

/** Options of `Signer.sign`. */
export interface SignOptions {
  /** How long the token is valid (default 60,000 ms). */
  ttlMs?: number
  /** ms since the epoch (default: now). */
  now?: number
}

/** A `t=...,v1=...` signature header for a webhook body. */
export declare function signWebhook(secret: string | Buffer, body: string | Buffer, now?: number | undefined | null): string

/** One step of the explanation: which stage said what. */
export interface TraceStep {
  stage: string
  detail: string
  category?: string
  confidence?: number
}

/**
 * A bank transaction. `amount` is a decimal string or a number (negative means a debit), or
 * give `amountMinor` in minor units. `tenant` defaults to `"default"`; `id` to the position in
 * a batch (`"0"` for one transaction).
 */
export interface Transaction {
  id?: string
  tenant?: string
  descriptor: string
  amount?: string | number
  amountMinor?: number
  /** ISO 4217 code; `"USD"` when absent. */
  currency?: string
  direction?: 'debit' | 'credit'
  /** `YYYY-MM-DD`. */
  date: string
  merchant?: string
  account?: string
  mcc?: number
}

/** Options of `Verifier`. */
export interface VerifierOptions {
  /** Clock tolerance (default 30,000 ms). */
  leewayMs?: number
  /** Token ids remembered against replay (default 100,000). */
  replayCapacity?: number
}

/** Verifies persisted audit entries; throws `code: "tampered"` at the first bad one. */
export declare function verifyAudit(entries: AuditEntry[]): void

/** Checks a webhook signature header; throws with a `token_*` code when it does not verify. */
export declare function verifyWebhook(secret: string | Buffer, header: string, body: string | Buffer, toleranceMs?: number | undefined | null, now?: number | undefined | null): void
