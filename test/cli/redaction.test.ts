import assert from 'node:assert/strict'
import {mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, it} from 'node:test'
import {json, ok, runCli} from '../helpers/cli.js'
import {useRepos, type TestRepo} from '../helpers/repo.js'
import {ALNUM, B64, DIGITS, fake, HEX, pem, UPPER, withDigit} from '../fixtures/redaction/credentials.js'

// No secret reaches refs/trail/records, its commit messages or the mirror, whatever the path it came in by: a
// command's argument, stdin, ->continuity:save, [[SUMMARY]], ->relay:, an outbox file, a Claude Code transcript,
// trail's commands, relay send. Key blocks are checked line by line: no line of a key's body may survive.

const newRepo = useRepos()

function filesUnder(dir: string): string[] {
  let names: string[]
  try {
    names = readdirSync(dir)
  } catch {
    return []
  }
  return names.flatMap((name) => {
    const path = join(dir, name)
    return statSync(path).isDirectory() ? filesUnder(path) : [path]
  })
}

/** Fails if any of `secrets` is in a record on the ref, a commit message of it, or a file of the mirror. */
function assertNoSecret(repo: TestRepo, secrets: readonly string[]): void {
  assert.notEqual(repo.gitOrEmpty(['rev-parse', '--verify', '--quiet', 'refs/trail/records']).trim(), '', 'records were written')
  const found = repo.gitOrEmpty(['grep', '-n', '-F', ...secrets.flatMap((secret) => ['-e', secret]), 'refs/trail/records'])
  assert.equal(found, '', `secrets in the records:\n${found}`)
  // The same search finds what is there (so an empty answer above is not a failed search): the markers.
  assert.notEqual(repo.gitOrEmpty(['grep', '-l', '-F', '-e', '[REDACTED:', 'refs/trail/records']), '', 'the records hold markers')
  const log = repo.git(['log', '--format=%B', 'refs/trail/records'])
  for (const secret of secrets) assert.ok(!log.includes(secret), `${secret} is in a commit message:\n${log}`)
  const mirror = [...filesUnder(join(repo.dir, '.trail')), ...filesUnder(join(repo.dir, '.relay'))]
  assert.ok(mirror.length > 0, 'the mirror holds the records')
  for (const file of mirror) {
    const text = readFileSync(file, 'utf8')
    for (const secret of secrets) assert.ok(!text.includes(secret), `${secret} is in the mirror file ${file}`)
  }
}

/** The files of one folder on the ref, read. */
function records(repo: TestRepo, dir: string): string[] {
  const paths = repo.gitOrEmpty(['ls-tree', '-r', '--name-only', 'refs/trail/records', '--', dir]).split('\n').filter(Boolean)
  return paths.map((path) => repo.git(['show', `refs/trail/records:${path}`]))
}

const ghToken = () => `ghp_${withDigit(36, ALNUM)}`
const awsPair = () => ({id: `AKIA${fake(16, UPPER + DIGITS)}`, secret: withDigit(40, B64)})

describe('redaction through relay continuity save', () => {
  it('keeps no line of a private key saved on stdin, as the issue printed it', async () => {
    const repo = newRepo()
    const before = repo.userState()
    await ok(repo.dir, ['relay', 'continuity', 'save'], {
      input: 'Key decisions:\n- key:\n  -----BEGIN RSA PRIVATE KEY-----\n  MIIE...\n  -----END RSA PRIVATE KEY-----\n',
    })
    assertNoSecret(repo, ['MIIE', 'END RSA PRIVATE KEY', 'BEGIN RSA PRIVATE KEY'])
    assert.match(records(repo, '.relay/ledger/default.md')[0]!, /keyDecisions:\n {2}- "key:"\n {2}- "\[REDACTED:private-key\]"\n---/)
    repo.assertUserStateUnchanged(before)
  })

  it('keeps no secret of a save given as an argument: an indented key, .env, JSON and prose credentials', async () => {
    const repo = newRepo()
    const before = repo.userState()
    const key = pem('OPENSSH PRIVATE KEY', 4, '  ')
    const content = [
      'Current task: rotate the staging credentials',
      'Key decisions:',
      '- deploy key:',
      key.text,
      '- DB_PASSWORD=correcthorse in .env',
      '- config: {"user": "admin", "password": "kiwi"}',
      'Uncertain: whether the admin password is Winter2024! everywhere',
      'Next steps: tell ops',
    ].join('\n')
    await ok(repo.dir, ['relay', 'continuity', 'save', content])
    assertNoSecret(repo, [...key.body, 'correcthorse', '"kiwi"', 'Winter2024'])
    const ledger = records(repo, '.relay/ledger/default.md')[0]!
    assert.match(ledger, /nextSteps:\n {2}- tell ops/, 'the rest of the save is kept')
    repo.assertUserStateUnchanged(before)
  })

  it('keeps no secret of a save with --handoff, with CRLF line ends, in the ledger or the handoff', async () => {
    const repo = newRepo()
    const before = repo.userState()
    await ok(repo.dir, ['trail', 'start', 'Key rotation'])
    const key = pem('PGP PRIVATE KEY BLOCK', 4, '', '\r\n')
    const token = ghToken()
    const input = `Current task: sign releases\r\nKey decisions:\r\n${key.text}\r\n- use ${token} for the release bot\r\nNext steps: publish\r\n`
    await ok(repo.dir, ['relay', 'continuity', 'save', '--handoff'], {input})
    assertNoSecret(repo, [...key.body, token])
    assert.equal(records(repo, '.relay/ledger/handoffs').length, 1)
    repo.assertUserStateUnchanged(before)
  })

  it('keeps no secret of an item to verify, in the record or the commit subject', async () => {
    const repo = newRepo()
    const before = repo.userState()
    await ok(repo.dir, ['relay', 'continuity', 'uncertain', 'is the staging db password still Hunter22! after the rotation?'])
    assertNoSecret(repo, ['Hunter22!'])
    assert.match(repo.git(['log', '-1', '--format=%s', 'refs/trail/records']), /password still \[REDACTED:secret\]/)
    repo.assertUserStateUnchanged(before)
  })
})

