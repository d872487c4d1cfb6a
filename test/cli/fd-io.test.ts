import assert from 'node:assert/strict'
import {execFileSync, spawn, spawnSync} from 'node:child_process'
import {closeSync, constants, openSync, readFileSync, readSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {Writable} from 'node:stream'
import {describe, it} from 'node:test'
import {fdOutput, isPipeOrFile} from '../../src/cli/fd-io.js'
import {BIN, ok} from '../helpers/cli.js'
import {testEnv, useRepos, useTempDirs} from '../helpers/repo.js'

// The process's stdin, stdout and stderr are read and written without streams when they are pipes, files or
// /dev/null (src/cli/fd-io.ts), and through the streams otherwise (a terminal, /dev/full): every kind of descriptor
// gives the same result.

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

describe('the descriptors written without a stream', () => {
  it('are pipes, files and /dev/null; not another character device', () => {
    const dir = tempDir('fd-io')
    const kinds: [string, number, boolean][] = [
      ['a file', openSync(join(dir, 'file'), 'w'), true],
      ['/dev/null', openSync('/dev/null', 'w'), true],
      ['/dev/full', openSync('/dev/full', 'w'), false],
      ['/dev/zero', openSync('/dev/zero', 'r'), false],
    ]
    try {
      for (const [name, fd, expected] of kinds) assert.equal(isPipeOrFile(fd), expected, name)
    } finally {
      for (const [, fd] of kinds) closeSync(fd)
    }
  })
})

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

  it('reads a large stdin from a pipe whole, and prints to /dev/null', async () => {
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

  it('stops writing for a reader that went away, without a stack trace, whatever the output', async () => {
    const repo = newRepo()
    const id = await bigTrajectory(repo, 'x')
    const code = await new Promise<number | null>((resolve) => {
      const child = spawn(process.execPath, [BIN.trail, 'show', id], {cwd: repo.dir, env: testEnv(), stdio: ['ignore', 'pipe', 'pipe']})
      let stderr = ''
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')))
      child.stdout.once('data', () => child.stdout.destroy())
      child.on('close', (exit) => {
        assert.equal(stderr, '', 'nothing on stderr')
        resolve(exit)
      })
    })
    assert.equal(code, 0)
  })

  it('says in one line when the output cannot be written (a full device), and exits 1', () => {
    const repo = newRepo()
    const dir = tempDir('fd-io')
    assert.equal(runWith(repo.dir, ['trail', 'list'], {stdin: '/dev/null', stdout: '/dev/full', stderr: join(dir, 'err')}), 1)
    assert.equal(
      readFileSync(join(dir, 'err'), 'utf8'),
      'error: could not write the output: ENOSPC\nhint: check where the output goes (a full disk, a file that cannot grow)\n',
    )
  })

  it('hands what a full non-blocking pipe refuses to the stream, bytes whole: a character split there arrives whole', async () => {
    // A child's stdio is made blocking by Node's spawn, so the descriptor is driven here: a FIFO opened non-blocking.
    const dir = tempDir('fd-io')
    const fifo = join(dir, 'pipe')
    execFileSync('mkfifo', [fifo])
    const reader = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK)
    const writer = openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK)
    try {
      const text = `${'x'.repeat(65535)}${'\u2713'.repeat(40_000)}\n` // byte 65536 is the second of a three-byte character
      const handed: Buffer[] = []
      const stream = new Writable({
        write(chunk: Buffer, _encoding, done) {
          handed.push(Buffer.from(chunk))
          done()
        },
      }) as unknown as NodeJS.WriteStream
      const output = fdOutput(writer, () => stream)
      output.write(text)
      output.write('after\n')
      const piped: Buffer[] = []
      for (;;) {
        const buffer = Buffer.alloc(65536)
        let read = 0
        try {
          read = readSync(reader, buffer, 0, buffer.length, null)
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') throw error
        }
        if (read === 0) break
        piped.push(buffer.subarray(0, read))
      }
      assert.ok(handed.length > 0, 'the pipe was full, and the stream took the rest')
      assert.ok(Buffer.concat([...piped, ...handed]).equals(Buffer.from(`${text}after\n`, 'utf8')), 'every byte once, in order')
    } finally {
      closeSync(reader)
      closeSync(writer)
    }
  })
})

/** A trajectory whose `trail show` prints more than two pipes' worth of three-byte characters; its id. */
async function bigTrajectory(repo: ReturnType<typeof newRepo>, title: string): Promise<string> {
  const agent = `big-${title}`
  await ok(repo.dir, ['trail', 'start', title, '--agent', agent])
  // Two decisions: one argument is at most 128 KiB.
  for (const n of [1, 2]) await ok(repo.dir, ['trail', 'decision', `${title} ${n}`, '--reasoning', '\u2713'.repeat(30_000), '--agent', agent])
  const status = JSON.parse(await ok(repo.dir, ['trail', 'status', '--agent', agent, '--json'])) as {active: {id: string} | null}
  assert.ok(status.active, 'the trajectory is active')
  return status.active.id
}
