import assert from 'node:assert/strict'
import {describe, it} from 'node:test'
import {redact, redactBlock, redactText, subjectText, withoutCredentials} from '../../src/model/redact.js'
import {parseSaveContent} from '../../src/model/ledger.js'
import {parseAlternatives} from '../../src/model/trajectory.js'
import {parseOutboxFile} from '../../src/protocol/outbox.js'
import {trackingRef} from '../../src/services/sync.js'
import {commitMessage} from '../../src/store/transaction.js'
import {ALNUM, B64, DIGITS, fake, pem, UPPER, withDigit} from '../fixtures/redaction/credentials.js'

/** Fails unless none of `secrets` is in `text`. */
function assertGone(text: string, secrets: readonly string[], what = text): void {
  for (const secret of secrets) assert.ok(!text.includes(secret), `${JSON.stringify(secret)} is still in ${JSON.stringify(what)}`)
}

describe('redaction of credential shapes', () => {
  it('replaces each shape with a marker naming its kind', () => {
    const cases: [string, string][] = [
      ['key AKIAIOSFODNN7EXAMPLE here', 'key [REDACTED:aws-access-key] here'],
      [`token ghp_${'a1'.repeat(18)}`, 'token [REDACTED:github-token]'],
      [`github_pat_${'B2'.repeat(15)}`, '[REDACTED:github-token]'],
      [`sk-ant-api03-${'x1'.repeat(47)}AA`, '[REDACTED:anthropic-key]'],
      [`sk-${'Q1'.repeat(24)}`, '[REDACTED:api-key]'],
      [`xoxb-${'1'.repeat(12)}-${'2'.repeat(12)}-${'c3'.repeat(12)}`, '[REDACTED:slack-token]'],
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
      [`line\nghp_${'z9'.repeat(18)}`, 'line\n[REDACTED:github-token]'],
      ['eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U', '[REDACTED:jwt]'],
    ]
    for (const [input, expected] of cases) assert.equal(redactText(input), expected, input)
  })

  it('catches the credentials that escaped the old patterns', () => {
    const id = `AKIA${fake(16, UPPER + DIGITS)}`
    const secret = withDigit(40, B64)
    // An AWS secret access key after its key id, with no name of its own, on the same line and on the next.
    assertGone(redactText(`The CI user has key ${id} and secret ${secret} until Friday.`), [id, secret])
    assertGone(redactText(`${id}\n${secret}`), [id, secret])
    assertGone(redactText(`ci-bot,,${id},${secret}`), [id, secret])
    // A DB_PASSWORD made only of letters, in .env lines, with export, with a comment after it.
    assert.equal(redactText('DB_PASSWORD=correcthorse'), 'DB_PASSWORD=[REDACTED:secret]')
    assert.equal(redactText('export DB_PASSWORD=correcthorse'), 'export DB_PASSWORD=[REDACTED:secret]')
    assert.equal(redactText('DB_PASSWORD=correcthorse # staging'), 'DB_PASSWORD=[REDACTED:secret] # staging')
    // Short quoted JSON passwords.
    assert.equal(redactText('{"user": "admin", "password": "kiwi"}'), '{"user": "admin", "password": "[REDACTED:secret]"}')
    assert.equal(redactText('{"db": {"pass": "x1y", "passwd": "abc"}}'), '{"db": {"pass": "x1y", "passwd": "[REDACTED:secret]"}}')
    // YAML settings.
    assert.equal(redactText('  password: hunter'), '  password: [REDACTED:secret]')
    // Prose.
    assert.equal(redactText('the admin password is Winter2024!'), 'the admin password is [REDACTED:secret]')
    assert.equal(redactText('password: is hunter2'), 'password: is [REDACTED:secret]')
    assert.equal(redactText('The root password for the staging box was Tr1cky#Pass.'), 'The root password for the staging box was [REDACTED:secret].')
  })

  it('leaves code that only names a secret, placeholders, and prose about secrets alone', () => {
    for (const text of [
      'password: reset flow',
      'Implemented the password reset flow.',
      'The token bucket rate limiter refills 10 tokens per second.',
      'the secret to fast builds is caching',
      'Set DB_PASSWORD in .env before running the migrations.',
      'The `api_key` parameter is optional.',
      'token = os.environ["GITHUB_TOKEN"]',
      'client = OpenAI(api_key=api_key, timeout=30)',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a shell-style placeholder, as written in a YAML file
      'password: ${DB_PASSWORD}',
      'password: "{{ vault_db_password }}"',
      'secret: process.env.SESSION_SECRET!,',
      '{"password": null}',
      'DB_PASSWORD=',
      'id-token: write',
      'SORT_KEY=created_at',
      'Authorization: Bearer <token>',
      'The password is never logged, not even at debug level.',
      'The token is valid for 24h.',
      'sk-learn is a library',
      'Chose JWT over sessions',
      'traj_01jd2k3m4n5p6q7r8s9t0v1w2x and 550e8400-e29b-41d4-a716-446655440000',
      'sha256:5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef',
      'https://github.com/acme/widgets.git and postgres://localhost/app_test',
      'The scanner looks for -----BEGIN RSA PRIVATE KEY----- headers in staged files.',
    ]) {
      assert.equal(redactText(text), text)
    }
  })

  it('gives the same text when redacted again (markers are not credentials)', () => {
    for (const text of [
      'password=[REDACTED:secret]',
      'the admin password is [REDACTED:secret]',
      'https://u:[REDACTED:url-password]@h/r',
      'Authorization: Bearer [REDACTED:authorization]',
    ]) {
      assert.equal(redactText(text), text)
    }
  })
})