describe('redaction through relay ingest', () => {
  it('keeps no secret from ->continuity:save, [[SUMMARY]], [[SESSION_END]], ->relay:, ->relay-file: and raw output', async () => {
    const repo = newRepo()
    const before = repo.userState()
    const outbox = mkdtempSync(join(tmpdir(), 'relay-outbox-'))
    try {
      mkdirSync(join(outbox, 'claude'))
      const saved = pem('RSA PRIVATE KEY', 3, '  ')
      const summarised = pem('EC PRIVATE KEY', 2)
      const filed = pem('OPENSSH PRIVATE KEY', 3)
      const [relayed, filedToken, rawToken] = [ghToken(), `glpat-${withDigit(20, ALNUM)}`, `sk_live_${withDigit(24, ALNUM)}`]
      const aws = awsPair()
      const password = `Tr0ub4dor&${fake(4, DIGITS)}`
      writeFileSync(
        join(outbox, 'claude', 'save'),
        `KIND: continuity\r\nACTION: save\r\n\r\nKey decisions:\r\n- key:\r\n${filed.text.split('\n').join('\r\n')}\r\nNext steps: deploy\r\n`,
      )
      writeFileSync(join(outbox, 'claude', 'msg'), `TO: backend:lead\n\nThe CI token is ${filedToken}; mysql://root:${password}@db/shop\n`)
      const output = [
        'Saving state.',
        '->continuity:save <<<',
        'Key decisions:',
        '- key:',
        saved.text,
        'Next steps: rotate>>>',
        '[[SUMMARY]]',
        JSON.stringify({currentTask: 'keys', completedTasks: summarised.text.split('\n'), context: `key ${aws.id} secret ${aws.secret}`}),
        '[[/SUMMARY]]',
        '[[SESSION_END]]',
        JSON.stringify({summary: 'done; the admin password is Winter2024!', completedTasks: ['DB_PASSWORD=correcthorse']}),
        '[[/SESSION_END]]',
        `->relay:backend:lead <<<use ${relayed} for the bot>>>`,
        '->relay-file:save',
        '->relay-file:msg',
        '->relay:backend:lead <<<',
        `never closed, with ${rawToken}`,
      ].join('\n')
      const result = await runCli(repo.dir, ['relay', 'ingest', '--outbox', outbox], {input: output, env: {AGENT_RELAY_NAME: 'claude'}})
      assert.equal(result.code, 0, result.stderr)
      assertNoSecret(repo, [
        ...saved.body,
        ...summarised.body,
        ...filed.body,
        relayed,
        filedToken,
        rawToken,
        aws.id,
        aws.secret,
        password,
        'Winter2024',
        'correcthorse',
      ])
      assert.equal(records(repo, '.relay/ledger/summaries/claude').length, 1)
      assert.equal(records(repo, '.relay/ledger/sessions/claude').length, 1)
      assert.equal(records(repo, '.relay/ledger/raw/claude').length, 1)
      assert.equal(records(repo, '.relay/messages').length, 2)
      assert.deepEqual(readdirSync(join(outbox, 'claude')), [], 'the outbox files were carried out')
      repo.assertUserStateUnchanged(before)
    } finally {
      rmSync(outbox, {recursive: true, force: true})
    }
  })

  it('keeps no secret from a Claude Code transcript', async () => {
    const repo = newRepo()
    const before = repo.userState()
    const transcript = join(repo.dir, '..', `transcript-redaction-${process.pid}-${Date.now()}.jsonl`)
    try {
      const key = pem('RSA PRIVATE KEY', 3, '    ')
      const token = ghToken()
      const text = `Saving.\n->continuity:save <<<\nKey decisions:\n- key:\n${key.text}\n- bot token ${token}\nNext steps: ship>>>\n[[SUMMARY]]{"currentTask": "ship", "context": "password: is hunter2"}[[/SUMMARY]]`
      const line = (type: string, content: unknown) => `${JSON.stringify({type, message: {role: type, content}})}\n`
      writeFileSync(transcript, line('user', 'save please') + line('assistant', [{type: 'text', text}]))
      await ok(repo.dir, ['relay', 'ingest', '--format', 'claude-jsonl', transcript])
      assertNoSecret(repo, [...key.body, token, 'hunter2'])
      assert.match(records(repo, '.relay/ledger/default.md')[0]!, /nextSteps:\n {2}- ship/)
      repo.assertUserStateUnchanged(before)
    } finally {
      rmSync(transcript, {force: true})
    }
  })
})

