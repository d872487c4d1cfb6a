import assert from 'node:assert/strict'
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, it} from 'node:test'
import {ROOT, runCli} from '../helpers/cli.js'
import {useRepos} from '../helpers/repo.js'

// The manners git and gh users expect of `trail` and `relay`: help and version in every spelling, `help <cmd>` the
// same as `<cmd> --help`, and an unknown command or flag answered with the nearest one, as a usage error (exit 2),
// in the command's words, never oclif's internal `topic:command` ids.

const newRepo = useRepos()
const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {version: string}).version

describe('manners: help and version', () => {
  for (const bin of ['trail', 'relay'] as const) {
    it(`${bin}, ${bin} -h, ${bin} --help and ${bin} help print the command list and exit 0`, async () => {
      const repo = newRepo()
      const before = repo.userState()
      const outputs: string[] = []
      for (const argv of [[], ['-h'], ['--help'], ['help']]) {
        const result = await runCli(repo.dir, [bin, ...argv])
        assert.equal(result.code, 0, `${bin} ${argv.join(' ')}: ${result.stderr}`)
        assert.match(result.stdout, /USAGE\n/, `${bin} ${argv.join(' ')}`)
        assert.match(result.stdout, /COMMANDS\n/, `${bin} ${argv.join(' ')}`)
        assert.match(result.stdout, /completion +Print the shell completion script/, `${bin} ${argv.join(' ')}`)
        assert.doesNotMatch(result.stdout, /__complete/, 'the completion callback is hidden from help')
        outputs.push(result.stdout)
      }
      for (const output of outputs) assert.equal(output, outputs[0])
      repo.assertUserStateUnchanged(before)
    })

    it(`${bin} -V, ${bin} --version and ${bin} version print the version from package.json`, async () => {
      const repo = newRepo()
      const before = repo.userState()
      for (const argv of [['-V'], ['--version'], ['version']]) {
        const result = await runCli(repo.dir, [bin, ...argv])
        assert.equal(result.code, 0, `${bin} ${argv.join(' ')}: ${result.stderr}`)
        assert.match(result.stdout, new RegExp(`^${bin}/${VERSION.replace(/\./g, '\\.')} `), `${bin} ${argv.join(' ')}`)
      }
      repo.assertUserStateUnchanged(before)
    })
  }

  it("help help and help version print the executable's help; version checks the global flags as --version does", async () => {
    const repo = newRepo()
    for (const bin of ['trail', 'relay'] as const) {
      const help = await runCli(repo.dir, [bin, '--help'])
      for (const word of ['help', 'version']) {
        const result = await runCli(repo.dir, [bin, 'help', word])
        assert.equal(result.code, 0, `${bin} help ${word}: ${result.stderr}`)
        assert.equal(result.stdout, help.stdout, `${bin} help ${word}`)
      }
      for (const argv of [
        ['version', '--color=foo'],
        ['-V', '--color=foo'],
        ['--version', '--color=foo'],
      ]) {
        const result = await runCli(repo.dir, [bin, ...argv])
        assert.equal(result.code, 2, `${bin} ${argv.join(' ')}`)
        assert.match(result.stderr, /^error: expected --color=foo to be one of/, `${bin} ${argv.join(' ')}`)
      }
    }
  })

  it('help <cmd> prints the same as <cmd> --help and <cmd> -h, for hot commands, oclif-only commands and topics', async () => {
    const repo = newRepo()
    const before = repo.userState()
    const cases: [bin: 'trail' | 'relay', words: string[]][] = [
      ['trail', ['start']],
      ['trail', ['list']],
      ['trail', ['completion']],
      ['relay', ['inbox']],
      ['relay', ['send']],
      ['relay', ['continuity', 'save']],
      ['relay', ['bridge', 'add']],
    ]
    for (const [bin, words] of cases) {
      const viaHelp = await runCli(repo.dir, [bin, 'help', ...words])
      const viaFlag = await runCli(repo.dir, [bin, ...words, '--help'])
      const viaShort = await runCli(repo.dir, [bin, ...words, '-h'])
      const line = `${bin} ${words.join(' ')}`
      assert.equal(viaHelp.code, 0, `${bin} help ${words.join(' ')}: ${viaHelp.stderr}`)
      assert.equal(viaHelp.stdout, viaFlag.stdout, line)
      assert.equal(viaShort.stdout, viaFlag.stdout, line)
      // Complete: a description, the usage, flags with descriptions, examples.
      assert.match(viaHelp.stdout, new RegExp(`USAGE\\n  \\$ ${line}`), line)
      assert.match(viaHelp.stdout, /FLAGS\n|ARGUMENTS\n/, line)
      assert.match(viaHelp.stdout, /EXAMPLES\n/, line)
      assert.doesNotMatch(viaHelp.stdout, new RegExp(`\\$ ${bin} [a-z-]+:[a-z-]+`), `${line}: no topic:command ids`)
    }
    repo.assertUserStateUnchanged(before)
  })

  it('trail completion --help says where each shell wants the script', async () => {
    const repo = newRepo()
    const help = (await runCli(repo.dir, ['trail', 'completion', '--help'])).stdout
    assert.match(help, /~\/\.local\/share\/bash-completion\/completions\/trail/)
    assert.match(help, /fpath/)
    assert.match(help, /~\/\.config\/fish\/completions\/trail\.fish/)
  })
})

