// A task store for `new TaskQueue(store)` on one plain JSON file (node:fs only).
//
// The queue logic (validation, defaults, retry delays) stays in xspense's TaskQueue; this class
// only keeps the rows. Every method reads the file, changes it and writes it back atomically
// (write to a temporary file, then rename), so a crash never leaves half a file. It suits one
// process; use a database for several.
import fs from 'node:fs'

const FINAL = new Set(['completed', 'dead', 'cancelled'])

function fail(code, message) {
  const err = new Error(message)
  err.code = code
  return err
}

export class JsonFileTaskStore {
  constructor(path) {
    this.path = path
    if (!fs.existsSync(path)) this.#save({ seq: 0, tasks: {}, completed: 0, failed: 0 })
  }

  #load() {
    return JSON.parse(fs.readFileSync(this.path, 'utf8'))
  }

  #save(db) {
    const tmp = `${this.path}.tmp`
    fs.writeFileSync(tmp, JSON.stringify(db))
    fs.renameSync(tmp, this.path)
  }

  #change(fn) {
    const db = this.#load()
    const out = fn(db)
    this.#save(db)
    return out
  }

  #task(db, tenant, id) {
    const t = db.tasks[id]
    if (!t || t.tenant !== tenant) throw fail('not_found', `task not found: ${id}`)
    return t
  }

  #held(db, tenant, id, worker, now) {
    const t = this.#task(db, tenant, id)
    if (t.status === 'pending') throw fail('lease_lost', `task ${id} is pending again: its lease expired`)
    if (t.status !== 'claimed') throw fail('invalid_transition', `task ${id} is ${t.status}`)
    if (t.lease_owner !== worker) throw fail('lease_lost', `task ${id} is held by another worker`)
    if (t.lease_expires_at === null || t.lease_expires_at <= now) throw fail('lease_lost', `the lease on task ${id} expired`)
    return t
  }

  enqueue(task, now) {
    return this.#change((db) => {
      if (task.idempotency_key !== null) {
        const same = Object.values(db.tasks).find(
          (t) => t.tenant === task.tenant && t.idempotency_key === task.idempotency_key,
        )
        if (same) return { task: same, created: false }
      }
      db.seq += 1
      const id = `js_${db.seq.toString(16).padStart(12, '0')}`
      const t = {
        id,
        tenant: task.tenant,
        queue: task.queue,
        from: task.from,
        intent: task.intent,
        payload: task.payload,
        correlation_id: task.correlation_id ?? id,
        idempotency_key: task.idempotency_key,
        priority: task.priority,
        run_at: task.run_at ?? now,
        attempts: 0,
        max_attempts: task.max_attempts,
        status: 'pending',
        lease_owner: null,
        lease_expires_at: null,
        result: null,
        error: null,
        created_at: now,
        updated_at: now,
        finished_at: null,
      }
      db.tasks[id] = t
      return { task: t, created: true }
    })
  }

  claim(queue, worker, leaseMs, now) {
    return this.#change((db) => {
      const tasks = Object.values(db.tasks).filter((t) => t.queue === queue)
      for (const t of tasks) {
        // an expired lease is a failed attempt: retry now, or dead when none are left
        if (t.status === 'claimed' && t.lease_expires_at <= now) {
          db.failed += 1
          t.error = `lease expired at attempt ${t.attempts}`
          t.lease_owner = null
          t.lease_expires_at = null
          t.updated_at = now
          if (t.attempts >= t.max_attempts) {
            t.status = 'dead'
            t.finished_at = now
          } else {
            t.status = 'pending'
            t.run_at = now
          }
        }
      }
      const due = tasks
        .filter((t) => t.status === 'pending' && t.run_at <= now)
        .sort((a, b) => b.priority - a.priority || a.run_at - b.run_at || (a.id < b.id ? -1 : 1))
      const t = due[0]
      if (!t) return null
      t.status = 'claimed'
      t.attempts += 1
      t.lease_owner = worker
      t.lease_expires_at = now + leaseMs
      t.updated_at = now
      return t
    })
  }

  heartbeat(tenant, id, worker, leaseMs, now) {
    return this.#change((db) => {
      const t = this.#held(db, tenant, id, worker, now)
      t.lease_expires_at = now + leaseMs
      t.updated_at = now
      return t.lease_expires_at
    })
  }

  complete(tenant, id, worker, result, now) {
    this.#change((db) => {
      const t = this.#held(db, tenant, id, worker, now)
      db.completed += 1
      Object.assign(t, { status: 'completed', result, lease_owner: null, lease_expires_at: null, updated_at: now, finished_at: now })
    })
  }

  fail(tenant, id, worker, error, retry, now) {
    return this.#change((db) => {
      const t = this.#held(db, tenant, id, worker, now)
      db.failed += 1
      Object.assign(t, { error: error.slice(0, 1000), lease_owner: null, lease_expires_at: null, updated_at: now })
      if (t.attempts >= t.max_attempts) {
        t.status = 'dead'
        t.finished_at = now
      } else {
        t.status = 'pending'
        t.run_at = now + retry.delayMs(t.id, t.attempts)
      }
      return t.status
    })
  }

  cancel(tenant, id, now) {
    this.#change((db) => {
      const t = this.#task(db, tenant, id)
      if (FINAL.has(t.status)) throw fail('invalid_transition', `task ${id} is already ${t.status}`)
      Object.assign(t, { status: 'cancelled', lease_owner: null, lease_expires_at: null, updated_at: now, finished_at: now })
    })
  }

  get(tenant, id) {
    return this.#task(this.#load(), tenant, id)
  }

  stats(now) {
    const db = this.#load()
    const queues = {}
    let dead = 0
    for (const t of Object.values(db.tasks)) {
      const q = (queues[t.queue] ??= { by_status: {}, due: 0, oldest_due_age_ms: null })
      q.by_status[t.status] = (q.by_status[t.status] ?? 0) + 1
      if (t.status === 'dead') dead += 1
      if (t.status === 'pending' && t.run_at <= now) {
        q.due += 1
        q.oldest_due_age_ms = Math.max(q.oldest_due_age_ms ?? 0, now - t.run_at)
      }
    }
    const total = db.failed + db.completed
    return { queues, completed_total: db.completed, failed_total: db.failed, error_rate: total ? db.failed / total : 0, dead_letters: dead }
  }

  purge(retentionMs, now) {
    return this.#change((db) => {
      let n = 0
      for (const [id, t] of Object.entries(db.tasks)) {
        if (FINAL.has(t.status) && t.finished_at < now - retentionMs) {
          delete db.tasks[id]
          n += 1
        }
      }
      return n
    })
  }
}
