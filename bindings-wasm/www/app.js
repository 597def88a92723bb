// The demo page: a bank export (CSV, OFX/QFX, QIF or CAMT, read by the engine's readStatement) categorized by the xspense engine running as WebAssembly in
// this page. State is kept in localStorage through the engine's change events and snapshots.
import init, { Engine, Redactor, parseTransaction, readStatement } from '../pkg/web/xspense_wasm.js'

const TENANT = 'me'
const KEY = { file: 'xspense.file', csv: 'xspense.csv', snapshot: 'xspense.snapshot', changes: 'xspense.changes', confirmed: 'xspense.confirmed' }
const $ = (id) => document.getElementById(id)

let engine
let redactor
let rows = [] // {id, date, descriptor, amount, currency, tx}
let results = new Map() // id -> {decision, shown}
let confirmed = {} // id -> category a person chose or confirmed
let selected = null

// ---------- the export: read by the engine (CSV, OFX/QFX, QIF, CAMT) ----------

/** Decimal digits of a currency's minor unit, as the browser knows ISO 4217 (for display). */
function decimalsOf(currency) {
  try {
    return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits
  } catch {
    return 2
  }
}

/** A signed amount in minor units as text in major units (`-1250` EUR is `-12.50`). */
function amountText(minor, currency) {
  const d = decimalsOf(currency)
  const sign = minor < 0 ? '-' : ''
  const digits = String(Math.abs(minor)).padStart(d + 1, '0')
  return d ? `${sign}${digits.slice(0, -d)}.${digits.slice(-d)}` : `${sign}${digits}`
}

/** Transactions from the bytes of a bank export, read by the engine's `readStatement`, each
 * checked as the engine will categorize it; errors name the row and column. */
function readExport(bytes) {
  const read = readStatement(bytes)
  if (!read.transactions.length) throw new Error('the file has no transactions')
  const out = read.transactions.map((t) => {
    const row = { id: `r${t.row}`, date: t.date, descriptor: t.description, amount: amountText(t.amount_minor, t.currency), currency: t.currency }
    row.tx = { id: row.id, tenant: TENANT, descriptor: row.descriptor, amount_minor: t.amount_minor, currency: t.currency, date: row.date }
    try {
      parseTransaction(row.tx)
    } catch (e) {
      throw new Error(`row ${t.row}: ${e.message}`)
    }
    return row
  })
  return { rows: out, report: read.report }
}

/** Bytes as base64 (localStorage keeps text) and back. */
function toBase64(bytes) {
  let s = ''
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000))
  return btoa(s)
}
function fromBase64(text) {
  return Uint8Array.from(atob(text), (c) => c.charCodeAt(0))
}

// ---------- persistence: change events appended, compacted into a snapshot ----------

function persist() {
  const changes = engine.drainChanges()
  if (changes.length) {
    const kept = JSON.parse(localStorage.getItem(KEY.changes) ?? '[]').concat(changes)
    if (kept.length > 200) {
      localStorage.setItem(KEY.snapshot, engine.exportSnapshot(TENANT))
      localStorage.setItem(KEY.changes, '[]')
    } else {
      localStorage.setItem(KEY.changes, JSON.stringify(kept))
    }
  }
  localStorage.setItem(KEY.confirmed, JSON.stringify(confirmed))
}

function restore() {
  const snap = localStorage.getItem(KEY.snapshot)
  if (snap) engine.importSnapshot(snap)
  engine.applyChanges(JSON.parse(localStorage.getItem(KEY.changes) ?? '[]'))
  engine.drainChanges() // replayed, already stored
  confirmed = JSON.parse(localStorage.getItem(KEY.confirmed) ?? '{}')
  const file = localStorage.getItem(KEY.file)
  const csv = localStorage.getItem(KEY.csv) // kept as text by earlier versions of the page
  if (file) rows = readExport(fromBase64(file)).rows
  else if (csv) rows = readExport(new TextEncoder().encode(csv)).rows
}

// ---------- categorize and render ----------

function shown(d) {
  if (d.decision === 'categorized') return d
  const g = d.best_guess
  return {
    category: g?.category ?? 'uncategorized',
    confidence: g?.confidence ?? 0,
    band: g?.band ?? 'low',
    source: 'llm',
    reason: `No stage was sure${g ? ` (best guess ${g.category}, from ${g.source})` : ''}: a model would be asked.`,
  }
}

