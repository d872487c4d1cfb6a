import assert from 'node:assert/strict'
import {spawnSync} from 'node:child_process'
import {existsSync, readdirSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {before, describe, it} from 'node:test'
import {manPages, roffText} from '../../src/cli/man.js'
import {defineCommand} from '../../src/cli/definition.js'
import {ERROR_CODES, EXIT_MEANING} from '../../src/errors.js'
import {ROOT, runCli} from '../helpers/cli.js'
import {useRepos, useTempDirs, type TestRepo} from '../helpers/repo.js'

// Man pages: one per executable and one per command people run, written by the build (scripts/build.mjs) from the
// command declarations, listed in package.json "man". Each is rendered with groff (which must not warn) and with
// man -l, and read back as text: the sections, the options the command declares, and the same words as
// `<bin> help <command>`.

const newRepo = useRepos()
const tempDir = useTempDirs()
const MAN = join(ROOT, 'man')
const BINS = ['trail', 'relay'] as const

interface ManifestCommand {
  id: string
  summary?: string
  description?: string
  examples?: string[]
  hidden?: boolean
  args: Record<string, {description?: string}>
  flags: Record<string, {name: string; char?: string; description?: string; hidden?: boolean}>
}

/** The commands of an executable as its oclif manifest has them (built from the same declarations). */
function manifestCommands(bin: string): ManifestCommand[] {
  const manifest = JSON.parse(readFileSync(join(ROOT, 'dist', 'oclif', bin, 'oclif.manifest.json'), 'utf8')) as {commands: Record<string, ManifestCommand>}
  return Object.values(manifest.commands).filter((command) => command.hidden !== true)
}

const pageOf = (bin: string, command: ManifestCommand) => join(MAN, `${bin}-${command.id.replace(/[: ]/g, '-')}.1`)

/** A page as groff prints it for a terminal, without bold or underline, and what groff warned of. */
function groff(file: string): {text: string; warnings: string} {
  // -ww: every warning; -P-cbou: plain characters, no overstriking or SGR codes; a wide line, so nothing is cut.
  const result = spawnSync('groff', ['-man', '-Tutf8', '-ww', '-rLL=150n', '-P-cbou', file], {encoding: 'utf8'})
  assert.equal(result.status, 0, `groff ${file}: ${result.stderr}`)
  return {text: result.stdout, warnings: result.stderr}
}

/** All whitespace out: text wrapped at any width compares equal. */
const squeeze = (text: string) => text.replace(/\s+/g, '')

/** The text of a section of a rendered page: from its heading to the next heading. */
function section(text: string, heading: string): string {
  const match = new RegExp(`^${heading}\\n([\\s\\S]*?)(?=^[A-Z][A-Z ]+\\n|$(?![\\s\\S]))`, 'm').exec(text)
  assert.ok(match, `a ${heading} section in:\n${text}`)
  return match[1]!
}

/** The long flag named at the start of each option's line (`-s, --status <status>`, `--json`): the tag, not its text. */
function optionNames(options: string): string[] {
  return options
    .split('\n')
    .flatMap((line) => /^ {7}(?:-\w, )?(--[a-z][a-z-]*)/.exec(line)?.[1] ?? [])
    .sort()
}

let repo: TestRepo

before(() => {
  repo = newRepo()
})

describe('manners: man pages', () => {
  it('every command people run has a page, as do trail and relay, and package.json lists exactly those', () => {
    const expected = new Set<string>()
    for (const bin of BINS) {
      expected.add(`${bin}.1`)
      for (const command of manifestCommands(bin)) expected.add(pageOf(bin, command).slice(MAN.length + 1))
    }
    assert.ok(expected.size > 30, `${expected.size} pages`)
    assert.deepEqual(new Set(readdirSync(MAN)), expected, 'man/ holds a page for each visible command and nothing else')
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {man: string[]; files: string[]}
    assert.deepEqual(new Set(pkg.man), new Set([...expected].map((file) => `man/${file}`)), 'package.json "man"')
    assert.ok(pkg.files.includes('man'), 'package.json "files" ships man/')
    assert.equal(existsSync(join(MAN, 'trail-hook-git.1')), false, 'a hidden command has no page')
    assert.equal(existsSync(join(MAN, 'trail-__complete.1')), false, 'the completion callback has no page')
  })

  it('every page renders with groff without a warning, and man -l reads it: NAME, SYNOPSIS, DESCRIPTION, OPTIONS, EXAMPLES, EXIT STATUS', () => {
    for (const file of readdirSync(MAN)) {
      const {text, warnings} = groff(join(MAN, file))
      assert.equal(warnings, '', `${file}: groff warns`)
      const command = file.replace(/\.1$/, '')
      const bin = command.split('-')[0]!
      const headings = text.split('\n').filter((line) => /^[A-Z][A-Z ]+$/.test(line))
      const declared = manifestCommands(bin).find((each) => pageOf(bin, each) === join(MAN, file))
      // EXAMPLES when the command declares some (the refused agent-trajectories commands have none).
      const wanted =
        command === bin
          ? ['NAME', 'SYNOPSIS', 'DESCRIPTION', 'COMMANDS', 'OPTIONS', 'ENVIRONMENT', 'EXIT STATUS', 'SEE ALSO']
          : ['NAME', 'SYNOPSIS', 'DESCRIPTION', 'OPTIONS', ...(declared?.examples?.length ? ['EXAMPLES'] : []), 'EXIT STATUS', 'SEE ALSO']
      assert.ok(command === bin || declared, `${file}: a page of a declared command`)
      for (const heading of wanted) assert.ok(headings.includes(heading), `${file}: ${heading} in ${headings.join(', ')}`)
      // NAME as apropos and whatis read it: "<page> - <what it is>".
      assert.match(section(text, 'NAME').trim(), new RegExp(`^${command} - \\S`), file)
      // The exit status is the one table of src/errors.ts.
      const exit = squeeze(section(text, 'EXIT STATUS'))
      for (const [code, meaning] of Object.entries(EXIT_MEANING)) assert.ok(exit.includes(squeeze(`${code} ${meaning}`)), `${file}: exit ${code}`)
      const viaMan = spawnSync('man', ['-l', '-P', 'cat', join(MAN, file)], {encoding: 'utf8', env: {...process.env, MANWIDTH: '150', MAN_KEEP_FORMATTING: ''}})
      assert.equal(viaMan.status, 0, `man -l ${file}: ${viaMan.stderr}`)
      assert.match(viaMan.stdout, /^NAME/m, `man -l ${file}`)
    }
  })

  it('the options of each page are the flags its command declares, with their descriptions', () => {
    for (const bin of BINS) {
      for (const command of manifestCommands(bin)) {
        const {text} = groff(pageOf(bin, command))
        const options = section(text, 'OPTIONS')
        const declared = Object.values(command.flags).filter((flag) => flag.hidden !== true)
        assert.deepEqual(optionNames(options), declared.map((flag) => `--${flag.name}`).sort(), `${bin} ${command.id}`)
        for (const flag of declared) {
          if (flag.char) assert.match(options, new RegExp(`^ {7}-${flag.char}, --${flag.name}\\b`, 'm'), `${bin} ${command.id}: -${flag.char}`)
          assert.ok(squeeze(options).includes(squeeze(flag.description ?? '')), `${bin} ${command.id} --${flag.name}: ${flag.description}`)
        }
      }
    }
  })

  it('trail help <cmd> and its man page say the same: summary, description, arguments, flags, examples', async () => {
    for (const bin of BINS) {
      for (const command of manifestCommands(bin)) {
        const words = command.id.split(/[: ]/)
        const help = await runCli(repo.dir, [bin, 'help', ...words])
        assert.equal(help.code, 0, `${bin} help ${words.join(' ')}: ${help.stderr}`)
        const {text} = groff(pageOf(bin, command))
        const [helpText, manText] = [squeeze(help.stdout), squeeze(text)]
        const said = [
          command.summary ?? '',
          ...(command.description ?? '').split('\n'),
          ...Object.values(command.args).map((arg) => arg.description ?? ''),
          ...Object.values(command.flags).map((flag) => flag.description ?? ''),
          ...(command.examples ?? []),
        ].filter((words) => words.trim() !== '')
        for (const words of said) {
          assert.ok(helpText.includes(squeeze(words)), `${bin} help ${command.id} says: ${words}`)
          assert.ok(manText.includes(squeeze(words)), `man ${bin}-${command.id} says: ${words}`)
        }
        // The same flags in help's FLAGS as in the page's OPTIONS.
        const helpFlagSection = /^FLAGS\n([\s\S]*?)(?=^[A-Z]|$(?![\s\S]))/m.exec(help.stdout)?.[1] ?? ''
        const helpFlags = [...helpFlagSection.matchAll(/^ {2}(?:-\w, | {4})?(--[a-z][a-z-]*)/gm)].map((match) => match[1]!).sort()
        assert.deepEqual(helpFlags, optionNames(section(text, 'OPTIONS')), `${bin} ${command.id}: help and man list the same flags`)
      }
    }
  })

  it("each executable's page lists its commands, the options every command takes, and every error code", () => {
    for (const bin of BINS) {
      const {text} = groff(join(MAN, `${bin}.1`))
      const commands = section(text, 'COMMANDS')
      for (const command of manifestCommands(bin))
        assert.match(commands, new RegExp(`^ {7}${bin} ${command.id.replace(/:/g, ' ')}$`, 'm'), `${bin}.1 lists ${command.id}`)
      const options = section(text, 'OPTIONS')
      for (const flag of ['--help', '--version', '--color', '--no-pager', '--paginate']) assert.ok(options.includes(flag), `${bin}.1: ${flag}`)
      assert.equal(options.includes('--data-dir'), bin === 'trail', `${bin}.1: --data-dir is trail's alone`)
      // As it behaves: -V, as git's, stands in place of a command (`trail list -V` is an unknown flag).
      assert.match(squeeze(options), /but-V,--version,whichstandinplaceofacommand/, `${bin}.1: where -V goes`)
      const exit = squeeze(section(text, 'EXIT STATUS'))
      for (const [code, {exit: status, meaning}] of Object.entries(ERROR_CODES))
        assert.ok(exit.includes(squeeze(`${code} (exit ${status}) ${meaning}`)), `${bin}.1: ${code}`)
    }
  })

  it('text that roff would read as requests or escapes is printed as written', () => {
    // What roff reads otherwise than as text: a request at a line's start (. and '), escapes (\fB, \n, \\), and
    // characters groff prints as other glyphs (- as a hyphen, quotes curled, ~ and ^ as accents), beyond ASCII.
    const lines = [
      '.TH EVIL 1',
      "'br",
      '.\\" a comment',
      'a \\fBbold\\fR word, a \\n(.x register, a \\\\ backslash, a trailing \\',
      'rm -rf --no-preserve-root ~/x ^y',
      'it\'s `quoted` and "double" quoted',
      '“curly” — dash, é, 日本語',
      '  . indented dot',
    ]
    const definition = defineCommand({
      bin: 'trail',
      name: 'odd words',
      summary: lines[4]!,
      description: lines.join('\n'),
      examples: lines,
      args: [{name: 'it', description: lines[0]!}],
      flags: {'dash-x': {type: 'string', char: 'x', description: lines[3]!, helpValue: '<.value>'}},
      json: false,
      run: async () => null,
      text: () => '',
    })
    const page = manPages('trail', [definition], {version: '0.0.0-test'}).find((each) => each.command === 'trail odd words')!
    assert.ok(page, 'the page of the command')
    // Nothing in the page but our own requests at a line's start, and ASCII only.
    for (const line of page.text.split('\n')) {
      if (/^[.']/.test(line)) assert.match(line, /^\.(?:\\"|TH|SH|SS|TP|PP|RS|RE|nf|fi|br|nh|ad) ?/, `a request: ${line}`)
    }
    assert.match(page.text, /^[\n\t -~]*$/, 'ASCII only')
    const file = join(tempDir('man'), 'trail-odd-words.1')
    writeFileSync(file, page.text)
    const {text, warnings} = groff(file)
    assert.equal(warnings, '')
    const examples = section(text, 'EXAMPLES')
    for (const line of lines) assert.ok(examples.includes(line.trim()), `printed as written: ${line}\n${examples}`)
    assert.ok(section(text, 'OPTIONS').includes('-x, --dash-x <.value>'))
    assert.equal(roffText(".x\n'y"), '\\&.x\n\\(aqy')
  })
})
