/** Any value JSON can carry. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue }
/** A JSON object. */
export type JsonObject = { [key: string]: JsonValue }

export type Band = 'low' | 'medium' | 'high' | 'very_high'
export type Source = 'rule' | 'alias' | 'similarity' | 'classifier' | 'knowledge' | 'mcc' | 'llm' | 'default'

/** A transaction as you write it: `amount` is signed (negative is money out) unless `direction` is given. */
export interface Transaction {
  id?: string
  tenant?: string
  descriptor: string
  amount?: string | number
  amount_minor?: number
  currency?: string
  direction?: 'debit' | 'credit'
  /** `YYYY-MM-DD`. */
  date: string
  merchant?: string
  account?: string
  mcc?: number
}

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

export interface TraceStep { stage: string; detail: string; category?: string; confidence?: number }

/** What a stage decided, with why. */
export interface Categorization {
  transaction_id: string
  category: string
  confidence: number
  band: Band
  source: Source
  reason: string
  merchant_key: string
  merchant: string
  tags?: string[]
  trace: TraceStep[]
}

/** A request for the host's language model; the prompt is already scrubbed of PII. */
export interface LlmRequest {
  tenant: string
  transaction_id: string
  merchant_key: string
  merchant: string
  date: string
  system: string
  prompt: string
  allowed_categories: Array<{ id: string; name: string }>
  examples: Array<{ merchant: string; category: string }>
  answer_schema: JsonObject
  best_guess?: Categorization
}

export type Decision = ({ decision: 'categorized' } & Categorization) | ({ decision: 'needs_llm' } & LlmRequest)

/** A rule in its JSON form: `when` is a tree of `{field, op, value}` under `all` / `any` / `not`. */
export interface Rule {
  id: string
  priority: number
  when: JsonObject
  then: { category?: string; rename?: string; tags?: string[] }
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

/** One confirmed history row for `Engine.suggestRules`. */
export interface LabelledTransaction { transaction: Transaction; category: string }

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

/** How a `Redactor` works; every key optional, unknown keys are refused. */
export interface RedactorOptions {
  operator?: 'placeholder' | 'mask' | 'hash' | 'remove' | 'token'
  min_confidence?: number
  hash_key?: string
  disable?: string[]
  builtin_secrets?: boolean
  detectors?: JsonObject[]
  allow_values?: string[]
  allow_patterns?: string[]
  for_descriptors?: boolean
}

/** Sensitive data found in a text; `start`/`end` index the JavaScript string. */
export interface Finding { kind: string; start: number; end: number; confidence: number; detector: string }
/** A redacted text and what was replaced in it (spans refer to the input). */
export interface Redacted { text: string; findings: Finding[] }
/** A redacted JSON value and what was replaced; `path` is a JSON Pointer. */
export interface RedactedJson { value: JsonValue; findings: Array<Finding & { path: string }> }

/** The error every call throws: `code` is the core's stable code. */
export interface XspenseError extends Error { code: string }
