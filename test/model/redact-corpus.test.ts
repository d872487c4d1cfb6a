import assert from 'node:assert/strict'
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, it} from 'node:test'
import {redactText} from '../../src/model/redact.js'
import {credentialCases} from '../fixtures/redaction/credentials.js'
import {ROOT} from '../helpers/cli.js'

// The redaction corpus: how many credential shapes redaction catches, and how many lines of ordinary engineering
// prose it changes. Goal: every shape, and at most 1% of the prose.

/** The prose lines of test/fixtures/redaction/prose.txt: not blank, not a "# " comment of the file. */
export function proseLines(): string[] {
  return readFileSync(join(ROOT, 'test', 'fixtures', 'redaction', 'prose.txt'), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '' && !line.startsWith('# '))
}

const percent = (part: number, whole: number) => `${((100 * part) / whole).toFixed(1).replace(/\.0$/, '')}%`

describe('redaction corpus', () => {
  it('catches every credential shape and changes at most 1% of ordinary prose', (t) => {
    const cases = credentialCases()
    const missed = cases.filter(({text, secrets}) => {
      const redacted = redactText(text)
      return secrets.some((secret) => redacted.includes(secret)) || !redacted.includes('[REDACTED:')
    })
    const prose = proseLines()
    const changed = prose.filter((line) => redactText(line) !== line)
    const caught = cases.length - missed.length
    const report = `redaction: caught ${caught}/${cases.length} credential shapes (${percent(caught, cases.length)}), changed ${changed.length}/${prose.length} prose lines (${percent(changed.length, prose.length)})`
    console.log(report)
    t.diagnostic(report)
    for (const line of changed) t.diagnostic(`changed: ${line} → ${redactText(line)}`)

    assert.ok(cases.length >= 40, `the corpus has ${cases.length} credential cases; it needs at least 40`)
    assert.ok(new Set(cases.map((c) => c.shape)).size === cases.length, 'each credential case names its own shape')
    assert.ok(prose.length >= 250, `the corpus has ${prose.length} prose lines; it needs at least 250`)
    assert.deepEqual(
      missed.map(({shape, text}) => `${shape}: ${redactText(text)}`),
      [],
      'credential shapes that came through',
    )
    assert.ok(
      changed.length <= prose.length / 100,
      `${changed.length} prose lines changed:\n${changed.map((line) => `  ${line}\n  → ${redactText(line)}`).join('\n')}`,
    )
  })

  it('holds each credential in its case text, so a miss cannot pass for a catch', () => {
    for (const {shape, text, secrets} of credentialCases()) {
      assert.ok(secrets.length > 0, shape)
      for (const secret of secrets) assert.ok(secret.length >= 3 && text.includes(secret), `${shape}: ${secret}`)
    }
  })

  it('gives the same text when redacted twice', () => {
    for (const {shape, text} of credentialCases()) {
      const once = redactText(text)
      assert.equal(redactText(once), once, shape)
    }
  })
})