/** Categorizes every row; returns the ids whose category changed. */
function categorizeAll() {
  const before = new Map([...results].map(([id, r]) => [id, r.shown.category]))
  const decisions = rows.length ? engine.categorizeBatch(rows.map((r) => r.tx)) : []
  results = new Map(rows.map((r, i) => [r.id, { decision: decisions[i], shown: shown(decisions[i]) }]))
  persist() // categorizing may learn nothing, but draining keeps the queue empty
  return rows.filter((r) => before.has(r.id) && before.get(r.id) !== results.get(r.id).shown.category).map((r) => r.id)
}

function option(value, label, selectedValue) {
  const o = document.createElement('option')
  o.value = value
  o.textContent = label
  o.selected = value === selectedValue
  return o
}

function render(changed = []) {
  const categories = engine.taxonomy(TENANT).filter((c) => c.parent)
  const body = $('rows').tBodies[0]
  body.replaceChildren()
  for (const row of rows) {
    const s = results.get(row.id).shown
    const tr = document.createElement('tr')
    tr.dataset.id = row.id
    tr.tabIndex = 0
    tr.classList.toggle('changed', changed.includes(row.id))
    tr.classList.toggle('confirmed', row.id in confirmed)
    tr.classList.toggle('selected', row.id === selected)
    const cell = (text, cls) => {
      const td = document.createElement('td')
      td.textContent = text
      if (cls) td.className = cls
      tr.append(td)
      return td
    }
    cell(row.date)
    cell(row.descriptor)
    cell(`${row.amount} ${row.currency}`, 'num')
    const sel = document.createElement('select')
    sel.setAttribute('aria-label', `Category of ${row.descriptor}`)
    sel.className = 'category'
    if (!categories.some((c) => c.id === s.category)) sel.append(option(s.category, s.category, s.category))
    for (const c of categories) sel.append(option(c.id, `${c.name} (${c.id})`, s.category))
    sel.addEventListener('change', () => correct(row, sel.value))
    const td = document.createElement('td')
    td.append(sel)
    tr.append(td)
    const band = document.createElement('span')
    band.className = `band ${s.band}`
    band.textContent = `${s.band.replace('_', ' ')} ${Math.round(s.confidence * 100)}%`
    cell('').append(band)
    cell(s.source, 'source')
    cell(s.reason, 'reason')
    const ok = document.createElement('button')
    ok.type = 'button'
    ok.textContent = '✓'
    ok.title = 'Confirm this category'
    ok.setAttribute('aria-label', `Confirm ${s.category} for ${row.descriptor}`)
    ok.addEventListener('click', (e) => { e.stopPropagation(); correct(row, s.category) })
    cell('').append(ok)
    tr.addEventListener('click', () => select(row.id))
    tr.addEventListener('keydown', (e) => { if (e.key === 'Enter' && e.target === tr) select(row.id) })
    body.append(tr)
  }
  renderRules()
  renderPrompt()
}

function correct(row, category) {
  engine.feedback(row.tx, category)
  confirmed[row.id] = category
  selected = row.id
  const changed = categorizeAll().filter((id) => id !== row.id)
  render(changed)
  status(`${row.descriptor}: ${category}. ${changed.length} similar row(s) changed with it.`)
  const again = document.querySelector(`tr[data-id="${row.id}"] select`)
  again?.focus()
}

function select(id) {
  selected = id
  for (const tr of $('rows').tBodies[0].rows) tr.classList.toggle('selected', tr.dataset.id === id)
  renderPrompt()
}

// ---------- rule suggestions ----------

function history() {
  // confirmed rows, and rows the engine now answers from what those taught it
  return rows
    .filter((r) => r.id in confirmed || (results.get(r.id)?.shown.source === 'alias'))
    .map((r) => ({ transaction: r.tx, category: confirmed[r.id] ?? results.get(r.id).shown.category }))
}

function card(text, figures, action) {
  const li = document.createElement('li')
  const code = document.createElement('code')
  code.textContent = text
  li.append(code)
  if (figures) {
    const p = document.createElement('div')
    p.className = 'figures'
    p.textContent = figures
    li.append(p)
  }
  if (action) li.append(action)
  return li
}

