import assert from 'node:assert/strict'
import {existsSync, lstatSync, mkdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync} from 'node:fs'
import {join, resolve} from 'node:path'
import {describe, it} from 'node:test'
import {ok} from '../helpers/cli.js'
import {installedCommand, runHookCommand, useScratch} from '../helpers/hooks.js'
import {useRepos, type TestRepo} from '../helpers/repo.js'
import {Trace} from '../helpers/trace.js'
import {commitAs, gitAs} from '../review/helpers.js'

// The edit hook's fast answer (src/services/edit-fast.ts): with the work-tree mirror current and the path index
// (.git/trail/why-paths.json) built for the store's tip, a file's first edit starts one git process (its log) and
// reads no object; the index follows the store (a new link, an amend or a rebase carried by the hooks) and is never
// trusted when it names another tip or cannot be read; and the answer is, in every case, the one the hook gives
// without it (the mirror's state hidden: the hook then asks git for everything, as before the index).

const newRepo = useRepos()
const scratch = useScratch()
let sessions = 0

/**
 * A repository whose src/loop.js (new) and src/app.js (from the first commit, a person's) were shaped by `count`
 * trajectories, through the CLI and the git hooks.
 */
async function shaped(count: number): Promise<TestRepo> {
  const repo = newRepo({dirty: false})
  await ok(repo.dir, ['trail', 'init', '--hooks', '--claude', '--no-mcp'])
  for (let i = 0; i < count; i++)
    await agentCommit(repo, `alice${i}`, {'src/app.js': `console.log("part ${i}")\n`, 'src/loop.js': `// part ${i}\n`}, `Part ${i}`)
  commitAs(repo, null, {'notes/plain.txt': 'no decisions here\n'}, 'A person writes notes')
  return repo
}

/** An agent's trajectory with one decision and one commit (linked by the git hooks), completed. */
async function agentCommit(repo: TestRepo, agent: string, files: Record<string, string>, title: string): Promise<string> {
  await ok(repo.dir, ['trail', 'start', title, '--agent', agent])
  await ok(repo.dir, ['trail', 'decision', `${title}: keep the loop flat`, '--reasoning', `Because of ${title}`, '--agent', agent])
  const commit = commitAs(repo, agent, files, title)
  await ok(repo.dir, ['trail', 'complete', '--summary', `${title} done`, '--agent', agent])
  return commit
}

/** Staged and unstaged changes and an untracked file, so that a test proves the hook leaves them as they are. */
function makeDirty(repo: TestRepo): void {
  repo.write('notes/plain.txt', 'staged\n')
  repo.git(['add', 'notes/plain.txt'])
  repo.write('notes/plain.txt', 'staged, then edited\n')
  repo.write('untracked.txt', 'untracked\n')
}

/** A first edit of `file` in a new Claude Code session, traced: its context (null: none) and what it started and read. */
async function firstEdit(repo: TestRepo, file: string) {
  const command = installedCommand(join(repo.dir, '.claude', 'settings.json'), 'PreToolUse')
  const session = `${String(++sessions).padStart(8, '0')}-0000-4000-8000-000000000001` // a session (and agent) of its own
  const traceFile = join(scratch(), 'trace')
  const payload = {
    session_id: session,
    transcript_path: join(scratch(), `${session}.jsonl`),
    cwd: repo.dir,
    hook_event_name: 'PreToolUse',
    tool_name: 'Edit',
    tool_input: {file_path: resolve(repo.dir, file), old_string: 'a', new_string: 'b'},
  }
  const result = await runHookCommand(command, payload, {cwd: repo.dir, env: {CLAUDE_PROJECT_DIR: repo.dir, RELAY_TRAIL_TRACE: traceFile}})
  assert.equal(result.code, 0, result.stderr)
  assert.equal(result.stderr, '')
  const context =
    result.stdout === '' ? null : (JSON.parse(result.stdout) as {hookSpecificOutput: {additionalContext: string}}).hookSpecificOutput.additionalContext
  return {stdout: result.stdout, context, trace: Trace.read(traceFile)}
}

/** The same first edit without the fast answer: the mirror's state hidden, so the hook asks git for everything. */
async function slowEdit(repo: TestRepo, file: string) {
  const state = join(repo.dir, '.git', 'trail', 'mirror.json')
  renameSync(state, `${state}.hidden`)
  try {
    const result = await firstEdit(repo, file)
    assert.ok(result.trace.processes.includes('cat-file'), `the answer without the index reads the store through git: ${JSON.stringify(result.trace.lines)}`)
    return result
  } finally {
    renameSync(`${state}.hidden`, state)
  }
}

