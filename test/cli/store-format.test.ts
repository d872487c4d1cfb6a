import assert from 'node:assert/strict'
import {describe, it} from 'node:test'
import {runCli, ok, type BIN} from '../helpers/cli.js'
import {commitOnRef, useRepos, type TestRepo} from '../helpers/repo.js'
import {startMcp} from '../mcp/mcp-client.js'

// The store's format (.trail/format.yaml, `format: 1`) is checked on every read: a store written in a newer format
// is refused by every command, on the fast path and through oclif, by the MCP server and the dashboard, and is
// never adopted, fast-forwarded to nor merged from a remote. The refusal names the version to install.

const newRepo = useRepos()
const REF = 'refs/trail/records'

/** A store with a trajectory, a decision and a ledger, then moved to `format` as a newer version would leave it. */
async function futureStore(formatYaml: string): Promise<{repo: TestRepo; id: string}> {
  const repo = newRepo()
  await ok(repo.dir, ['trail', 'start', 'Written by an older version'])
  await ok(repo.dir, ['trail', 'decision', 'Chose X', '--reasoning', 'because'])
  await ok(repo.dir, ['relay', 'continuity', 'save', '## Goal\nShip it\n'])
  const id = /traj_\w+/.exec(repo.git(['ls-tree', '-r', '--name-only', REF]))![0]
  commitOnRef(repo, REF, [{path: '.trail/format.yaml', content: formatYaml}], 'a newer version')
  return {repo, id}
}

const REFUSED_040 = {
  line: 'error: this store has format 2, which relay-trail 0.4.0 and newer read; this version of relay-trail reads format 1',
  hint: 'hint: install relay-trail 0.4.0 or newer: npm install -g relay-trail@0.4.0',
}

/** Runs the command and proves the refusal: exit 5, the two lines, the ref and the user's files unchanged. */
async function refused(repo: TestRepo, argv: [keyof typeof BIN, ...string[]], expected: {line: string; hint: string}, input?: string): Promise<void> {
  const tip = repo.git(['rev-parse', REF]).trim()
  const before = repo.userState()
  const result = await runCli(repo.dir, argv, input === undefined ? {} : {input})
  assert.equal(result.stderr, `${expected.line}\n${expected.hint}\n`, argv.join(' '))
  assert.equal(result.code, 5, argv.join(' '))
  assert.equal(result.stdout, '', argv.join(' '))
  assert.equal(repo.git(['rev-parse', REF]).trim(), tip, `${argv.join(' ')} left the ref alone`)
  repo.assertUserStateUnchanged(before)
}

