import assert from 'node:assert/strict'
import {describe, it} from 'node:test'
import {redact, redactText, subjectText} from '../../src/model/redact.js'

describe('redaction', () => {
  it('replaces common credential shapes', () => {
    const cases: [string, string][] = [
      ['key AKIAIOSFODNN7EXAMPLE here', 'key [REDACTED:aws-access-key] here'],
      [`token ghp_${'a'.repeat(36)}`, 'token [REDACTED:github-token]'],
      [`github_pat_${'B'.repeat(30)}`, '[REDACTED:github-token]'],
      [`sk-ant-${'x'.repeat(30)}`, '[REDACTED:api-key]'],
      [`sk-${'Q'.repeat(40)}`, '[REDACTED:api-key]'],
      [`xoxb-${'1'.repeat(20)}`, '[REDACTED:slack-token]'],
      [`AIza${'c'.repeat(35)}`, '[REDACTED:google-api-key]'],
      ['Authorization: Bearer abcdefghijklmnop', 'Authorization: Bearer [REDACTED:authorization]'],
      ['https://user:hunter2secret@example.com/repo.git', 'https://user:[REDACTED:url-password]@example.com/repo.git'],
      ['password=s3cretValue!', 'password=[REDACTED:secret]'],
      ['api_key: "abc123def456"', 'api_key: "[REDACTED:secret]"'],
      ['-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY-----', '[REDACTED:private-key]'],
      ['DB_PASSWORD=hunter2xyz9', 'DB_PASSWORD=[REDACTED:secret]'],
      ['AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', 'AWS_SECRET_ACCESS_KEY=[REDACTED:secret]'],
      ['{"password":"hunter2!x"}', '{"password":"[REDACTED:secret]"}'],
      ['GITHUB_TOKEN=abcdef1234567', 'GITHUB_TOKEN=[REDACTED:secret]'],
      ['-----BEGIN PGP PRIVATE KEY BLOCK-----\nabc\n-----END PGP PRIVATE KEY BLOCK-----', '[REDACTED:private-key]'],
      [`line\nghp_${'z'.repeat(36)}`, 'line\n[REDACTED:github-token]'],
      ['eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U', '[REDACTED:jwt]'],
    ]
    for (const [input, expected] of cases) assert.equal(redactText(input), expected, input)
  })

  it('leaves ordinary prose alone', () => {
    for (const text of ['password: reset flow', 'Chose JWT over sessions', 'the api key rotation is manual', 'sk-learn is a library', 'secret=short']) {
      assert.equal(redactText(text), text)
    }
  })

  it('quotes user text for a commit subject after redacting it', () => {
    assert.equal(subjectText(`x\nghp_${'a'.repeat(36)}`), '"x [REDACTED:github-token]"')
  })

  it('leaves names, ids and times alone', () => {
    const agent = `ghp_${'a'.repeat(36)}`
    assert.deepEqual(redact({agent, from: agent, id: 'traj_1', title: agent}), {agent, from: agent, id: 'traj_1', title: '[REDACTED:github-token]'})
  })

  it('redacts every string inside a record, keeping the rest', () => {
    assert.deepEqual(redact({title: 'x AKIAIOSFODNN7EXAMPLE', n: 1, list: ['password=hunter22!'], nested: {ok: true}}), {
      title: 'x [REDACTED:aws-access-key]',
      n: 1,
      list: ['password=[REDACTED:secret]'],
      nested: {ok: true},
    })
  })
})