describe('manners: an unknown command suggests the nearest', () => {
  const cases: [argv: ['trail' | 'relay', ...string[]], message: string, hint: RegExp][] = [
    // misspellings
    [['trail', 'strat'], "unknown command 'strat'", /^did you mean `trail start`\?$/],
    [['trail', 'stat'], "unknown command 'stat'", /^did you mean `trail (start|status)`\?$/],
    [['trail', 'decison', 'x'], "unknown command 'decison'", /^did you mean `trail decision`\?$/],
    [['trail', 'lsit'], "unknown command 'lsit'", /^did you mean `trail list`\?$/],
    [['trail', 'exprot'], "unknown command 'exprot'", /^did you mean `trail export`\?$/],
    [['relay', 'inbxo'], "unknown command 'inbxo'", /^did you mean `relay inbox`\?$/],
    [['relay', 'serach', 'x'], "unknown command 'serach'", /^did you mean `relay search`\?$/],
    [['relay', 'brigde', 'list'], "unknown command 'brigde'", /^did you mean `relay bridge`\?$/],
    // a topic's command misspelt, and a topic-style id typed
    [['relay', 'continuity', 'sav', 'x'], "unknown command 'continuity sav'", /^did you mean `relay continuity save`\?$/],
    [['trail', 'strat:x'], "unknown command 'strat:x'", /^did you mean `trail start`\?$/],
    [['trail', 'strat', 'x'], "unknown command 'strat'", /^did you mean `trail start`\?$/],
    [['relay', 'continuity:sav'], "unknown command 'continuity:sav'", /^did you mean `relay continuity save`\?$/],
    // the start of a command's name, `help` and `version`, and a command of the other executable misspelt
    [['trail', 'st'], "unknown command 'st'", /^did you mean one of: `trail start`, `trail status`\?$/],
    [['relay', 'b'], "unknown command 'b'", /^did you mean `relay bridge`\?$/],
    [['trail', 'versoin'], "unknown command 'versoin'", /^did you mean `trail version`\?$/],
    [['trail', 'hlep'], "unknown command 'hlep'", /^did you mean `trail help`\?$/],
    [['relay', 'strat', 'x'], "unknown command 'strat'", /^did you mean `trail start`\?$/],
    [['trail', 'sned', 'bob', 'hi'], "unknown command 'sned'", /^did you mean `relay send`\?$/],
    [['trail', 'serach', 'x'], "unknown command 'serach'", /^did you mean `relay search`\?$/],
    // a flag where a command goes is an unknown flag, never a command (oclif: "command --no-pagr not found")
    [['trail', '--no-pagr', 'list'], 'unknown flag --no-pagr', /^did you mean --no-pager\? see: trail --help$/],
    [['trail', '-x'], 'unknown flag -x', /^see: trail --help$/],
    [['trail', '--bogus'], 'unknown flag --bogus', /^see: trail --help$/],
    [['trail', '--agent', 'x', 'list'], 'unknown flag --agent', /^see: trail --help$/],
    // a topic takes no flag but --help (it printed its help, exit 0)
    [['relay', 'continuity', '--bogus'], 'unknown flag --bogus', /^see: relay continuity --help$/],
    [['relay', 'bridge', '--bogus'], 'unknown flag --bogus', /^see: relay bridge --help$/],
    // a command of the other executable
    [['trail', 'inbox'], "unknown command 'inbox'", /^that is `relay inbox`/],
    [['trail', 'send', 'bob', 'hi'], "unknown command 'send'", /^that is `relay send`/],
    [['trail', 'continuity', 'save', 'x'], "unknown command 'continuity'", /^that is `relay continuity`/],
    [['relay', 'start', 'x'], "unknown command 'start'", /^that is `trail start`/],
    [['relay', 'list'], "unknown command 'list'", /^that is `trail list`/],
    // nothing near
    [['trail', 'frobnicate'], "unknown command 'frobnicate'", /^trail --help lists every command$/],
    [['relay', 'qqqq'], "unknown command 'qqqq'", /^relay --help lists every command$/],
  ]
  for (const [argv, message, hint] of cases) {
    it(`${argv.join(' ')}: ${message}, exit 2`, async () => {
      const repo = newRepo()
      const before = repo.userState()
      const result = await runCli(repo.dir, argv)
      assert.equal(result.code, 2, result.stderr)
      assert.equal(result.stdout, '')
      const lines = result.stderr.split('\n')
      assert.equal(lines[0], `error: ${message}`)
      assert.match(lines[1]!.replace(/^hint: /, ''), hint)
      assert.match(lines[1]!, /^hint: /)
      assert.equal(lines.length, 3, result.stderr)
      // oclif's ids are never shown: no `word:word` but what was typed.
      const typed = argv.slice(1).join(' ')
      for (const id of result.stderr.match(/\b[a-z-]+:[a-z-]+\b/g) ?? []) assert.ok(typed.includes(id), `${id} is oclif's id: ${result.stderr}`)
      repo.assertUserStateUnchanged(before)
    })
  }

  it('--json gets the error as JSON with the suggestion', async () => {
    const repo = newRepo()
    const result = await runCli(repo.dir, ['trail', 'lsit', '--json'])
    assert.equal(result.code, 2)
    const body = JSON.parse(result.stdout) as {error: {code: string; hint: string}}
    assert.equal(body.error.code, 'E_USAGE')
    assert.equal(body.error.hint, 'did you mean `trail list`?')
  })
})

