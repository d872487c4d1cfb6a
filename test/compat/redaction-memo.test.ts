import assert from 'node:assert/strict'
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, it} from 'node:test'
import {redact, redactText, withRedactionMemo} from '../../src/model/redact.js'
import {credentialCases} from '../fixtures/redaction/credentials.js'
import {ROOT} from '../helpers/cli.js'

// The import redacts through a memo (model/redact.ts withRedactionMemo): it must give what redaction without it
// gives, for every credential shape and every line of prose, on a miss and on a hit alike, in strings and in lists.

const PROSE = readFileSync(join(ROOT, 'test', 'fixtures', 'redaction', 'prose.txt'), 'utf8').split('\n')

describe('redaction through the import memo', () => {
  it('redacts every credential shape and leaves every line of prose exactly as redaction without a memo does', () => {
    const texts = [...credentialCases().flatMap((c) => [c.text, ...c.text.split('\n')]), ...PROSE]
    const plain = texts.map((text) => redactText(text))
    const memo = new Map<string, string>()
    const first = withRedactionMemo(memo, () => texts.map((text) => redactText(text)))
    const again = withRedactionMemo(memo, () => texts.map((text) => redactText(text)))
    assert.ok(memo.size > 100, 'the memo was used')
    assert.deepEqual(first, plain)
    assert.deepEqual(again, plain, 'a hit gives what a miss gave')
    for (const c of credentialCases()) {
      const out = withRedactionMemo(memo, () => redactText(c.text))
      for (const secret of c.secrets) assert.ok(!out.includes(secret), `${c.shape}: ${secret.slice(0, 8)}... is gone`)
    }
  })

  it('redacts a key block split over the items of a list, and an AWS key pair in two items, as without a memo', () => {
    const cases = credentialCases()
    const records = cases.map((c) => ({title: c.text, items: c.text.split('\n'), nested: {list: ['x', ...c.text.split('\n')]}}))
    const memo = new Map<string, string>()
    assert.deepEqual(
      withRedactionMemo(memo, () => records.map((r) => redact(r))),
      records.map((r) => redact(r)),
    )
    assert.deepEqual(
      withRedactionMemo(memo, () => records.map((r) => redact(r))),
      records.map((r) => redact(r)),
    )
  })

  it('is off outside the call, and after one that throws', () => {
    const memo = new Map<string, string>()
    assert.throws(() =>
      withRedactionMemo(memo, () => {
        redactText('the password is Winter2024!')
        throw new Error('boom')
      }),
    )
    const size = memo.size
    redactText('another text, redacted without the memo')
    assert.equal(memo.size, size)
  })
})
