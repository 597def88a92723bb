// The JavaScript examples of this package's README and of the repository's README run as
// written (against this build).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import fs from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const here = path.dirname(fileURLToPath(import.meta.url))

const readmes = { package: path.join(here, '..', 'README.md'), repository: path.join(here, '..', '..', 'README.md') }

for (const [which, file] of Object.entries(readmes)) test(`${which} README example`, () => {
  const text = fs.readFileSync(file, 'utf8')
  const blocks = [...text.matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1])
  assert.ok(blocks.length > 0)
  const req = createRequire(path.join(here, '..', 'index.js'))
  const failures = []
  const consoleLike = { assert: (ok, ...msg) => { if (!ok) failures.push(msg.join(' ') || 'assertion') } }
  for (const code of blocks) {
    new Function('require', 'console', code)((name) => req(name === 'xspense' ? './index.js' : name), consoleLike)
  }
  assert.deepEqual(failures, [])
})
