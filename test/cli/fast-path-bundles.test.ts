import assert from 'node:assert/strict'
import {spawnSync} from 'node:child_process'
import {existsSync, readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, it} from 'node:test'
import {HOT_RELAY} from '../../src/cli/hot-relay.js'
import {HOT_TRAIL} from '../../src/cli/hot-trail.js'
import {COMMANDS as SERVERS} from '../../src/cli/hot-families/relay-serve.js'
import {ok, ROOT, runCli} from '../helpers/cli.js'
import {testEnv, useRepos, useTempDirs} from '../helpers/repo.js'

// bin/fast-path.cjs loads the bundle of the hot command's family (dist/hot-<bin>-<family>.cjs, by
// dist/hot-routes.json), the whole executable's when it cannot tell the command from argv, and oclif only for
// what the fast path does not serve. RELAY_TRAIL_TRACE says which: `fast-path <bundle>`, then `oclif <bin>`.

const newRepo = useRepos()
const tempDir = useTempDirs()
const routes = JSON.parse(readFileSync(join(ROOT, 'dist', 'hot-routes.json'), 'utf8')) as Record<'trail' | 'relay', Record<string, string>> & {
  partial: Record<'trail' | 'relay', Record<string, string>>
}

/** The bundle bin/fast-path.cjs loads first for `argv`: a part's (three words), else the command's family's. */
function firstBundle(argv: readonly string[]): string {
  const [bin, ...words] = argv as ['trail' | 'relay', ...string[]]
  const part = routes.partial[bin][words.slice(0, 3).join(' ')]
  if (part) return `hot-${part}`
  const name = Object.keys(routes[bin]).find((command) => command.split(' ').every((word, i) => words[i] === word))!
  return `hot-${routes[bin][name]}`
}

/** Runs a command with a trace; what it printed, its exit code, and the fast path's lines of the trace. */
async function traced(cwd: string, argv: ['trail' | 'relay', ...string[]], options: {input?: string; env?: Record<string, string>} = {}) {
  const trace = join(tempDir('trace'), 'trace')
  const result = await runCli(cwd, argv, {
    input: options.input ?? '',
    env: {TRAIL_AGENT: 'tester', AGENT_RELAY_NAME: 'tester', ...options.env, RELAY_TRAIL_TRACE: trace},
  })
  const lines = existsSync(trace)
    ? readFileSync(trace, 'utf8')
        .split('\n')
        .map((line) => line.split('\t').slice(1))
        .filter((fields) => fields[0] === 'fast-path' || fields[0] === 'oclif')
        .map((fields) => fields.join(' '))
    : []
  rmSync(trace, {force: true})
  return {...result, lines}
}

