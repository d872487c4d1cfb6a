import assert from 'node:assert/strict'
import {spawnSync} from 'node:child_process'
import {closeSync, openSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, it} from 'node:test'
import {BIN, ok, runCli} from '../helpers/cli.js'
import {testEnv, useRepos, useTempDirs} from '../helpers/repo.js'

// The process's stdin, stdout and stderr are read and written without streams when they are pipes or files
// (src/cli/fd-io.ts), and through the streams otherwise (a terminal, /dev/null): every kind of descriptor gives
// the same result.

const newRepo = useRepos()
const tempDir = useTempDirs()

/** Runs a command with stdin, stdout and stderr on the files (or 'pipe') given. */
function runWith(cwd: string, argv: string[], stdio: {stdin: string | 'pipe'; stdout: string; stderr: string}, input?: string) {
  const fds = [stdio.stdin === 'pipe' ? 'pipe' : openSync(stdio.stdin, 'r'), openSync(stdio.stdout, 'w'), openSync(stdio.stderr, 'w')] as const
  try {
    const [bin, ...args] = argv as [keyof typeof BIN, ...string[]]
    return spawnSync(process.execPath, [BIN[bin], ...args], {cwd, env: testEnv(), stdio: [...fds], input}).status
  } finally {
    for (const fd of fds) if (typeof fd === 'number') closeSync(fd)
  }
}

describe('standard input and output of every kind', () => {
  it('reads stdin from a file and writes stdout and stderr to files', async () => {
    const repo = newRepo()
    const dir = tempDir('fd-io')
    const [input, out, err] = ['in.txt', 'out.txt', 'err.txt'].map((name) => join(dir, name)) as [string, string, string]
    writeFileSync(input, 'Current task: read from a file\nNext steps: check it\n')
    assert.equal(runWith(repo.dir, ['relay', 'continuity', 'save', '--agent', 'files'], {stdin: input, stdout: out, stderr: err}), 0, readFileSync(err, 'utf8'))
    assert.match(readFileSync(out, 'utf8'), /^Saved the continuity ledger of files/)
    assert.match(await ok(repo.dir, ['relay', 'continuity', 'load', '--agent', 'files']), /read from a file/)
    assert.equal(runWith(repo.dir, ['relay', 'continuity', 'save', '--agent', 'files'], {stdin: '/dev/null', stdout: out, stderr: err}), 2)
    assert.equal(readFileSync(out, 'utf8'), '')
    assert.equal(
      readFileSync(err, 'utf8'),
      'error: nothing to save: the content is empty\nhint: give fields such as "Current task: ..." and "Next steps: ..."\n',
    )
  })

  it('reads a large stdin from a pipe whole, and prints to /dev/null through the stream', async () => {
    const repo = newRepo()
    const dir = tempDir('fd-io')
    const lines = Array.from({length: 3000}, (_, n) => `- step ${n}: ${'x'.repeat(40)}`)
    const text = `Current task: a long ledger\nCompleted:\n${lines.join('\n')}\n`
    assert.ok(text.length > 128 * 1024, 'more than a pipe holds at once')
    assert.equal(runWith(repo.dir, ['relay', 'continuity', 'save', '--agent', 'long'], {stdin: 'pipe', stdout: '/dev/null', stderr: join(dir, 'err')}, text), 0)
    const ledger = repo.git(['show', 'refs/trail/records:.relay/ledger/long.md'])
    assert.match(ledger, /step 0: x+/)
    assert.match(ledger, /step 2999: x+/)
  })

  it('writes what a reader that leaves early does not take without a stack trace', async () => {
    const repo = newRepo()
    for (let n = 0; n < 40; n++) await ok(repo.dir, ['trail', 'start', `Trajectory ${n} ${'y'.repeat(60)}`, '--agent', `a${n}`])
    const listed = spawnSync('/bin/sh', ['-c', `"${process.execPath}" "${BIN.trail}" list --limit 40 | head -c 1`], {
      cwd: repo.dir,
      env: testEnv(),
      encoding: 'utf8',
    })
    assert.equal(listed.stdout, 't')
    assert.doesNotMatch(listed.stderr, /\n\s+at /, 'no stack trace')
    const all = await runCli(repo.dir, ['trail', 'list', '--limit', '40'])
    assert.equal(all.stdout.split('\n').filter((line) => line.startsWith('traj_')).length, 40)
  })
})