describe('redaction of key blocks', () => {
  const variants = (): [string, string, string[]][] => {
    const rsa = pem('RSA PRIVATE KEY', 4)
    const ssh = pem('OPENSSH PRIVATE KEY', 3, '  ')
    const pgp = pem('PGP PRIVATE KEY BLOCK', 3, '', '\r\n')
    const ec = pem('EC PRIVATE KEY', 2, '    ')
    const listed = pem('RSA PRIVATE KEY', 3)
    return [
      ['plain PEM', `before\n${rsa.text}\nafter`, rsa.body],
      ['OpenSSH, indented under a list item', `Key decisions:\n- key:\n${ssh.text}\n- next item`, ssh.body],
      ['PGP with CRLF line ends', `before\r\n${pgp.text}\r\nafter`, pgp.body],
      ['EC, indented four spaces in a code block', `notes\n\n${ec.text}\n\nmore notes`, ec.body],
      [
        'each line a list item',
        `Key decisions:\n${listed.text
          .split('\n')
          .map((line) => `- ${line}`)
          .join('\n')}\n- next item`,
        listed.body,
      ],
      ['inside a JSON string', JSON.stringify({note: 'x', private_key: `${rsa.text}\n`}), rsa.body],
      ["the issue's example", 'Key decisions:\n- key:\n  -----BEGIN RSA PRIVATE KEY-----\n  MIIE...\n  -----END RSA PRIVATE KEY-----\n', ['MIIE', 'END RSA']],
    ]
  }

  it('removes a key block whole, and keeps the text around it', () => {
    for (const [name, text, body] of variants()) {
      const redacted = redactText(text)
      assertGone(redacted, [...body, 'PRIVATE KEY-----'], name)
      assert.match(redacted, /\[REDACTED:private-key\]/, name)
    }
    const rsa = pem('RSA PRIVATE KEY', 2)
    assert.equal(redactText(`before\n${rsa.text}\nafter`), 'before\n[REDACTED:private-key]\nafter')
  })

  it('removes a key cut short up to the first line that is not key material', () => {
    const key = pem('RSA PRIVATE KEY', 4)
    const cut = key.text.split('\n').slice(0, 3).join('\n')
    assert.equal(redactText(`${cut}\n>>>\n->relay:a:b <<<hello>>>`), '[REDACTED:private-key]\n>>>\n->relay:a:b <<<hello>>>')
    assert.equal(redactText(`- ${cut.split('\n').join('\n- ')}\n- rotate it monthly`), '- [REDACTED:private-key]\n- rotate it monthly')
    const encrypted = `-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,${fake(32, '0123456789ABCDEF')}\n\n${key.body[0]}`
    assertGone(redactText(`${encrypted}\nNext: rotate`), ['DEK-Info', key.body[0]!])
  })

  it('removes the body of a key longer than any real one, and keeps text between a first line and an end line mentioned far apart', () => {
    const huge = pem('PGP PRIVATE KEY BLOCK', 400)
    const redacted = redactText(`before\n${huge.text}\nafter`)
    assertGone(redacted, huge.body)
    assert.match(redacted, /^before\n\[REDACTED:private-key\]\n-----END PGP PRIVATE KEY BLOCK-----\nafter$/)
    const between = 'ordinary notes\n'.repeat(2000)
    const text = `Scanners look for -----BEGIN RSA PRIVATE KEY----- headers.\n${between}and for -----END RSA PRIVATE KEY----- lines.`
    assert.equal(redactText(text), text)
  })

  it('removes a key block a parser already split into list items (redaction of records)', () => {
    for (const [name, text, body] of variants()) {
      const lines = text.split(/\r?\n/)
      const redacted = redact({agent: 'a', keyDecisions: lines, files: [{path: 'src/a.ts'}]})
      assertGone(JSON.stringify(redacted), [...body, 'PRIVATE KEY-----'], name)
      assert.deepEqual(redacted.files, [{path: 'src/a.ts'}])
    }
    assert.deepEqual(redact({keyDecisions: ['key:', '-----BEGIN RSA PRIVATE KEY-----', 'MIIE...', '-----END RSA PRIVATE KEY-----', 'Use JWT']}), {
      keyDecisions: ['key:', '[REDACTED:private-key]', 'Use JWT'],
    })
  })

  it('removes an AWS key id and its secret split into two items of a list', () => {
    const id = `AKIA${fake(16, UPPER + DIGITS)}`
    const secret = withDigit(40, B64)
    const redacted = redact({alternatives: ['keep the old user', id, secret], notes: [{label: 'n', text: secret.slice(0, 20)}]})
    assertGone(JSON.stringify(redacted.alternatives), [id, secret])
    assert.deepEqual(redacted.alternatives, ['keep the old user', '[REDACTED:aws-access-key]', '[REDACTED:aws-secret-key]'])
    assert.deepEqual(parseAlternatives(`${id},${secret}, Redis`), ['[REDACTED:aws-access-key]', '[REDACTED:aws-secret-key]', 'Redis'])
  })

  it('leaves the ledger parser nothing of a key when the save is redacted first', () => {
    const key = pem('OPENSSH PRIVATE KEY', 3, '  ')
    const save = parseSaveContent(redactText(`Key decisions:\n- deploy key:\n${key.text}\n- rotate it monthly\nNext steps: deploy`))
    assertGone(JSON.stringify(save), key.body)
    assert.deepEqual(save.nextSteps, ['deploy'])
  })
})

