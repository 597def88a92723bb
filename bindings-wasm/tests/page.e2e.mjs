// End-to-end test of the demo page in headless Chromium (Debian's /usr/bin/chromium driven by
// playwright-core), served from 127.0.0.1: drop a CSV with a bad amount and see it refused (the
// engine's readStatement names the row and column), drop an OFX statement and see its rows, drop
// the sample CSV, see categories, correct a row and watch similar rows follow, accept a
// suggested rule, check the redaction panel, reload and find what was taught kept. Saves a
// screenshot to wasm-e2e/page.png under cargo's target folder ($CARGO_TARGET_DIR, else target/
// at the repository root).
import assert from 'node:assert/strict'
import { createServer } from 'node:http'
import { mkdirSync, readFileSync, existsSync, statSync } from 'node:fs'
import { dirname, extname, join, normalize } from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium } from 'playwright-core'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const shots = join(process.env.CARGO_TARGET_DIR || join(root, '..', 'target'), 'wasm-e2e')
const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.wasm': 'application/wasm', '.csv': 'text/csv', '.json': 'application/json' }

const server = createServer((req, res) => {
  const path = normalize(decodeURIComponent(new URL(req.url, 'http://x').pathname)).replace(/^(\.\.[/\\])+/, '')
  const file = join(root, path)
  if (!file.startsWith(root) || !existsSync(file) || statSync(file).isDirectory()) {
    res.writeHead(404).end('not found')
    return
  }
  res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(readFileSync(file))
})
await new Promise((ok) => server.listen(0, '127.0.0.1', ok))
const origin = `http://127.0.0.1:${server.address().port}`

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
    '--disable-sync', '--no-first-run', '--disable-quic'],
})
const failures = []
try {
  const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } })
  const page = await context.newPage()
  const requests = []
  page.on('request', (r) => requests.push(r.url()))
  page.on('pageerror', (e) => failures.push(`page error: ${e.message}`))
  page.on('console', (m) => { if (m.type() === 'error') failures.push(`console: ${m.text()}`) })

  const ready = async () => {
    await page.goto(`${origin}/www/index.html`)
    await page.waitForSelector('body[data-ready="true"]', { timeout: 30_000 })
  }
  await ready()
  assert.match(await page.textContent('#privacy'), /stays in this browser/)

  const drop = (text, name, type = 'text/csv') => page.evaluate(([t, n, ty]) => {
    const dt = new DataTransfer()
    dt.items.add(new File([t], n, { type: ty }))
    document.getElementById('drop').dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }))
  }, [text, name, type])

  // An export with an amount the engine cannot read is refused whole, naming the row and column.
  await drop('Date,Description,Amount\n2026-11-01,TESCO,-4.75\n2026-11-02,ALDI,4.755\n', 'bad.csv')
  await page.waitForFunction(() => /^bad\.csv:/.test(document.getElementById('status').textContent))
  assert.match(await page.textContent('#status'), /^bad\.csv: .*row 3, column "Amount": .*more than 2 decimals/)
  assert.equal(await page.locator('#rows tbody tr').count(), 0)

  // A non-CSV export: the OFX statement of the shared vectors, read by readStatement in the page.
  const vectors = JSON.parse(readFileSync(join(root, '..', 'core', 'tests', 'vectors', 'statements.json'), 'utf8'))
  const ofx = vectors.find((c) => c.expect?.report.format === 'ofx')
  await drop(ofx.text, 'statement.ofx', 'application/x-ofx')
  await page.waitForFunction(() => /^statement\.ofx/.test(document.getElementById('status').textContent))
  assert.match(await page.textContent('#status'), /^statement\.ofx \(OFX, utf-8, GBP\): 2 rows categorized/)
  assert.equal(await page.locator('#rows tbody tr').count(), ofx.expect.transactions.length)
  const ofxRow = page.locator('#rows tbody tr', { hasText: 'PRET A MANGER' })
  assert.equal(await ofxRow.locator('td.num').textContent(), '-4.35 GBP')
  assert.equal(await page.locator('#rows tbody tr', { hasText: 'PG&E REFUND' }).count(), 1)

  // Drop the sample CSV onto the drop zone.
  const csv = readFileSync(join(root, 'www', 'sample.csv'), 'utf8')
  const rowsInCsv = csv.trim().split('\n').length - 1
  await drop(csv, 'sample.csv')
  await page.waitForFunction((n) => document.querySelectorAll('#rows tbody tr').length === n, rowsInCsv)
  const category = (text) => page.locator('#rows tbody tr', { hasText: text }).first().locator('select').inputValue()
  assert.equal(await category('STARBUCKS'), 'food.coffee')
  assert.equal(await category('NETFLIX'), 'entertainment.streaming')
  assert.match(await page.textContent('#status'), new RegExp(`${rowsInCsv} rows categorized`))

  // Correct one Kalomi Tashi row with the keyboard; the other Kalomi rows follow.
  const kalomi = page.locator('#rows tbody tr', { hasText: 'KALOMI' })
  assert.equal(await kalomi.count(), 4)
  const first = kalomi.first().locator('select')
  await first.focus()
  await first.selectOption('food.bars')
  await page.waitForFunction(() => /similar row/.test(document.getElementById('status').textContent))
  for (let i = 0; i < 4; i++) assert.equal(await kalomi.nth(i).locator('select').inputValue(), 'food.bars', `kalomi row ${i}`)
  assert.match(await page.textContent('#status'), /[1-9] similar row\(s\) changed/)
  assert.equal(await kalomi.nth(1).locator('td.source').textContent(), 'alias')

  // A rule is suggested from what was taught; accept it with the keyboard.
  const accept = page.getByRole('button', { name: /Accept rule: .*kalomi tashi.*food\.bars/ })
  await accept.focus()
  await page.keyboard.press('Enter')
  await page.waitForFunction(() => /added/.test(document.getElementById('status').textContent))
  assert.match(await page.textContent('#rules'), /suggested-kalomi-tashi/)
  assert.equal(await kalomi.nth(2).locator('td.source').textContent(), 'rule')

  // The redaction panel: the refund row needs a model; its prompt carries no card or email.
  await page.locator('#rows tbody tr', { hasText: 'REFUND TO CARD' }).click()
  const prompt = await page.textContent('#prompt')
  assert.match(prompt, /\[CARD\]/)
  assert.doesNotMatch(prompt, /4111 1111 1111 1111|ANA@EXAMPLE\.COM/i)
  assert.doesNotMatch(await page.textContent('#tried'), /4111 1111 1111 1111|sk_live_/)

  // Reload: the correction, the confirmation mark and the accepted rule are kept.
  await ready()
  await page.waitForFunction((n) => document.querySelectorAll('#rows tbody tr').length === n, rowsInCsv)
  assert.match(await page.textContent('#status'), /Restored/)
  for (let i = 0; i < 4; i++) assert.equal(await kalomi.nth(i).locator('select').inputValue(), 'food.bars', `after reload ${i}`)
  assert.ok(await kalomi.first().evaluate((tr) => tr.closest('tr').classList.contains('confirmed')))
  assert.match(await page.textContent('#rules'), /suggested-kalomi-tashi/)
  await page.locator('#rows tbody tr', { hasText: 'KALOMI' }).first().click()

  mkdirSync(shots, { recursive: true })
  await page.screenshot({ path: join(shots, 'page.png'), fullPage: true })

  // Nothing left 127.0.0.1.
  const outside = requests.filter((u) => !u.startsWith(origin))
  assert.deepEqual(outside, [], 'requests outside the page origin')
  assert.deepEqual(failures, [])
  console.log(`page e2e: ok (${requests.length} requests, all to ${origin}); screenshot ${join(shots, 'page.png')}`)
} finally {
  await browser.close()
  server.close()
}