describe('redaction through trail and relay send', () => {
  it('keeps no secret of trail start, decision and complete in the records or the commit messages', async () => {
    const repo = newRepo()
    const before = repo.userState()
    const token = ghToken()
    const aws = awsPair()
    const key = pem('RSA PRIVATE KEY', 3)
    const dbPassword = withDigit(16, ALNUM)
    await ok(repo.dir, ['trail', 'start', `Rotate ${token}: the admin password is Winter2024!`, '--url', `https://ci:${dbPassword}@ci.acme.dev/job/1`])
    await ok(repo.dir, [
      'trail',
      'decision',
      `Move DB_PASSWORD=correcthorse to Vault`,
      '--reasoning',
      `the old deploy key was\n${key.text}\nand the pair ${aws.id} ${aws.secret}`,
      '--alternatives',
      `postgres://app:${dbPassword}@db/orders, {"password": "kiwi"}`,
    ])
    await ok(repo.dir, [
      'trail',
      'complete',
      '--summary',
      `Rotated; Authorization: Bearer ${token}`,
      '--learnings',
      'password: is hunter2',
      '--challenges',
      `curl -u admin:${dbPassword} was in the runbook`,
    ])
    assertNoSecret(repo, [token, 'Winter2024', dbPassword, 'correcthorse', ...key.body, aws.id, aws.secret, '"kiwi"', 'hunter2'])
    const subjects = repo.git(['log', '--format=%s', 'refs/trail/records'])
    assert.match(subjects, /start traj_\w+ "Rotate \[REDACTED:github-token\]: the admin password is \[RE/)
    assert.match(subjects, /decision "Move DB_PASSWORD=\[REDACTED:secret\] to Vault"/)
    repo.assertUserStateUnchanged(before)
  })

  it('keeps no secret of relay send', async () => {
    const repo = newRepo()
    const before = repo.userState()
    const token = `xoxb-${fake(12, DIGITS)}-${fake(12, DIGITS)}-${withDigit(24, ALNUM)}`
    const key = pem('EC PRIVATE KEY', 2, '  ')
    const sent = await json<{id: string}>(repo.dir, [
      'relay',
      'send',
      'backend:lead',
      `Slack bot: ${token}\nSSH key:\n${key.text}\nSENDGRID=SG.${withDigit(22, ALNUM)}.${withDigit(43, ALNUM)}`,
    ])
    assert.match(sent.id, /^msg_/)
    assertNoSecret(repo, [token, ...key.body, 'SG.'])
    repo.assertUserStateUnchanged(before)
  })
})

describe('redaction of remote URLs', () => {
  it('trail sync with credentials in the URL prints no token and makes no ref from it', async () => {
    const repo = newRepo()
    await ok(repo.dir, ['trail', 'start', 'Sync me'])
    const before = repo.userState()
    const token = ghToken()
    const password = withDigit(14, HEX)
    for (const url of [`https://user:${token}@127.0.0.1:1/repo`, `http://user:${password}@127.0.0.1:1/repo`, `https://${token}@127.0.0.1:1/repo.git`]) {
      for (const args of [
        ['trail', 'sync', url],
        ['trail', 'sync', url, '--json'],
      ] as const) {
        const result = await runCli(repo.dir, [...args])
        assert.notEqual(result.code, 0, 'nothing listens on port 1')
        const printed = result.stdout + result.stderr
        assert.ok(!printed.includes(token) && !printed.includes(password), `the credential is printed:\n${printed}`)
        assert.match(printed, /127\.0\.0\.1:1\/repo/, 'the remote is named, without its credentials')
      }
    }
    const refs = repo.git(['for-each-ref', '--format=%(refname)'])
    assert.ok(!refs.includes(token) && !refs.includes(password) && !refs.includes('user'), refs)
    const logs = filesUnder(join(repo.dir, '.git', 'logs'))
      .map((file) => readFileSync(file, 'utf8'))
      .join('\n')
    assert.ok(!logs.includes(token) && !logs.includes(password), 'no reflog holds the credential')
    repo.assertUserStateUnchanged(before)
  })
})
