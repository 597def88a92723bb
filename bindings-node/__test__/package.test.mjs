// `npm pack`, then `npm install` of the tarball into an empty folder, then use it from both
// module systems, as a user would.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const pkg = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')

test('the packed tarball installs and works from require and import', { timeout: 180_000 }, () => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'xspense-pack-'))
  const packed = JSON.parse(execFileSync('npm', ['pack', '--json', '--pack-destination', out], { cwd: pkg, encoding: 'utf8' }))
  const files = packed[0].files.map((f) => f.path)
  for (const f of ['index.js', 'index.mjs', 'index.d.ts', 'README.md']) assert.ok(files.includes(f), `${f} is packed`)
  assert.ok(files.some((f) => f.endsWith('.node')), 'the native library is packed')
  assert.ok(!files.some((f) => f.startsWith('src/') || f.startsWith('__test__/')), 'no sources or tests')
  const app = fs.mkdtempSync(path.join(os.tmpdir(), 'xspense-app-'))
  fs.writeFileSync(path.join(app, 'package.json'), '{"name": "app", "private": true}')
  execFileSync('npm', ['install', '--no-audit', '--no-fund', path.join(out, packed[0].filename)], { cwd: app, stdio: 'pipe' })
  const script = `
    const { Engine } = require('xspense')
    const d = new Engine().categorize({ descriptor: 'SQ *BLUE BOTTLE 0042 OAKLAND CA', amount: '-4.75', date: '2026-11-02' })
    import('xspense').then((m) => { console.log(d.category, typeof m.Redactor) })
  `
  const printed = execFileSync(process.execPath, ['-e', script], { cwd: app, encoding: 'utf8' })
  assert.equal(printed.trim(), 'food.coffee function')
})