describe('the fast path loads one family’s bundle', () => {
  it('dist/hot-routes.json names every hot command of both executables once, and nothing else', () => {
    assert.deepEqual(Object.keys(routes.trail).sort(), HOT_TRAIL.map((definition) => definition.name).sort())
    // The servers have a family of their own, and are not in the whole bundle (src/cli/hot-relay.ts says why).
    assert.deepEqual(Object.keys(routes.relay).sort(), [...HOT_RELAY, ...SERVERS].map((definition) => definition.name).sort())
    // A part of a command is served by a smaller bundle: the edit hook of every agent tool, run before every edit.
    assert.deepEqual(routes.partial, {
      trail: {},
      relay: Object.fromEntries(['claude', 'codex', 'gemini', 'cursor'].map((tool) => [`hook ${tool} pre-edit`, 'relay-pre-edit'])),
    })
  })

  it('no bundle’s source is made in the young generation, which its first scavenge would copy (scripts/build.mjs)', () => {
    // Read as bin/fast-path.cjs reads it, and wrapped as it wraps it, in a process of its own: V8 puts a string
    // of 128 KiB or more in the large-object space, so the new space does not grow by the source.
    const files = readdirSync(join(ROOT, 'dist')).filter((name) => /^hot-.*\.cjs$/.test(name))
    assert.ok(files.includes('hot-relay-pre-edit.cjs') && files.includes('hot-relay-edit-context.cjs'), files.join(' '))
    // One process per bundle: a scavenge while another bundle is read would hide what this one adds.
    const probe = `
      const {readFileSync} = require('node:fs'), v8 = require('node:v8'), Module = require('node:module'), {Script} = require('node:vm')
      const used = () => v8.getHeapSpaceStatistics().find((space) => space.space_name === 'new_space').space_used_size
      used() // its first call allocates too
      const file = process.argv[1], before = used()
      new Script(Module.wrap(readFileSync(file, 'latin1')), {filename: file, cachedData: readFileSync(file + '.cache')})
      const grown = used() - before // before process.stdout is made
      process.stdout.write(String(grown))`
    for (const name of files) {
      const file = join(ROOT, 'dist', name)
      const result = spawnSync(process.execPath, ['-e', probe, file], {encoding: 'utf8'})
      assert.equal(result.status, 0, result.stderr)
      assert.ok(Number(result.stdout) < 32 * 1024, `${name}: the new space grew by ${result.stdout} bytes`)
    }
  })

  it('every bundle is built, ASCII (read as latin1) and has its code cache', () => {
    // Every family's, routed to or loaded by another bundle (the edit hook's fast answer).
    const families = readdirSync(join(ROOT, 'src', 'cli', 'hot-families')).map((file) => file.replace(/\.ts$/, ''))
    const bundles = new Set(['trail', 'relay', ...families])
    for (const routed of [...Object.values(routes.trail), ...Object.values(routes.relay), ...Object.values(routes.partial.relay)])
      assert.ok(bundles.has(routed), routed)
    for (const name of bundles) {
      const file = join(ROOT, 'dist', `hot-${name}.cjs`)
      assert.ok(existsSync(file), file)
      assert.equal(readFileSync(file, 'latin1').search(/[^\x00-\x7f]/), -1, `${file} is ASCII`)
      assert.ok(existsSync(`${file}.cache`), `${file}.cache`)
    }
    // A family's bundle holds less than the whole executable's: that is its point.
    for (const family of new Set(Object.values(routes.trail))) {
      assert.ok(readFileSync(join(ROOT, 'dist', `hot-${family}.cjs`)).length < readFileSync(join(ROOT, 'dist', 'hot-trail.cjs')).length, family)
    }
    // Its code: without the comment a small bundle is padded with (scripts/build.mjs, LARGE_SOURCE).
    const size = (name: string) => readFileSync(join(ROOT, 'dist', `hot-${name}.cjs`), 'latin1').replace(/\n\/\/ padded to [^\n]*\n\/*\n$/, '').length
    assert.ok(size('relay-pre-edit') < size('relay-hook') * 0.15, 'the edit hook’s bundle is a small part of the hook family’s')
    assert.ok(size('relay-edit-context') < size('relay-hook') * 0.35, 'and so is the fast answer’s')
    // The fast answer reads: none of the write machinery (GitRepo, the mirror's writer, the store's transactions).
    const fastAnswer = readFileSync(join(ROOT, 'dist', 'hot-relay-edit-context.cjs'), 'latin1')
    const hookFamily = readFileSync(join(ROOT, 'dist', 'hot-relay-hook.cjs'), 'latin1')
    for (const writer of ['GitRepo', 'WarmCommitWriter', 'Mirror', 'Store', 'ObjectReader']) {
      const declared = new RegExp(`\\b${writer}\\d*=class\\b`) // esbuild may number a name it renames
      assert.match(hookFamily, declared, `${writer} is found as the build declares it`)
      assert.doesNotMatch(fastAnswer, declared, `the fast answer's bundle holds no ${writer}`)
    }
    // Nor what writes records: their rendering and the redaction rules it applies (src/model/kind-paths.ts keeps where
    // records are filed apart from the registry of parse and render), a third of the bundle when they were in it.
    for (const writing of ['renderRecord', 'renderTrajectory', 'redactUncached', 'redactTokens']) {
      const declared = new RegExp(`\\bfunction ${writing}\\d*\\(`)
      assert.match(hookFamily, declared, `${writing} is found as the build declares it`)
      assert.doesNotMatch(fastAnswer, declared, `the fast answer's bundle holds no ${writing}`)
    }
  })

  // Each hot command once, through the executable, with what it needs: its family's bundle serves it, oclif is
  // never loaded, and it does its job (exit 0).
  // A command that is refused says so by its exit code (`code`); __OTHER__ is a second repository, __DIR__ an empty
  // folder. The set-up commands (init, the dashboard's export) read this installation's templates and pages from the
  // bundle's place as well as from dist/src/ (src/package-files.ts).
  const calls: {argv: ['trail' | 'relay', ...string[]]; input?: string; env?: Record<string, string>; code?: number}[] = [
    {argv: ['trail', 'start', 'Bundles']},
    {argv: ['trail', 'decision', 'One bundle a family', '--reasoning', 'smaller loads']},
    {argv: ['trail', 'status']},
    {argv: ['trail', 'phase', 'review']},
    {argv: ['trail', 'event', 'a note']},
    {argv: ['trail', 'reflect', 'so far so good']},
    {argv: ['trail', 'complete', '--summary', 'Done', '--confidence', '0.9']},
    {argv: ['trail', 'start', 'Left open by another agent'], env: {TRAIL_AGENT: 'other'}},
    {argv: ['trail', 'resume', '__LAST__']},
    {argv: ['trail', 'abandon', '--reason', 'test']},
    {argv: ['trail', 'list']},
    {argv: ['trail', 'show', '__FIRST__']},
    {argv: ['trail', 'export']},
    {argv: ['trail', 'why', 'README.md']},
    {argv: ['trail', 'review', 'HEAD']},
    {argv: ['trail', 'hook-git', 'post-commit']},
    {argv: ['trail', '__complete', '--', 'show', '']},
    {argv: ['relay', 'continuity', 'save', 'Current task: bundles']},
    {argv: ['relay', 'continuity', 'uncertain', 'the bundles']},
    {argv: ['relay', 'continuity', 'load']},
    {argv: ['relay', 'send', 'Designer', 'The bundles are in']},
    {argv: ['relay', 'inbox']},
    {argv: ['relay', 'thread', 'bundles']},
    {argv: ['relay', 'search', 'bundles']},
    {argv: ['relay', 'hook', 'claude', 'pre-edit'], input: '{}'},
    {argv: ['relay', 'ingest'], input: 'Working on the bundles.\n'},
    {argv: ['relay', 'sync']},
    {argv: ['relay', '__complete', '--', 'send', '']},
    {argv: ['trail', 'init']},
    {argv: ['trail', 'doctor']},
    {argv: ['trail', 'sync', '__OTHER__']},
    {argv: ['trail', 'import', '__DIR__'], code: 2},
    {argv: ['trail', 'completion', 'bash']},
    {argv: ['trail', 'enable'], code: 2},
    {argv: ['trail', 'disable'], code: 2},
    {argv: ['trail', 'compact'], code: 2},
    {argv: ['relay', 'continuity', 'search', 'bundles']},
    {argv: ['relay', 'project']},
    {argv: ['relay', 'bridge', 'add', 'sibling', '__OTHER__']},
    {argv: ['relay', 'bridge', 'list']},
    {argv: ['relay', 'bridge', 'remove', 'sibling']},
    {argv: ['relay', 'completion', 'fish']},
    {argv: ['relay', 'mcp']},
    {argv: ['relay', 'dashboard', '--export', '__DIR__']},
  ]

  it('runs every hot command from its family’s bundle, never through oclif, and leaves the user’s repository as it was', async () => {
    for (const bin of ['trail', 'relay'] as const) {
      const run = new Set(
        calls
          .filter((call) => call.argv[0] === bin)
          .map((call) => Object.keys(routes[bin]).find((name) => name.split(' ').every((word, i) => call.argv[i + 1] === word))),
      )
      assert.deepEqual([...run].sort(), Object.keys(routes[bin]).sort(), `every hot ${bin} command is called`)
    }
    const repo = newRepo()
    const other = newRepo()
    const before = repo.userState()
    let first = ''
    let last = ''
    for (const call of calls) {
      const named: Record<string, () => string> = {__FIRST__: () => first, __LAST__: () => last, __OTHER__: () => other.dir, __DIR__: () => tempDir('empty')}
      const argv = call.argv.map((word) => named[word]?.() ?? word) as typeof call.argv
      const result = await traced(repo.dir, argv, {input: call.input, env: call.env})
      if (argv[1] === 'start') last = /traj_\w+/.exec(result.stdout)?.[0] ?? ''
      first ||= last
      assert.equal(result.code, call.code ?? 0, `${argv.join(' ')}: ${result.stderr}`)
      assert.deepEqual(result.lines, [`fast-path ${firstBundle(argv)}`], argv.join(' '))
    }
    repo.assertUserStateUnchanged(before)
  })

  it('global flags before the command do not hide it: --color, --color=never, --no-pager, --data-dir <path>', async () => {
    const repo = newRepo()
    const result = await traced(repo.dir, ['trail', '--color', '--color=never', '--no-pager', 'list'])
    assert.equal(result.code, 0, result.stderr)
    assert.deepEqual(result.lines, ['fast-path hot-trail-reads'])
    const relay = await traced(repo.dir, ['relay', '--no-color', 'continuity', 'load'])
    assert.equal(relay.code, 0, relay.stderr)
    assert.deepEqual(relay.lines, ['fast-path hot-relay-ledger'])
    const dataDir = tempDir('data-dir')
    const incumbent = await traced(repo.dir, ['trail', '--data-dir', dataDir, 'status'])
    assert.deepEqual(incumbent.lines, ['fast-path hot-trail-writes'])
  })

  it('a bad global flag is reported by the fast path as before, with or without a command', async () => {
    const repo = newRepo()
    for (const argv of [
      ['trail', '--color=purple', 'list'],
      ['trail', '--color=purple'],
    ] as ['trail', ...string[]][]) {
      const result = await traced(repo.dir, argv)
      assert.equal(result.code, 2, `${argv.join(' ')}: ${result.stderr}`)
      assert.match(result.stderr, /^error: .*purple.*\nhint: /, argv.join(' '))
      assert.deepEqual(result.lines, [argv.length === 3 ? 'fast-path hot-trail-reads' : 'fast-path hot-trail'])
    }
  })

  it('help, and a command no executable has, go on to oclif; the version does not', async () => {
    const repo = newRepo()
    const help = await traced(repo.dir, ['trail', 'decision', '--help'])
    assert.equal(help.code, 0, help.stderr)
    assert.match(help.stdout, /decision/)
    assert.deepEqual(help.lines, ['fast-path hot-trail-writes', 'oclif trail'])
    const unknown = await traced(repo.dir, ['relay', 'brige', 'list'])
    assert.equal(unknown.code, 2, unknown.stderr)
    assert.match(unknown.stderr, /relay bridge/)
    assert.deepEqual(unknown.lines, ['fast-path hot-relay', 'oclif relay'])
    for (const bin of ['trail', 'relay'] as const) {
      for (const spelling of [['-V'], ['--version'], ['version'], ['--color=never', '-V']]) {
        const version = await traced(repo.dir, [bin, ...spelling])
        assert.equal(version.code, 0, version.stderr)
        assert.equal(
          version.stdout,
          `${bin}/${JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version} ${process.platform}-${process.arch} node-${process.version}\n`,
        )
        assert.deepEqual(version.lines, [`fast-path hot-${bin}`], spelling.join(' '))
      }
    }
  })

  it('the edit hook’s bundle hands what it cannot answer to the hook’s, with the payload it read, and the answer is the same', async () => {
    const repo = newRepo()
    const before = repo.userState()
    const payload = (session: string, file: string) =>
      JSON.stringify({
        session_id: session,
        cwd: repo.dir,
        hook_event_name: 'PreToolUse',
        tool_name: 'Write',
        tool_input: {file_path: join(repo.dir, file), content: 'new'},
      })
    const hook = ['relay', 'hook', 'claude', 'pre-edit'] as ['relay', ...string[]]
    // A folder: only the whole hook's explainLines can tell what it held (the fast answer gives up), so the edit is
    // handed over, and the path is remembered as seen once, by the hook that answered.
    const handed = await traced(repo.dir, hook, {input: payload('handover-0001', 'src')})
    assert.equal(handed.code, 0, handed.stderr)
    assert.equal(handed.stdout, '')
    assert.equal(handed.stderr, '')
    assert.deepEqual(handed.lines, ['fast-path hot-relay-pre-edit', 'fast-path hot-relay-edit-context', 'fast-path hot-relay-hook'])
    const again = await traced(repo.dir, hook, {input: payload('handover-0001', 'src')})
    assert.deepEqual(again.lines, ['fast-path hot-relay-pre-edit'], 'already seen: answered without the hook’s bundle')
    assert.equal(again.stdout, '')
    // A new file: the edit hook's own bundle answers (nothing shaped it), after one look-up in HEAD's tree.
    const created = await traced(repo.dir, hook, {input: payload('handover-0001', 'src/new-file.ts')})
    assert.deepEqual(created.lines, ['fast-path hot-relay-pre-edit'])
    assert.equal(created.stdout, '')
    assert.equal(created.stderr, '')
    // A payload with a problem: the whole hook reads the same bytes and says what is wrong, as when called first.
    const broken = await traced(repo.dir, hook, {input: '{"session_id": "handover-0002", "tool_input": '})
    assert.equal(broken.code, 0, broken.stderr)
    assert.deepEqual(broken.lines, ['fast-path hot-relay-pre-edit', 'fast-path hot-relay-hook'])
    const direct = await traced(repo.dir, ['relay', 'hook', 'claude', 'response'], {input: '{"session_id": "handover-0002", "tool_input": '})
    assert.match(broken.stderr, /^warning: relay hook claude pre-edit: .+/)
    assert.equal(broken.stderr.replace('pre-edit', 'response').split('\n')[0], direct.stderr.split('\n')[0])
    // Other arguments go to the hook's bundle untouched.
    const extra = await traced(repo.dir, [...hook, 'surplus'], {input: '{}'})
    assert.deepEqual(extra.lines, ['fast-path hot-relay-pre-edit', 'fast-path hot-relay-hook'])
    assert.equal(extra.code, 2, extra.stderr)
    assert.match(extra.stderr, /^error: .*surplus/)
    repo.assertUserStateUnchanged(before)
  })
})

describe('the fast path loads Node’s built-in modules only when a command uses them', () => {
  /** The built-in modules a node process loaded beyond what `node -e 0` loads, written at exit by a preload. */
  function builtinsLoaded(args: string[], cwd: string, input = '', extraEnv: NodeJS.ProcessEnv = {}): string[] {
    const dir = tempDir('modules')
    const preload = join(dir, 'preload.cjs')
    const out = join(dir, 'modules.json')
    writeFileSync(
      preload,
      `const base = new Set(process.moduleLoadList)\nprocess.on('exit', () => require('node:fs').writeFileSync(${JSON.stringify(out)}, JSON.stringify(process.moduleLoadList.filter((m) => !base.has(m)))))\n`,
    )
    const result = spawnSync(process.execPath, ['-r', preload, ...args], {
      cwd,
      input,
      env: testEnv({TRAIL_AGENT: 'tester', AGENT_RELAY_NAME: 'tester', ...extraEnv}),
    })
    assert.equal(result.status, 0, result.stderr.toString())
    return (JSON.parse(readFileSync(out, 'utf8')) as string[])
      .filter((name) => name.startsWith('NativeModule '))
      .map((name) => name.slice('NativeModule '.length))
  }

  it('loading any bundle (its top level, no command) loads none of child_process, net, os, tty, util, crypto', () => {
    const dir = tempDir('load')
    for (const name of new Set(['trail', 'relay', ...readdirSync(join(ROOT, 'src', 'cli', 'hot-families')).map((file) => file.replace(/\.ts$/, ''))])) {
      const loaded = builtinsLoaded(['-e', `require(${JSON.stringify(join(ROOT, 'dist', `hot-${name}.cjs`))})`], dir)
      assert.deepEqual(
        loaded.filter((module) => ['child_process', 'net', 'os', 'tty', 'util', 'crypto', 'http', 'stream'].includes(module)),
        [],
        name,
      )
    }
  })

  it('a hot command never loads node:module (its source-map and ES loader parts) unless it makes a require', () => {
    const repo = newRepo()
    for (const argv of [
      [join(ROOT, 'bin', 'trail.cjs'), 'start', 'Modules'],
      [join(ROOT, 'bin', 'trail.cjs'), 'decision', 'No node:module'],
      [join(ROOT, 'bin', 'trail.cjs'), 'status'],
      [join(ROOT, 'bin', 'relay.cjs'), 'continuity', 'load'],
    ]) {
      assert.ok(!builtinsLoaded(argv, repo.dir).includes('module'), argv.slice(1).join(' '))
    }
  })

  /** Claude Code's payload for an edit of the README in `dir`. */
  const readmeEdit = (dir: string, session: string) =>
    JSON.stringify({
      session_id: session,
      cwd: dir,
      hook_event_name: 'PreToolUse',
      tool_name: 'Edit',
      tool_input: {file_path: join(dir, 'README.md'), old_string: 'app', new_string: 'App'},
    })
  const hook = [join(ROOT, 'bin', 'relay.cjs'), 'hook', 'claude', 'pre-edit']

  it('the edit hook on a file already shown runs no git and never loads child_process; a write does', () => {
    const repo = newRepo()
    const payload = readmeEdit(repo.dir, 'lazy-0001')
    builtinsLoaded(hook, repo.dir, payload)
    assert.ok(!builtinsLoaded(hook, repo.dir, payload).includes('child_process'), 'already shown: no child_process')
    assert.ok(builtinsLoaded([join(ROOT, 'bin', 'trail.cjs'), 'start', 'Lazy'], repo.dir).includes('child_process'), 'a write spawns git')
  })

  it('a file’s first edit runs its log without pipes (src/git/pipeless.ts): no child_process, net or stream', async () => {
    const repo = newRepo()
    for (const argv of [
      ['init', '--claude', '--no-mcp'],
      ['start', 'Lazy'],
      ['decision', 'Keep the README short', '--reasoning', 'it is read first'],
    ]) {
      await ok(repo.dir, ['trail', ...argv], {env: {TRAIL_AGENT: 'tester'}})
    }
    const before = repo.userState()
    const trace = join(tempDir('trace'), 'trace')
    const loaded = builtinsLoaded(hook, repo.dir, readmeEdit(repo.dir, 'pipeless-0001'), {RELAY_TRAIL_TRACE: trace})
    const lines = readFileSync(trace, 'utf8')
      .trim()
      .split('\n')
      .map((line) => line.split('\t').slice(1, 3).join(' '))
    assert.deepEqual(
      lines.filter((line) => line.startsWith('git')),
      ['git log', 'git-exit log'],
      'the fast answer ran the log',
    )
    assert.deepEqual(
      lines.filter((line) => line.startsWith('fast-path')),
      ['fast-path hot-relay-pre-edit', 'fast-path hot-relay-edit-context'],
    )
    assert.deepEqual(
      loaded.filter((module) => ['child_process', 'net', 'stream'].includes(module)),
      [],
    )
    repo.assertUserStateUnchanged(before)
  })
})