/** The first edit with the index and without it give the same output; returns the one with it. */
async function sameAsWithoutIndex(repo: TestRepo, file: string) {
  const before = repo.userState()
  const fast = await firstEdit(repo, file)
  const slow = await slowEdit(repo, file)
  assert.equal(fast.stdout, slow.stdout, `${file}: the same context with the index and without it`)
  repo.assertUserStateUnchanged(before)
  return fast
}

const indexPath = (repo: TestRepo) => join(repo.dir, '.git', 'trail', 'why-paths.json')
const storeTip = (repo: TestRepo) => repo.git(['rev-parse', 'refs/trail/records']).trim()
const indexTip = (repo: TestRepo) => (JSON.parse(readFileSync(indexPath(repo), 'utf8')) as {tip: string}).tip

describe('the edit hook with a fresh path index', () => {
  it("starts one git process (the file's log) and reads no object for a file's first edit, whatever the store holds", async () => {
    const seen: {processes: string[]; reads: number; files: number; context: string}[] = []
    for (const others of [0, 4]) {
      const repo = await shaped(2)
      for (let i = 0; i < others; i++) await agentCommit(repo, `bob${i}`, {[`other/file${i}.js`]: `${i}\n`}, `Other ${i}`)
      makeDirty(repo)
      await firstEdit(repo, 'notes/plain.txt') // builds the index
      const fast = await sameAsWithoutIndex(repo, 'src/loop.js')
      assert.match(fast.context!, /Part 1: keep the loop flat: Because of Part 1/)
      assert.deepEqual(fast.trace.processes, ['log'])
      // src/app.js also has a person's commit, at a path links name: its patch id is looked up (two processes more).
      const mixed = await sameAsWithoutIndex(repo, 'src/app.js')
      assert.deepEqual([...mixed.trace.processes].sort(), ['diff-tree', 'log', 'patch-id'])
      assert.deepEqual(mixed.trace.reads, [])
      assert.deepEqual(fast.trace.reads, [])
      seen.push({
        processes: fast.trace.processes,
        reads: fast.trace.reads.length,
        files: fast.trace.files.length,
        context: fast.context!.replace(/traj_\w+/g, 'traj_'),
      })
    }
    assert.deepEqual(seen[1], seen[0], 'the same work at two store sizes')
  })

  it('answers nothing with one git process for a file whose commits have no recorded decision, and for an untracked file', async () => {
    const repo = await shaped(1)
    makeDirty(repo)
    await firstEdit(repo, 'src/app.js')
    for (const file of ['notes/plain.txt', 'untracked.txt', 'README.md']) {
      const fast = await sameAsWithoutIndex(repo, file)
      assert.equal(fast.context, null, file)
      assert.deepEqual(fast.trace.processes, ['log'], file)
      assert.deepEqual(fast.trace.reads, [], file)
    }
  })

  it('finds a linked change a person cherry-picked by its patch id, as without the index, after the index was built', async () => {
    const repo = await shaped(1)
    await firstEdit(repo, 'notes/plain.txt') // builds the index, before any link names src/carol.js
    const linked = await agentCommit(repo, 'carol', {'src/carol.js': 'console.log("carol")\n'}, 'Carol adds a module')
    // A person replays carol's change on a branch made before it: a commit nobody linked, with the same patch id. With
    // -x (a line naming the original in its message): within the same second, the replay was carol's commit itself.
    repo.git(['checkout', '--quiet', '-b', 'replay', `${linked}~1`])
    gitAs(repo, null, ['cherry-pick', '-x', linked])
    makeDirty(repo)
    const fast = await sameAsWithoutIndex(repo, 'src/carol.js')
    assert.match(fast.context!, /Carol adds a module: keep the loop flat/)
    assert.ok(fast.trace.processes.includes('patch-id'), 'a commit nobody linked, at a path a link names: its patch id is looked up')
    assert.ok(!fast.trace.processes.includes('cat-file'))
  })
})