function renderRules() {
  const list = $('suggestions')
  list.replaceChildren()
  const found = engine.suggestRules(TENANT, history(), { min_support: 2, max_suggestions: 8 })
  for (const s of found) {
    const b = document.createElement('button')
    b.type = 'button'
    b.textContent = 'Accept'
    b.setAttribute('aria-label', `Accept rule: ${s.text}`)
    b.addEventListener('click', () => {
      engine.addRules(TENANT, [s.rule])
      const changed = categorizeAll()
      render(changed)
      status(`Rule ${s.rule.id} added.`)
    })
    const conflicts = s.conflicts ? `, ${s.conflicts} conflict(s)` : ''
    list.append(card(s.text, `support ${s.support} · precision ${s.precision.toFixed(2)} · coverage ${s.coverage.toFixed(2)} · saves ${s.new_rows} row(s)${conflicts}`, b))
  }
  if (!found.length) list.append(Object.assign(card('Correct or confirm a few rows of the same merchant to see suggestions.'), { className: 'empty' }))
  const mine = $('rules')
  mine.replaceChildren()
  for (const r of engine.rules(TENANT)) {
    const b = document.createElement('button')
    b.type = 'button'
    b.textContent = 'Remove'
    b.setAttribute('aria-label', `Remove rule ${r.id}`)
    b.addEventListener('click', () => {
      engine.removeRule(TENANT, r.id)
      render(categorizeAll())
      status(`Rule ${r.id} removed.`)
    })
    mine.append(card(Engine.ruleText(r), null, b))
  }
  if (!mine.children.length) mine.append(Object.assign(card('No rules yet.'), { className: 'empty' }))
}

// ---------- redaction ----------

function renderPrompt() {
  const r = selected && results.get(selected)
  if (!r) { $('prompt').textContent = 'Select a row.'; return }
  const d = r.decision
  $('prompt').textContent = d.decision === 'needs_llm'
    ? `${d.system}\n\n${d.prompt}`
    : `Nothing would be sent: ${d.source} answered with confidence ${Math.round(d.confidence * 100)}%.`
}

function renderTried() {
  const out = redactor.redact($('try').value)
  $('tried').textContent = `${out.text}\n\n${out.findings.map((f) => `${f.kind} (${f.detector})`).join(', ') || 'nothing found'}`
}

// ---------- wiring ----------

function status(text) { $('status').textContent = text }

function load(bytes, name) {
  let report
  try {
    ({ rows, report } = readExport(bytes))
  } catch (e) {
    status(`${name}: ${e.message}`)
    return
  }
  localStorage.setItem(KEY.file, toBase64(bytes))
  localStorage.removeItem(KEY.csv)
  results = new Map()
  selected = null
  categorizeAll()
  render()
  const counts = {}
  for (const r of results.values()) counts[r.shown.source] = (counts[r.shown.source] ?? 0) + 1
  const read = `${report.format.toUpperCase()}, ${report.encoding.value}, ${report.currency.value}${report.skipped.length ? `, ${report.skipped.length} row(s) skipped` : ''}`
  status(`${name} (${read}): ${rows.length} rows categorized (${Object.entries(counts).map(([k, v]) => `${v} ${k}`).join(', ')}).${report.warnings.length ? ` Check: ${report.warnings.join('; ')}` : ''}`)
}

async function readFile(file) { load(new Uint8Array(await file.arrayBuffer()), file.name) }

async function main() {
  await init()
  engine = new Engine()
  redactor = new Redactor()
  try {
    restore()
  } catch (e) {
    status(`Stored state was refused (${e.code ?? 'error'}: ${e.message}); starting afresh.`)
    localStorage.clear()
    engine = new Engine()
    rows = []
  }
  const drop = $('drop')
  drop.addEventListener('click', () => $('file').click())
  drop.addEventListener('keydown', (e) => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); $('file').click() } })
  drop.addEventListener('dragover', (e) => { e.preventDefault(); drop.classList.add('over') })
  drop.addEventListener('dragleave', () => drop.classList.remove('over'))
  drop.addEventListener('drop', (e) => {
    e.preventDefault()
    drop.classList.remove('over')
    const f = e.dataTransfer?.files?.[0]
    if (f) readFile(f)
  })
  $('file').addEventListener('change', (e) => { const f = e.target.files?.[0]; if (f) readFile(f) })
  $('sample').addEventListener('click', async () => load(new Uint8Array(await (await fetch('sample.csv')).arrayBuffer()), 'sample.csv'))
  $('reset').addEventListener('click', () => {
    localStorage.clear()
    engine = new Engine()
    rows = []; results = new Map(); confirmed = {}; selected = null
    render()
    status('Forgot everything.')
  })
  $('try').addEventListener('input', renderTried)
  renderTried()
  if (rows.length) {
    categorizeAll()
    render()
    status(`Restored ${rows.length} rows and what you taught (${Object.keys(confirmed).length} corrected or confirmed). Ready.`)
  } else {
    render()
    status('Ready. Drop a bank export (CSV, OFX, QFX, QIF or CAMT) or load the sample.')
  }
  document.body.dataset.ready = 'true'
}

main().catch((e) => status(`The engine failed to start: ${e.message}`))
