// The README's JavaScript example runs as written (against the nodejs build).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import fs from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const here = path.dirname(fileURLToPath(import.meta.url))

test('README example', () => {
  const text = fs.readFileSync(path.join(here, '..', 'README.md'), 'utf8')
  const blocks = [...text.matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1])
  assert.ok(blocks.length > 0)
  const req = createRequire(path.join(here, '..', 'pkg', 'node', 'xspense_wasm.js'))
  const failures = []
  const consoleLike = { assert: (ok, ...msg) => { if (!ok) failures.push(msg.join(' ') || 'assertion') } }
  for (const code of blocks) {
    new Function('require', 'console', code)((name) => req(name === 'xspense-wasm' ? './xspense_wasm.js' : name), consoleLike)
  }
  assert.deepEqual(failures, [])
})
