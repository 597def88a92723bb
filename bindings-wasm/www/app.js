// The demo page: a CSV bank export categorized by the xspense engine running as WebAssembly in
// this page. State is kept in localStorage through the engine's change events and snapshots.
import init, { Engine, Redactor, parseTransaction } from '../pkg/web/xspense_wasm.js'

const TENANT = 'me'
const KEY = { csv: 'xspense.csv', snapshot: 'xspense.snapshot', changes: 'xspense.changes', confirmed: 'xspense.confirmed' }
const $ = (id) => document.getElementById(id)

let engine
let redactor
let rows = [] // {id, date, descriptor, amount, tx}
let results = new Map() // id -> {decision, shown}
let confirmed = {} // id -> category a person chose or confirmed
let selected = null

// ---------- CSV ----------

/** RFC 4180 fields: quotes, doubled quotes, commas and newlines inside quotes. */
function parseCsv(text) {
  const out = []
  let row = []
  let field = ''
  let quoted = false
  for (let i = 0; i < text.length; i++) {
    const c = text[i]
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i++ } else if (c === '"') quoted = false
      else field += c
    } else if (c === '"') quoted = true
    else if (c === ',') { row.push(field); field = '' }
    else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++
      row.push(field); field = ''
      if (row.some((f) => f.trim() !== '')) out.push(row)
      row = []
    } else field += c
  }
  row.push(field)
  if (row.some((f) => f.trim() !== '')) out.push(row)
  return out
}

function findColumn(header, pattern) {
  return header.findIndex((h) => pattern.test(h.trim()))
}

/** `YYYY-MM-DD` from ISO, `MM/DD/YYYY` or (when the first part is over 12) `DD/MM/YYYY`. */
function isoDate(text, line) {
  const t = text.trim()
  let m = /^(\d{4})-(\d{2})-(\d{2})/.exec(t)
  if (m) return `${m[1]}-${m[2]}-${m[3]}`
  m = /^(\d{1,2})[/.](\d{1,2})[/.](\d{2,4})$/.exec(t)
  if (m) {
    let [a, b, y] = [Number(m[1]), Number(m[2]), m[3]]
    if (y.length === 2) y = `20${y}`
    const [mo, d] = a > 12 ? [b, a] : [a, b]
    return `${y}-${String(mo).padStart(2, '0')}-${String(d).padStart(2, '0')}`
  }
  throw new Error(`line ${line}: cannot read the date ${JSON.stringify(text)}`)
}

/** Transactions from a bank export, each checked as the engine will read it; errors name the line. */
function readExport(text) {
  const table = parseCsv(text.replace(/^\uFEFF/, ''))
  if (table.length < 2) throw new Error('the file has no rows under its header')
  const header = table[0]
  const col = {
    date: findColumn(header, /date|posted/i),
    desc: findColumn(header, /desc|details|memo|narrative|payee|name/i),
    amount: findColumn(header, /^amount|value/i),
    debit: findColumn(header, /debit|withdraw|paid out/i),
    credit: findColumn(header, /credit|deposit|paid in/i),
  }
  if (col.date < 0 || col.desc < 0) throw new Error('no date or description column in the header')
  if (col.amount < 0 && (col.debit < 0 || col.credit < 0)) throw new Error('no amount (or debit and credit) column')
  return table.slice(1).map((cells, i) => {
    const line = i + 2
    let amount
    if (col.amount >= 0) amount = cells[col.amount]?.trim()
    else amount = cells[col.debit]?.trim() ? `-${cells[col.debit].trim().replace(/^-/, '')}` : cells[col.credit]?.trim()
    if (!amount) throw new Error(`line ${line}: no amount`)
    const row = { id: `r${line}`, date: isoDate(cells[col.date] ?? '', line), descriptor: (cells[col.desc] ?? '').trim(), amount }
    row.tx = { id: row.id, tenant: TENANT, descriptor: row.descriptor, amount: row.amount, date: row.date }
    try {
      parseTransaction(row.tx)
    } catch (e) {
      throw new Error(`line ${line}: ${e.message}`)
    }
    return row
  })
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
  const csv = localStorage.getItem(KEY.csv)
  if (csv) rows = readExport(csv)
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
    cell(row.amount, 'num')
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

function load(text, name) {
  try {
    rows = readExport(text)
  } catch (e) {
    status(`${name}: ${e.message}`)
    return
  }
  localStorage.setItem(KEY.csv, text)
  results = new Map()
  selected = null
  categorizeAll()
  render()
  const counts = {}
  for (const r of results.values()) counts[r.shown.source] = (counts[r.shown.source] ?? 0) + 1
  status(`${name}: ${rows.length} rows categorized (${Object.entries(counts).map(([k, v]) => `${v} ${k}`).join(', ')}).`)
}

async function readFile(file) { load(await file.text(), file.name) }

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
  $('sample').addEventListener('click', async () => load(await (await fetch('sample.csv')).text(), 'sample.csv'))
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
    status('Ready. Drop a CSV export or load the sample.')
  }
  document.body.dataset.ready = 'true'
}

main().catch((e) => status(`The engine failed to start: ${e.message}`))
