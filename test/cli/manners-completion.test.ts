import assert from 'node:assert/strict'
import {spawnSync} from 'node:child_process'
import {chmodSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {before, describe, it} from 'node:test'
import {BIN, ok, runCli} from '../helpers/cli.js'
import {testEnv, useRepos, useTempDirs, type TestRepo} from '../helpers/repo.js'

// Shell completion, run in the real shells: the script `<bin> completion <shell>` prints is sourced, the shell's
// completion variables are set as the shell sets them at a TAB, and the candidates it would offer are read back.
// The scripts call the executables by name, so a folder with `trail` and `relay` in it goes first on PATH. zsh's
// and fish's tests skip, saying why, where the shell is not installed (.ci/run installs both).

const newRepo = useRepos()
const tempDir = useTempDirs()

let binDir = ''
let repo: TestRepo
let ids: string[] = []

before(async () => {
  binDir = tempDir('bin')
  for (const bin of ['trail', 'relay'] as const) {
    writeFileSync(join(binDir, bin), `#!/bin/sh\nexec '${process.execPath}' '${BIN[bin]}' "$@"\n`)
    chmodSync(join(binDir, bin), 0o755)
  }
  repo = newRepo()
  const sibling = newRepo({dirty: false})
  await ok(repo.dir, ['trail', 'start', 'the first', '--agent', 'alice'])
  await ok(repo.dir, ['trail', 'start', 'the second', '--agent', 'bob'])
  // An agent known only by a trajectory it finished: no active marker, no ledger.
  await ok(repo.dir, ['trail', 'start', 'the third', '--agent', 'carol'])
  await ok(repo.dir, ['trail', 'complete', '--agent', 'carol', '--summary', 'done'])
  // The sibling goes by `webapp`, bridged here as `frontend`: an active agent, one with a finished trajectory, a sender.
  await ok(sibling.dir, ['relay', 'project', '--id', 'webapp'])
  await ok(sibling.dir, ['trail', 'start', 'the page', '--agent', 'Designer'])
  await ok(sibling.dir, ['trail', 'start', 'a review', '--agent', 'Reviewer'])
  await ok(sibling.dir, ['trail', 'abandon', '--agent', 'Reviewer'])
  await ok(sibling.dir, ['relay', 'send', 'Designer', 'hi', '--agent', 'Tester'])
  await ok(repo.dir, ['relay', 'bridge', 'add', 'frontend', sibling.dir])
  await ok(repo.dir, ['relay', 'sync'])
  ids = (await ok(repo.dir, ['trail', 'list']))
    .split('\n')
    .filter(Boolean)
    .map((line) => line.split('\t')[0]!)
  assert.equal(ids.length, 3)
})

function shellEnv(): NodeJS.ProcessEnv {
  return testEnv({PATH: `${binDir}:${process.env.PATH ?? ''}`})
}

function hasShell(shell: string): boolean {
  return spawnSync(shell, ['-c', 'exit 0'], {stdio: 'ignore'}).status === 0
}

const quote = (word: string) => `'${word.replace(/'/g, `'\\''`)}'`

/** The candidates bash offers for `line` (its last word is the one completed; '' after a trailing space). */
function bashCandidates(cwd: string, words: string[]): string[] {
  const script = [
    `source <(${words[0]} completion bash)`,
    `COMP_WORDS=(${words.map(quote).join(' ')})`,
    `COMP_CWORD=${words.length - 1}`,
    `COMP_LINE=${quote(words.join(' '))}`,
    `COMP_POINT=\${#COMP_LINE}`,
    `_${words[0]}_relay_trail`,
    `printf '%s\\n' "\${COMPREPLY[@]}"`,
  ].join('\n')
  const result = spawnSync('bash', ['--norc', '--noprofile', '-c', script], {cwd, env: shellEnv(), encoding: 'utf8'})
  assert.equal(result.status, 0, result.stderr)
  assert.equal(result.stderr, '')
  return result.stdout.split('\n').filter(Boolean)
}

/** The candidates zsh's completion function adds for `words` (compadd, zsh's builtin, is read back by a stand-in). */
function zshCandidates(cwd: string, words: string[]): string[] {
  const script = [
    'compdef() { : }',
    `source <(${words[0]} completion zsh)`,
    'compadd() { [[ $1 == -- ]] && shift; print -rl -- "$@" }',
    '_files() { print -r -- "<files>" }',
    `words=(${words.map(quote).join(' ')})`,
    `CURRENT=${words.length}`,
    `_${words[0]}_relay_trail`,
  ].join('\n')
  const result = spawnSync('zsh', ['-f', '-c', script], {cwd, env: shellEnv(), encoding: 'utf8'})
  assert.equal(result.status, 0, result.stderr)
  assert.equal(result.stderr, '')
  return result.stdout.split('\n').filter(Boolean)
}