describe('redaction of records and agent output', () => {
  it('redacts every string inside a record, keeping the rest', () => {
    assert.deepEqual(redact({title: 'x AKIAIOSFODNN7EXAMPLE', n: 1, list: ['password=hunter22!'], nested: {ok: true}}), {
      title: 'x [REDACTED:aws-access-key]',
      n: 1,
      list: ['password=[REDACTED:secret]'],
      nested: {ok: true},
    })
  })

  it('leaves names, ids and times alone', () => {
    const agent = `ghp_${'a'.repeat(36)}`
    assert.deepEqual(redact({agent, from: agent, id: 'traj_1', title: agent}), {agent, from: agent, id: 'traj_1', title: '[REDACTED:github-token]'})
  })

  it("redacts an agent's JSON block as it arrived and reads its fields from the redacted text", () => {
    const key = pem('RSA PRIVATE KEY', 2)
    const data = {currentTask: 'deploy', completedTasks: key.text.split('\n'), context: 'db password is Hunter22!'}
    const raw = JSON.stringify(data)
    const same = <T>(value: T) => value
    const safe = redactBlock(raw, data, same)
    assertGone(safe.raw + JSON.stringify(safe.data), [...key.body, 'Hunter22!'])
    assert.equal(safe.data?.currentTask, 'deploy')
    assert.deepEqual(redactBlock('{"a": "ok"}', {a: 'ok'}, same), {raw: '{"a": "ok"}', data: {a: 'ok'}})
    // Not JSON: the raw text, and the fields one by one.
    const text = 'summary: the token is abc123def456ghi'
    assert.deepEqual(redactBlock(text, {summary: text}, same), {
      raw: 'summary: the token is [REDACTED:secret]',
      data: {summary: 'summary: the token is [REDACTED:secret]'},
    })
    // The fields are flattened before any walk: a block nested 100,000 levels deep is redacted without recursion.
    const deep = `{"currentTask": "x", "context": ${'['.repeat(100_000)}"ghp_${'a'.repeat(36)}"${']'.repeat(100_000)}}`
    const flat = (value: Record<string, unknown>) => ({currentTask: value.currentTask, context: typeof value.context === 'string' ? value.context : 'nested'})
    assert.deepEqual(redactBlock(deep, JSON.parse(deep) as Record<string, unknown>, flat).data, {currentTask: 'x', context: 'nested'})
  })

  it('redacts an outbox file before splitting it into headers and body', () => {
    const key = pem('EC PRIVATE KEY', 2)
    const command = parseOutboxFile(`KIND: continuity\r\nACTION: save\r\n\r\nKey decisions:\r\n- key:\r\n${key.text.split('\n').join('\r\n')}\r\n`)
    assert.equal(command.kind, 'continuity')
    assertGone(JSON.stringify(command), key.body)
    const message = parseOutboxFile(`TO: backend:lead\n\nuse password=Sup3r!secret for staging`)
    assert.deepEqual(message, {kind: 'message', to: 'backend:lead', thread: null, body: 'use password=[REDACTED:secret] for staging'})
  })
})

