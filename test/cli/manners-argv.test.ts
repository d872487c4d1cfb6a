import assert from 'node:assert/strict'
import {describe, it} from 'node:test'
import {ok, runCli} from '../helpers/cli.js'
import {useRepos} from '../helpers/repo.js'

// How argv is read, whichever front end runs the command: a word after a command that takes none is an unexpected
// argument (never oclif's `doctor:extra`), arguments never come from standard input, and after `--` every word is
// an argument, `-h` and `help` included.

const newRepo = useRepos()

describe('manners: argv', () => {
  const strays: [bin: 'trail' | 'relay', ...words: string[]][] = [
    ['trail', 'doctor'],
    ['trail', 'init'],
    ['trail', 'status'],
    ['relay', 'project'],
    ['relay', 'dashboard'],
    ['relay', 'mcp'],
    ['relay', 'bridge', 'list'],
    ['relay', 'continuity', 'load'],
  ]
  for (const [bin, ...words] of strays) {
    const line = `${bin} ${words.join(' ')}`
    it(`${line} extra: unexpected argument, exit 2; with -h or as help ${words.join(' ')} extra: its help`, async () => {
      const repo = newRepo()
      const before = repo.userState()
      const result = await runCli(repo.dir, [bin, ...words, 'extra'])
      assert.equal(result.code, 2, result.stderr)
      assert.match(result.stderr, new RegExp(`^error: unexpected argument: extra\nhint: see: ${line} --help( \\(.*\\))?\n$`))
      const help = await ok(repo.dir, [bin, ...words, '--help'])
      assert.equal(await ok(repo.dir, [bin, ...words, 'extra', '-h']), help)
      assert.equal(await ok(repo.dir, [bin, 'help', ...words, 'extra']), help)
      repo.assertUserStateUnchanged(before)
    })
  }

  it('a flag value after a command that takes no argument is not a stray word', async () => {
    const repo = newRepo()
    const result = await runCli(repo.dir, ['relay', 'project', '--json'])
    assert.equal(result.code, 0, result.stderr)
  })

  const fromStdin: [argv: ['trail' | 'relay', ...string[]], code: number, stderr: RegExp][] = [
    [['trail', 'sync'], 0, /^(?!.*ZZSTDIN)/s],
    [['relay', 'bridge', 'add', 'x'], 2, /^error: missing required argument <location>\n/],
    [['trail', 'completion'], 2, /^error: missing required argument <shell>\n/],
  ]
  for (const [argv, code, stderr] of fromStdin) {
    it(`echo ZZSTDIN | ${argv.join(' ')}: no argument is read from standard input`, async () => {
      const repo = newRepo()
      const before = repo.userState()
      const result = await runCli(repo.dir, argv, {input: 'ZZSTDIN\n'})
      assert.doesNotMatch(result.stdout + result.stderr, /ZZSTDIN/)
      assert.match(result.stderr, stderr)
      if (code !== 0) assert.equal(result.code, code, result.stderr)
      repo.assertUserStateUnchanged(before)
    })
  }

  it('after --, -h and help are words of the title, not help', async () => {
    const repo = newRepo()
    for (const title of ['-h', 'help', '-V']) {
      const id = (await ok(repo.dir, ['trail', 'start', '-q', '--agent', 'dd', '--', title])).trim()
      const shown = JSON.parse(await ok(repo.dir, ['trail', 'show', id, '--json'])) as {title: string}
      assert.equal(shown.title, title)
      await ok(repo.dir, ['trail', 'abandon', '--agent', 'dd'])
    }
  })

  it('--color takes a value only after =, as git: the next word is never taken (--color alone is always)', async () => {
    const repo = newRepo()
    const id = (await ok(repo.dir, ['trail', 'start', '-q', '--color', 'never', '--agent', 'x'])).trim()
    const shown = JSON.parse(await ok(repo.dir, ['trail', 'show', id, '--json'])) as {title: string}
    assert.equal(shown.title, 'never')
    for (const argv of [
      ['trail', 'list', '--color', 'never'],
      ['relay', 'bridge', 'list', '--color', 'never'],
    ] as ['trail' | 'relay', ...string[]][]) {
      const result = await runCli(repo.dir, argv)
      assert.equal(result.code, 2, argv.join(' '))
      assert.match(result.stderr, /^error: unexpected argument: never\n/, argv.join(' '))
    }
  })
})