/** What fish offers for the command line `line` (`complete -C`), without descriptions. */
function fishCandidates(cwd: string, line: string): string[] {
  const bin = line.split(' ')[0]!
  const script = `${bin} completion fish | source; complete -C ${quote(line)}`
  const result = spawnSync('fish', ['--no-config', '-c', script], {cwd, env: shellEnv(), encoding: 'utf8'})
  assert.equal(result.status, 0, result.stderr)
  return result.stdout
    .split('\n')
    .filter(Boolean)
    .map((candidate) => candidate.split('\t')[0]!)
}

/** Each case: the words typed (the last being completed), and what must be, and must not be, offered. */
function cases(): {words: string[]; has: string[]; not?: string[]; only?: boolean}[] {
  return [
    {words: ['trail', 'st'], has: ['start', 'status'], only: true},
    {words: ['trail', ''], has: ['start', 'list', 'show', 'completion', 'help'], not: ['__complete', 'hook-git', 'inbox']},
    {words: ['trail', 'help', 'sh'], has: ['show'], only: true},
    {words: ['relay', 'continuity', ''], has: ['load', 'save', 'search', 'uncertain'], only: true},
    {words: ['relay', 'co'], has: ['completion', 'continuity'], only: true},
    {words: ['relay', 'help', 'continuity', ''], has: ['load', 'save', 'search', 'uncertain'], only: true},
    {words: ['trail', '-'], has: ['--help', '--version', '--color', '--no-pager', '--paginate', '--data-dir'], not: ['list', '--agent']},
    {words: ['trail', 'list', '--'], has: ['--agent', '--status', '--limit', '--json', '--color', '--no-pager'], not: ['--reasoning']},
    {words: ['trail', 'decision', 'x', '--re'], has: ['--reasoning'], only: true},
    {words: ['trail', 'list', '--agent', ''], has: ['alice', 'bob', 'carol'], only: true},
    {words: ['trail', 'status', '--agent', 'a'], has: ['alice'], only: true},
    {words: ['relay', 'inbox', '--agent', ''], has: ['alice', 'bob', 'carol'], only: true},
    {words: ['trail', 'list', '--status', ''], has: ['active', 'completed', 'abandoned'], only: true},
    {words: ['trail', 'show', ''], has: ids, only: true},
    {words: ['trail', 'export', ids[0]!.slice(0, 20)], has: ids.filter((id) => id.startsWith(ids[0]!.slice(0, 20)))},
    {words: ['trail', 'list', '--agent', 'alice', '--status', 'active', '--s'], has: ['--search', '--since', '--status'], only: true},
    {words: ['relay', 'bridge', 'remove', ''], has: ['frontend'], only: true},
    {words: ['relay', 'send', ''], has: ['alice', 'bob', 'carol'], only: true},
    {words: ['relay', 'send', 'c'], has: ['carol'], only: true},
    {words: ['trail', 'phase', ''], has: ['plan', 'design', 'execute', 'review', 'observe'], only: true},
  ]
}

/**
 * `--flag=value` cases, as each shell gives the words: zsh and fish whole (candidates are `--flag=value`), bash
 * broken at `=` (candidates are the values).
 */
function valueCases(shell: 'bash' | 'zsh' | 'fish'): {words: string[]; has: string[]; not?: string[]; only?: boolean}[] {
  const given: [flag: string, typed: string, values: string[]][] = [
    ['--color', '', ['auto', 'always', 'never']],
    ['--color', 'n', ['never']],
    ['--status', '', ['active', 'completed', 'abandoned']],
    ['--agent', 'a', ['alice']],
  ]
  return given.map(([flag, typed, values]) =>
    shell === 'bash'
      ? {words: ['trail', 'list', flag, '=', ...(typed === '' ? [] : [typed])], has: values, only: true}
      : {words: ['trail', 'list', `${flag}=${typed}`], has: values.map((value) => `${flag}=${value}`), only: true},
  )
}

/**
 * `relay send <project>:<agent>` targets, as each shell gives the words: zsh and fish whole (candidates are
 * `frontend:Designer`), bash broken at ':' (candidates are what follows it).
 */
function targetCases(shell: 'bash' | 'zsh' | 'fish'): {words: string[]; has: string[]; not?: string[]; only?: boolean}[] {
  const sibling = ['Designer', 'Reviewer', 'Tester', 'lead', '*']
  const given: [project: string, typed: string, agents: string[]][] = [
    ['frontend', '', sibling],
    ['webapp', '', sibling],
    ['frontend', 'De', ['Designer']],
    ['webapp', 'R', ['Reviewer']],
    ['*', '', ['*']],
    ['nowhere', '', ['lead', '*']],
  ]
  const cases = given.map(([project, typed, agents]) =>
    shell === 'bash'
      ? {words: ['relay', 'send', project, ':', typed], has: agents, only: true}
      : {words: ['relay', 'send', `${project}:${typed}`], has: agents.map((agent) => `${project}:${agent}`), only: true},
  )
  // bash, right after the ':': the ':' is the word completed.
  return shell === 'bash' ? [...cases, {words: ['relay', 'send', 'frontend', ':'], has: sibling, only: true}] : cases
}