describe('redaction of commit messages', () => {
  it('quotes user text for a commit subject after redacting it', () => {
    assert.equal(subjectText(`x\nghp_${'a'.repeat(36)}`), '"x [REDACTED:github-token]"')
    assert.equal(subjectText('the admin password is Winter2024!'), '"the admin password is [REDACTED:secret]"')
  })

  it('redacts the subject and every trailer', () => {
    const token = `ghp_${withDigit(36, ALNUM)}`
    const message = commitMessage({
      subject: `decision "DB_PASSWORD=correcthorse and ${token}"`,
      trailers: [
        ['Trail-Agent', 'a'],
        ['Trail-Note', `the admin password is Winter2024! ${token}`],
      ],
    })
    assertGone(message, [token, 'correcthorse', 'Winter2024'])
    assert.match(
      message,
      /^trail: decision "DB_PASSWORD=\[REDACTED:secret\] and \[REDACTED:github-token\]"\n\nTrail-Agent: a\nTrail-Note: the admin password is \[REDACTED:secret\] \[REDACTED:github-token\]\n$/,
    )
  })
})

describe('remote URLs without credentials', () => {
  it('takes the user name and password out of every URL in a text', () => {
    const token = `ghp_${withDigit(36, ALNUM)}`
    assert.equal(withoutCredentials(`https://user:${token}@github.com/acme/repo.git`), 'https://github.com/acme/repo.git')
    assert.equal(withoutCredentials(`https://${token}@github.com/acme/repo`), 'https://github.com/acme/repo')
    assert.equal(withoutCredentials('http://user:p@ss@host:8080/r'), 'http://host:8080/r')
    assert.equal(withoutCredentials('ssh://git:hunter2@host/r.git and ssh://host/plain'), 'ssh://host/r.git and ssh://host/plain')
    assert.equal(
      withoutCredentials("fatal: unable to access 'https://u:tok@127.0.0.1:1/repo/': refused"),
      "fatal: unable to access 'https://127.0.0.1:1/repo/': refused",
    )
    for (const plain of ['origin', '../other-clone', 'git@github.com:acme/repo.git', 'https://github.com/acme/repo', '/srv/git/repo.git'])
      assert.equal(withoutCredentials(plain), plain)
  })

  it('names a tracking ref after a remote URL without its credentials', () => {
    const token = `ghp_${withDigit(36, ALNUM)}`
    assert.equal(trackingRef(`https://user:${token}@host/repo`), 'refs/trail/remotes/https-host-repo/records')
    assert.equal(trackingRef(`https://${token}@github.com/acme/repo.git`), 'refs/trail/remotes/https-github.com-acme-repo.git/records')
    assert.equal(trackingRef('http://user:pass@10.0.0.1:8080/r'), 'refs/trail/remotes/http-10.0.0.1-8080-r/records')
    assert.equal(trackingRef('ssh://user:pass@host/r'), 'refs/trail/remotes/ssh-host-r/records')
    assert.equal(trackingRef('origin'), 'refs/trail/remotes/origin/records')
    assert.equal(trackingRef('../other-clone'), 'refs/trail/remotes/other-clone/records')
  })
})
