// A small HTTP service on node:http (no framework) in front of the engine:
//
//   POST /categorize  {transactions: [...]}        -> {decisions: [...]}
//   POST /feedback    {transaction, category}      -> {ok: true}
//   POST /redact      {text} | {json}              -> {text, findings} | {value, findings}
//
// Every request carries `Authorization: Bearer <envelope token>` signed by a trusted agent for
// audience "xspense" (an event envelope whose trace id is echoed back), passes a per-tenant rate
// limit and a payload guard, and errors come back as {error: {code, message}} with the core's
// code mapped to an HTTP status. Run it: `node examples/service.mjs` (port 8787).
import http from 'node:http'
import { Engine, PayloadGuard, RateLimiter, Redactor, Verifier } from '../index.mjs'

const STATUS = {
  invalid_input: 400, parse_error: 400, not_found: 404, conflict: 409, invalid_answer: 422,
  rate_limited: 429, payload_too_large: 413, token_malformed: 401, token_bad_signature: 401,
  token_wrong_audience: 401, token_wrong_issuer: 401, token_expired: 401,
  token_not_yet_valid: 401, token_replayed: 401,
}

export function createService({ keys, issuers, limit = { count: 20, periodMs: 1000, burst: 40 } }) {
  const engine = new Engine()
  const redactor = new Redactor()
  const verifier = new Verifier(keys, issuers, 'xspense')
  const limiter = new RateLimiter(limit.count, limit.periodMs, limit.burst)
  const maxBytes = 1 << 20
  const guard = new PayloadGuard(maxBytes, 32)

  const routes = {
    '/categorize': async (body, tenant) => {
      const rows = (body.transactions ?? []).map((t) => ({ ...t, tenant }))
      return { decisions: await engine.categorizeBatch(rows) }
    },
    '/feedback': (body, tenant) => {
      engine.feedback({ ...body.transaction, tenant }, body.category)
      return { ok: true }
    },
    '/redact': async (body) => ('json' in body ? redactor.redactJson(body.json) : redactor.redactAsync(String(body.text ?? ''))),
  }

  return http.createServer(async (req, res) => {
    const send = (status, value, headers = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers })
      res.end(JSON.stringify(value))
    }
    try {
      const route = routes[req.url ?? '']
      if (req.method !== 'POST' || !route) return send(404, { error: { code: 'not_found', message: `no route ${req.method} ${req.url}` } })
      const token = (req.headers.authorization ?? '').replace(/^Bearer /, '')
      const claims = verifier.verify(token)
      const tenant = claims.iss
      const decision = limiter.check(tenant, req.url)
      if (!decision.allowed) {
        return send(429, { error: { code: 'rate_limited', message: 'slow down' } }, { 'retry-after': String(Math.ceil(decision.retry_after_ms / 1000)) })
      }
      const chunks = []
      let size = 0
      for await (const c of req) {
        size += c.length
        chunks.push(c)
        // stop reading at the limit; the guard words the refusal
        if (size > maxBytes) guard.checkSize(Buffer.concat(chunks))
      }
      const raw = Buffer.concat(chunks)
      guard.checkJson(raw)
      let body
      try {
        body = JSON.parse(raw.toString('utf8') || '{}')
      } catch {
        return send(400, { error: { code: 'invalid_input', message: 'the body is not JSON' } })
      }
      const out = await route(body, tenant)
      send(200, { ...out, trace_id: claims.msg.trace_id })
    } catch (err) {
      const code = err.code ?? 'internal'
      send(STATUS[code] ?? 500, { error: { code, message: err.message } })
    }
  })
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const key = process.env.XSPENSE_ENVELOPE_KEY
  if (!key || key.length < 32) {
    console.error('set XSPENSE_ENVELOPE_KEY to a secret of at least 32 characters')
    process.exit(2)
  }
  createService({ keys: [key], issuers: (process.env.XSPENSE_ISSUERS ?? 'acme').split(',') })
    .listen(8787, '127.0.0.1', () => console.log('xspense service on http://127.0.0.1:8787'))
}