function check(shell: string, words: string[], got: string[], has: string[], not: string[] = [], only = false) {
  const what = `${shell}: ${words.join(' ')}|`
  for (const candidate of has) assert.ok(got.includes(candidate), `${what} offers ${candidate}: ${got.join(' ')}`)
  for (const candidate of not) assert.ok(!got.includes(candidate), `${what} does not offer ${candidate}`)
  if (only) assert.deepEqual([...got].sort(), [...has].sort(), what)
}

describe('manners: shell completion', () => {
  it('bash completes commands, flags per command, and agent names, trajectory ids and sibling names from the store', () => {
    const before = repo.userState()
    for (const {words, has, not, only} of [...cases(), ...valueCases('bash'), ...targetCases('bash')])
      check('bash', words, bashCandidates(repo.dir, words), has, not, only)
    repo.assertUserStateUnchanged(before)
  })

  it('zsh completes commands, flags per command, and agent names, trajectory ids and sibling names from the store', (t) => {
    if (!hasShell('zsh')) return t.skip('zsh is not installed (apt-get install -y zsh)')
    const before = repo.userState()
    for (const {words, has, not, only} of [...cases(), ...valueCases('zsh'), ...targetCases('zsh')])
      check('zsh', words, zshCandidates(repo.dir, words), has, not, only)
    repo.assertUserStateUnchanged(before)
  })

  it('fish completes commands, flags per command, and agent names, trajectory ids and sibling names from the store', (t) => {
    if (!hasShell('fish')) return t.skip('fish is not installed (apt-get install -y fish)')
    const before = repo.userState()
    for (const {words, has, not, only} of [...cases(), ...valueCases('fish'), ...targetCases('fish')])
      check('fish', words, fishCandidates(repo.dir, words.join(' ')), has, not, only)
    repo.assertUserStateUnchanged(before)
  })

  it('fish completes file names where no word of ours fits, as bash and zsh do: an argument, a --flag=<path>', (t) => {
    if (!hasShell('fish')) return t.skip('fish is not installed (apt-get install -y fish)')
    const dir = tempDir('files')
    writeFileSync(join(dir, 'unique-file.txt'), '')
    assert.deepEqual(fishCandidates(dir, 'trail why uniq'), ['unique-file.txt'])
    assert.deepEqual(fishCandidates(dir, 'relay ingest uniq'), ['unique-file.txt'])
    assert.deepEqual(fishCandidates(dir, 'trail list --output=uniq'), ['--output=unique-file.txt'])
    // Words of ours are still all that is offered where they fit.
    assert.deepEqual(fishCandidates(repo.dir, 'trail list --status=a').sort(), ['--status=abandoned', '--status=active'])
  })

  it('after --, no flag is offered', async () => {
    for (const words of [
      ['list', '--', '-'],
      ['--', '-'],
    ]) {
      const result = await runCli(repo.dir, ['trail', '__complete', '--', ...words])
      assert.equal(result.stdout, '', words.join(' '))
    }
  })

  it('never fails and prints nothing on error: outside a repository, values are simply not offered', async () => {
    const outside = tempDir('outside')
    for (const words of [
      ['show', ''],
      ['list', '--agent', ''],
      ['bridge', 'remove', ''],
    ] as const) {
      for (const bin of ['trail', 'relay'] as const) {
        const result = await runCli(outside, [bin, '__complete', '--', ...words])
        assert.equal(result.code, 0, result.stderr)
        assert.equal(result.stdout, '')
        assert.equal(result.stderr, '')
      }
    }
    // Commands are still offered there.
    assert.deepEqual(bashCandidates(outside, ['trail', 'sta']), ['start', 'status'])
  })

  it('words that look like flags or help after -- are completed, not run', async () => {
    const before = repo.userState()
    for (const words of [['list', '--help'], ['-h'], ['--version'], ['start', '--json']]) {
      const result = await runCli(repo.dir, ['trail', '__complete', '--', ...words])
      assert.equal(result.code, 0, result.stderr)
      assert.doesNotMatch(result.stdout, /USAGE|trail\/\d/, words.join(' '))
    }
    repo.assertUserStateUnchanged(before)
  })

  it('trail completion <shell> prints the script; an unknown shell is a usage error naming the shells', async () => {
    for (const shell of ['bash', 'zsh', 'fish']) assert.match(await ok(repo.dir, ['trail', 'completion', shell]), /trail __complete --/)
    const bad = await runCli(repo.dir, ['relay', 'completion', 'tcsh'])
    assert.equal(bad.code, 2)
    assert.equal(
      bad.stderr,
      "error: no completion for the shell 'tcsh'\nhint: use one of: relay completion bash, relay completion zsh, relay completion fish\n",
    )
  })
})