describe('manners: an unknown flag suggests the nearest flag of the command', () => {
  // Hot commands (the fast path's parser) and oclif-only commands (oclif's) alike.
  const cases: [argv: ['trail' | 'relay', ...string[]], flag: string, near: string | null, commandLine: string][] = [
    [['trail', 'start', 'x', '--agnet', 'a'], '--agnet', '--agent', 'trail start'],
    [['trail', 'decision', 'x', '--reasonnig', 'y'], '--reasonnig', '--reasoning', 'trail decision'],
    [['trail', 'complete', '--sumary', 'x'], '--sumary', '--summary', 'trail complete'],
    [['trail', 'list', '--agnt', 'a'], '--agnt', '--agent', 'trail list'],
    [['trail', 'list', '--stauts', 'active'], '--stauts', '--status', 'trail list'],
    [['trail', 'list', '--lmit', '3'], '--lmit', '--limit', 'trail list'],
    [['relay', 'inbox', '--unrad'], '--unrad', '--unread', 'relay inbox'],
    [['relay', 'continuity', 'save', 'x', '--agen', 'a'], '--agen', '--agent', 'relay continuity save'],
    [['trail', 'list', '--bogus'], '--bogus', null, 'trail list'],
    // the flags every command takes are near too
    [['trail', 'list', '--no-pagr'], '--no-pagr', '--no-pager', 'trail list'],
    [['trail', 'list', '--no-colour'], '--no-colour', '--no-color', 'trail list'],
    [['relay', 'bridge', 'list', '--paginat'], '--paginat', '--paginate', 'relay bridge list'],
    [['trail', 'start', 'x', '--zzzzzz'], '--zzzzzz', null, 'trail start'],
  ]
  for (const [argv, flag, near, commandLine] of cases) {
    it(`${argv.join(' ')}: ${near ? `did you mean ${near}?` : 'no suggestion'}`, async () => {
      const repo = newRepo()
      const before = repo.userState()
      const result = await runCli(repo.dir, argv)
      assert.equal(result.code, 2, result.stderr)
      const hint = near ? `did you mean ${near}? see: ${commandLine} --help` : `see: ${commandLine} --help`
      assert.equal(result.stderr, `error: unknown flag ${flag}\nhint: ${hint}\n`)
      repo.assertUserStateUnchanged(before)
    })
  }

  it('a bad --color value is a usage error naming the choices', async () => {
    const repo = newRepo()
    const result = await runCli(repo.dir, ['trail', 'list', '--color=blue'])
    assert.equal(result.code, 2)
    assert.equal(result.stderr.split('\n')[0], 'error: expected --color=blue to be one of: auto, always, never')
  })
})
