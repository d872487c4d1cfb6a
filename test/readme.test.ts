import assert from 'node:assert/strict'
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, it} from 'node:test'
import {ERROR_CODES, EXIT_MEANING} from '../src/errors.js'
import {ROOT} from './helpers/cli.js'

const readme = readFileSync(join(ROOT, 'README.md'), 'utf8')

describe('README', () => {
  it('lists every exit code with the meaning the code gives it', () => {
    for (const [code, meaning] of Object.entries(EXIT_MEANING)) assert.ok(readme.includes(`| ${code} | ${meaning} |`), `exit code ${code}`)
  })

  it('lists every error code with its exit code and meaning, and no code the table does not have', () => {
    for (const [code, {exit, meaning}] of Object.entries(ERROR_CODES))
      assert.ok(readme.includes(`| \`${code}\` | ${exit} | ${meaning} |`), `error code ${code}`)
    const listed = [...readme.matchAll(/^\| `(E_[A-Z_]+)` \|/gm)].map((match) => match[1])
    assert.deepEqual(listed, Object.keys(ERROR_CODES))
  })

  it('says how to install and test', () => {
    assert.match(readme, /npm install/)
    assert.match(readme, /npm test/)
  })
})