describe('a store in a newer format', () => {
  it('is refused by every reading command, naming the version to install', async () => {
    const {repo, id} = await futureStore('format: 2\nminVersion: 0.4.0\n')
    const reads: [keyof typeof BIN, ...string[]][] = [
      ['trail', 'status'], // the fast path
      ['trail', 'list'],
      ['trail', 'show', id],
      ['trail', 'export', id, '--format', 'json'],
      ['trail', 'why', 'src/app.js'],
      ['trail', 'review', 'HEAD~0..HEAD'],
      ['trail', 'doctor'],
      ['relay', 'continuity', 'load'], // the fast path
      ['relay', 'continuity', 'search', 'Ship'],
      ['relay', 'search', 'Ship'],
      ['relay', 'inbox'],
      ['relay', 'thread', 'thr_1'],
      ['relay', 'project'],
      ['relay', 'dashboard', '--port', '0'],
    ]
    for (const argv of reads) await refused(repo, argv, REFUSED_040)
  })

  it('is refused by every writing command, and nothing is written', async () => {
    const {repo} = await futureStore('format: 2\nminVersion: 0.4.0\n')
    const writes: [keyof typeof BIN, ...string[]][] = [
      ['trail', 'decision', 'Another'], // the fast path
      ['trail', 'event', 'observed'],
      ['trail', 'phase', 'review'],
      ['trail', 'reflect', 'halfway'],
      ['trail', 'complete', '--summary', 'done', '--confidence', '0.8'],
      ['trail', 'abandon'],
      ['trail', 'start', 'A second one', '--agent', 'other'],
      ['trail', 'init'],
      ['relay', 'continuity', 'save', '## Goal\nmore\n'], // the fast path
      ['relay', 'send', 'bob', 'hello'],
      ['relay', 'project', '--lead', 'bob'],
    ]
    for (const argv of writes) await refused(repo, argv, REFUSED_040)
  })

  it('names the newest version when the store names none, or names something that is no version', async () => {
    const latest = {
      line: 'error: this store has format 2; this version of relay-trail reads format 1',
      hint: 'hint: install the newest relay-trail: npm install -g relay-trail@latest',
    }
    for (const yaml of ['format: 2\n', 'format: 2\nminVersion: "0.4.0; rm -rf ~"\n', 'format: 2\nminVersion: [0, 4]\n']) {
      const {repo} = await futureStore(yaml)
      await refused(repo, ['trail', 'status'], latest)
      await refused(repo, ['trail', 'start', 'New', '--agent', 'other'], latest)
    }
    const {repo} = await futureStore('format: two\n')
    await refused(repo, ['trail', 'list'], {
      line: 'error: this store has a format this version does not know (in .trail/format.yaml); this version of relay-trail reads format 1',
      hint: 'hint: install the newest relay-trail: npm install -g relay-trail@latest',
    })
  })

  it('relay mcp: every tool answers with the refusal, and nothing is written', async () => {
    const {repo} = await futureStore('format: 2\nminVersion: 0.4.0\n')
    const tip = repo.git(['rev-parse', REF]).trim()
    const mcp = await startMcp({cwd: repo.dir})
    try {
      for (const [tool, args] of [
        ['trail_status', {}],
        ['relay_continuity_load', {}],
        ['trail_decision', {title: 'From MCP'}],
      ] as const) {
        assert.match(
          await mcp.fails(tool, args),
          /this store has format 2, which relay-trail 0\.4\.0 and newer read[\s\S]*npm install -g relay-trail@0\.4\.0/,
          tool,
        )
      }
    } finally {
      await mcp.close()
    }
    assert.equal(repo.git(['rev-parse', REF]).trim(), tip)
  })

  it('trail sync neither merges, fast-forwards to nor adopts a remote store in a newer format', async () => {
    const {repo: remote} = await futureStore('format: 2\nminVersion: 0.4.0\n')
    const theirs = remote.git(['rev-parse', REF]).trim()
    const refusal = {
      line: 'error: the store of origin has format 2, which relay-trail 0.4.0 and newer read; this version of relay-trail reads format 1',
      hint: REFUSED_040.hint,
    }
    // A clone with records of its own (a merge), one whose records the remote's extend (a fast-forward), a new one.
    const merging = newRepo()
    merging.git(['remote', 'add', 'origin', remote.dir])
    await ok(merging.dir, ['trail', 'start', 'Mine'])
    await refused(merging, ['trail', 'sync', 'origin'], refusal)

    const behind = newRepo()
    behind.git(['remote', 'add', 'origin', remote.dir])
    behind.git(['fetch', '--quiet', remote.dir, `${REF}:refs/test/theirs`])
    behind.git(['update-ref', REF, `${theirs}~1`])
    behind.git(['update-ref', '-d', 'refs/test/theirs'])
    await refused(behind, ['trail', 'sync', 'origin'], refusal)

    const fresh = newRepo()
    fresh.git(['remote', 'add', 'origin', remote.dir])
    const before = fresh.userState()
    const synced = await runCli(fresh.dir, ['trail', 'sync', 'origin'])
    assert.equal(synced.stderr, `${refusal.line}\n${refusal.hint}\n`)
    assert.equal(synced.code, 5)
    assert.equal(fresh.gitOrEmpty(['rev-parse', '--verify', '--quiet', REF]).trim(), '', 'not adopted')
    fresh.assertUserStateUnchanged(before)

    // A store fetched by plain git fetch is not adopted by the first write either.
    const fetched = newRepo()
    fetched.git(['fetch', '--quiet', remote.dir, `+${REF}:refs/trail/remotes/origin/records`])
    const start = await runCli(fetched.dir, ['trail', 'start', 'First here'])
    assert.equal(start.code, 5, start.stderr)
    assert.equal(
      start.stderr,
      `error: the store fetched into refs/trail/remotes/origin/records has format 2, which relay-trail 0.4.0 and newer read; this version of relay-trail reads format 1\n${REFUSED_040.hint}\n`,
    )
    assert.equal(fetched.gitOrEmpty(['rev-parse', '--verify', '--quiet', REF]).trim(), '', 'not adopted')
  })
})