describe('the path index is never trusted when stale', () => {
  it('follows the store after a new linked commit, and rebuilds nothing for a person commit', async () => {
    const repo = await shaped(1)
    makeDirty(repo)
    await firstEdit(repo, 'src/app.js')
    assert.equal(indexTip(repo), storeTip(repo))
    const builtAt = indexTip(repo)

    // (a) A new linked commit: the store's tip moved, with a link naming a path the index did not have.
    await agentCommit(repo, 'dave', {'src/other.js': 'console.log("dave")\n'}, 'Dave adds a module')
    const afterLink = await sameAsWithoutIndex(repo, 'src/other.js')
    assert.match(afterLink.context!, /Dave adds a module: keep the loop flat/)
    const linkDiffs = afterLink.trace.lines.filter((line) => line.kind === 'git' && line.fields.join(' ').includes('/commits/*.yaml'))
    assert.equal(linkDiffs.length, 1, 'the index is extended by one diff of the two tips')
    assert.ok(linkDiffs[0]!.fields.join(' ').includes(`${builtAt} ${storeTip(repo)}`), 'from the tip it was built at')
    assert.equal(indexTip(repo), storeTip(repo))
    assert.ok((JSON.parse(readFileSync(indexPath(repo), 'utf8')) as {paths: string[]}).paths.includes('src/other.js'))

    // (b) A person's commit touching the file after the index was built: the history is git's, read every time.
    commitAs(repo, null, {'src/app.js': 'console.log("by a person")\n'}, 'A person edits the app')
    const afterPerson = await sameAsWithoutIndex(repo, 'src/app.js')
    assert.match(afterPerson.context!, /Part 0: keep the loop flat/)
    assert.equal(indexTip(repo), storeTip(repo))
    const indexDiffs = afterPerson.trace.lines.filter((line) => line.kind === 'git' && line.fields.join(' ').includes('/commits/*.yaml'))
    assert.deepEqual(indexDiffs, [], "the index is not rebuilt for a person's commit: the store did not move")
    assert.ok(!afterPerson.trace.processes.includes('cat-file'))
  })

  it('follows the store after an amend and after a rebase carried by the git hooks', async () => {
    const repo = await shaped(1)
    await firstEdit(repo, 'src/app.js')
    // (c) The agent amends its commit (post-rewrite links the new one), then a rebase moves both onto a new base.
    await ok(repo.dir, ['trail', 'start', 'Erin amends', '--agent', 'erin'])
    await ok(repo.dir, ['trail', 'decision', 'Erin: amend the message', '--reasoning', 'A clearer subject', '--agent', 'erin'])
    commitAs(repo, 'erin', {'src/erin.js': 'one\n'}, 'Erin adds a file')
    gitAs(repo, 'erin', ['commit', '--quiet', '--amend', '-m', 'Erin adds a file, amended'])
    await ok(repo.dir, ['trail', 'complete', '--summary', 'Erin done', '--agent', 'erin'])
    const amended = await sameAsWithoutIndex(repo, 'src/erin.js')
    assert.match(amended.context!, /Erin: amend the message/)
    assert.equal(indexTip(repo), storeTip(repo))

    const base = repo.git(['rev-parse', 'HEAD~2']).trim()
    repo.git(['checkout', '--quiet', '-b', 'side', base])
    commitAs(repo, null, {'side.txt': 'side\n'}, 'A side change')
    repo.git(['checkout', '--quiet', 'main'])
    gitAs(repo, null, ['rebase', '--quiet', 'side'])
    makeDirty(repo)
    for (const file of ['src/erin.js', 'src/app.js', 'notes/plain.txt']) await sameAsWithoutIndex(repo, file)
    assert.equal(indexTip(repo), storeTip(repo))
  })

  it('ignores a damaged or foreign index file and rebuilds it, and never reads or writes through a link there', async () => {
    const repo = await shaped(2)
    makeDirty(repo)
    await firstEdit(repo, 'notes/plain.txt')
    const good = readFileSync(indexPath(repo), 'utf8')
    const target = join(scratch(), 'elsewhere.json')
    const lying = JSON.stringify({version: 1, tip: storeTip(repo), paths: []})
    const foreign: [string, () => void][] = [
      ['not JSON', () => writeFileSync(indexPath(repo), '{"version": 1, "tip": ')],
      ['another version', () => writeFileSync(indexPath(repo), JSON.stringify({version: 99, tip: storeTip(repo), paths: []}))],
      ['no paths', () => writeFileSync(indexPath(repo), JSON.stringify({version: 1, tip: storeTip(repo), paths: 'src/app.js'}))],
      ['a tip that is no commit here', () => writeFileSync(indexPath(repo), JSON.stringify({version: 1, tip: 'f'.repeat(40), paths: []}))],
      [
        'a folder',
        () => {
          rmSync(indexPath(repo))
          mkdirSync(indexPath(repo))
          writeFileSync(join(indexPath(repo), 'x'), '')
        },
      ],
      [
        'a link to a file claiming the current tip',
        () => {
          writeFileSync(target, lying)
          rmSync(indexPath(repo), {recursive: true, force: true})
          symlinkSync(target, indexPath(repo))
        },
      ],
    ]
    for (const [what, damage] of foreign) {
      rmSync(indexPath(repo), {recursive: true, force: true})
      writeFileSync(indexPath(repo), good)
      damage()
      const fast = await sameAsWithoutIndex(repo, 'src/app.js')
      assert.match(fast.context!, /Part 1: keep the loop flat/, what)
      assert.ok(lstatSync(indexPath(repo)).isFile() || lstatSync(indexPath(repo)).isDirectory(), what)
      if (lstatSync(indexPath(repo)).isFile()) assert.equal(readFileSync(indexPath(repo), 'utf8'), good, `${what}: rebuilt as it was`)
    }
    assert.equal(readFileSync(target, 'utf8'), lying, 'the file behind the link is never written')
    assert.ok(existsSync(target))
  })

  it("remembers a file's history for HEAD's commit only: no git process in the next session, the log again once HEAD moved", async () => {
    const repo = await shaped(1)
    makeDirty(repo)
    await firstEdit(repo, 'notes/plain.txt')
    const first = await sameAsWithoutIndex(repo, 'src/loop.js')
    assert.deepEqual(first.trace.processes, ['log'])
    const again = await sameAsWithoutIndex(repo, 'src/loop.js')
    assert.deepEqual(again.trace.processes, [], 'the same HEAD: the history is remembered')
    assert.deepEqual(again.trace.reads, [])

    // The agent commits to the file: HEAD moved, so the remembered history is not used.
    await agentCommit(repo, 'frank', {'src/loop.js': '// frank\n'}, 'Frank flattens the loop')
    const moved = await sameAsWithoutIndex(repo, 'src/loop.js')
    assert.match(moved.context!, /Frank flattens the loop: keep the loop flat/)
    assert.ok(moved.trace.processes.includes('log'))

    // A damaged memory, one naming another commit, or a link: ignored, never followed.
    const head = repo.git(['rev-parse', 'HEAD']).trim()
    const file = join(repo.dir, '.git', 'trail', 'why-history', `${head}.json`)
    const target = join(scratch(), 'elsewhere.json')
    const forged = JSON.stringify({version: 1, head, entries: {'100\u0000src/loop.js': []}})
    for (const damage of [
      () => writeFileSync(file, '{"version": 1, "head": '),
      () => writeFileSync(file, JSON.stringify({version: 1, head: 'f'.repeat(40), entries: {'100\u0000src/loop.js': []}})),
      () => {
        writeFileSync(target, forged)
        rmSync(file, {force: true})
        symlinkSync(target, file)
      },
    ]) {
      damage()
      const fast = await sameAsWithoutIndex(repo, 'src/loop.js')
      assert.match(fast.context!, /Frank flattens the loop/)
      assert.ok(fast.trace.processes.includes('log'))
    }
    assert.equal(readFileSync(target, 'utf8'), forged, 'the file behind the link is never written')
  })

  it('leaves the answer to git when the mirror is behind the store or another store may link commits here', async () => {
    const repo = await shaped(1)
    makeDirty(repo)
    await firstEdit(repo, 'notes/plain.txt')
    // Another store: a sibling's records at another tip (here, an older commit of this store).
    repo.git(['update-ref', 'refs/trail/siblings/other/records', 'refs/trail/records~1'])
    const sibling = await firstEdit(repo, 'src/loop.js')
    assert.ok(sibling.trace.processes.includes('cat-file'), 'read through git')
    assert.match(sibling.context!, /Part 0: keep the loop flat/)
    repo.git(['update-ref', '-d', 'refs/trail/siblings/other/records'])
    // The mirror behind: its state names an older commit of the store.
    const state = join(repo.dir, '.git', 'trail', 'mirror.json')
    const current = readFileSync(state, 'utf8')
    writeFileSync(state, current.replace(storeTip(repo), repo.git(['rev-parse', 'refs/trail/records~1']).trim()))
    const behind = await firstEdit(repo, 'src/loop.js')
    assert.ok(behind.trace.processes.includes('cat-file'), 'read through git')
    assert.match(behind.context!, /Part 0: keep the loop flat/)
  })
})
