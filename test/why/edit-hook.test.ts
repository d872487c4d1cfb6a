import assert from 'node:assert/strict'
import {readFileSync, renameSync, rmSync, symlinkSync, writeFileSync} from 'node:fs'
import {join, resolve} from 'node:path'
import {describe, it} from 'node:test'
import {ok} from '../helpers/cli.js'
import {installedCommand, runHookCommand, useScratch} from '../helpers/hooks.js'
import {useRepos, type TestRepo} from '../helpers/repo.js'
import {Trace} from '../helpers/trace.js'
import {commitAs} from '../review/helpers.js'

// The edit hook, called exactly as the tools call it: the command from the installed settings through a shell, in
// the project folder, the documented payload on stdin. Before an agent first edits a file in a session, it adds the
// decisions that shaped the file; never twice for one file in a session; nothing for a file without decisions.

const newRepo = useRepos()
const scratch = useScratch()
const SESSION = '5b1d7c2e-0000-4000-8000-000000000001'

/** A repository whose src/app.js was shaped by `count` trajectories (alice0, alice1...), through the CLI and the git hooks. */
async function shaped(count: number, reasoning = 'Because the tests said so', decisions = 1): Promise<TestRepo> {
  const repo = newRepo({dirty: false})
  await ok(repo.dir, ['trail', 'init', '--hooks', '--claude', '--gemini', '--no-mcp'])
  for (let i = 0; i < count; i++) {
    const agent = `alice${i}`
    await ok(repo.dir, ['trail', 'start', `Shape the app, part ${i}`, '--agent', agent])
    for (let d = 0; d < decisions; d++) {
      await ok(repo.dir, [
        'trail',
        'decision',
        `Decision ${i}${d > 0 ? `.${d}` : ''}: keep the loop flat`,
        '--reasoning',
        reasoning,
        '--alternatives',
        'recursion,a queue',
        '--agent',
        agent,
      ])
    }
    commitAs(repo, agent, {'src/app.js': `console.log("part ${i}")\n`}, `Part ${i}`)
    await ok(repo.dir, ['trail', 'complete', '--summary', `Part ${i} done`, '--agent', agent])
  }
  commitAs(repo, null, {'notes/plain.txt': 'no decisions here\n'}, 'A person writes notes')
  return repo
}

function claudeEdit(repo: TestRepo, file: string, transcript: string, env: Record<string, string> = {}) {
  const command = installedCommand(join(repo.dir, '.claude', 'settings.json'), 'PreToolUse')
  const payload = {
    session_id: SESSION,
    transcript_path: transcript,
    cwd: repo.dir,
    permission_mode: 'default',
    hook_event_name: 'PreToolUse',
    tool_name: 'Edit',
    tool_input: {file_path: resolve(repo.dir, file), old_string: 'a', new_string: 'b'},
    tool_use_id: 'toolu_01',
  }
  return runHookCommand(command, payload, {cwd: repo.dir, env: {CLAUDE_PROJECT_DIR: repo.dir, ...env}})
}

/** claudeEdit with RELAY_TRAIL_TRACE: its result, and the git processes it started and the objects it read. */
async function tracedEdit(repo: TestRepo, file: string, transcript: string) {
  const traceFile = join(scratch(), 'trace')
  const result = await claudeEdit(repo, file, transcript, {RELAY_TRAIL_TRACE: traceFile})
  assert.equal(result.code, 0, result.stderr)
  return {...result, trace: Trace.read(traceFile)}
}

/** The additional context of a PreToolUse answer, or null for an empty answer. */
function contextOf(stdout: string): string | null {
  return stdout === '' ? null : (JSON.parse(stdout) as {hookSpecificOutput: {additionalContext: string}}).hookSpecificOutput.additionalContext
}

describe('the edit hook', () => {
  it('adds the decisions that shaped a file before its first edit in a Claude Code session, and only then', async () => {
    const repo = await shaped(2)
    const transcript = join(scratch(), `${SESSION}.jsonl`)
    const before = repo.userState()
    const first = await claudeEdit(repo, 'src/app.js', transcript)
    assert.equal(first.code, 0, first.stderr)
    const output = JSON.parse(first.stdout) as {hookSpecificOutput: {hookEventName: string; additionalContext: string}}
    assert.equal(output.hookSpecificOutput.hookEventName, 'PreToolUse')
    const context = output.hookSpecificOutput.additionalContext
    assert.match(context, /^## Decisions that shaped `src\/app\.js`\n/)
    assert.match(
      context,
      /### Shape the app, part 1 \(traj_\w+, completed\)\nPart 1 done\n- Decision 1: keep the loop flat: Because the tests said so\. Alternatives: recursion; a queue\./,
    )
    assert.ok(context.indexOf('part 1') < context.indexOf('part 0'), 'newest first')
    const second = await claudeEdit(repo, 'src/app.js', transcript)
    assert.equal(second.code, 0, second.stderr)
    assert.equal(second.stdout, '', 'a file is never repeated in a session')
    const plain = await claudeEdit(repo, 'notes/plain.txt', transcript)
    assert.equal(plain.stdout, '', 'nothing for a file without recorded decisions')
    const created = await claudeEdit(repo, 'src/new-file.js', transcript)
    assert.equal(created.stdout, '', 'nothing for a new file')
    assert.equal(created.stderr, '')
    repo.assertUserStateUnchanged(before)
  })

  it('keeps the context within its budget, cutting a trajectory to its newest decisions and counting what it left out', async () => {
    const repo = await shaped(3, 'A long explanation. '.repeat(40), 5)
    const result = await tracedEdit(repo, 'src/app.js', join(scratch(), `${SESSION}.jsonl`))
    const context = contextOf(result.stdout)!
    assert.ok(context.length <= 4000 && context.length > 3500, `${context.length} characters`)
    assert.match(context, /### Shape the app, part 2 .*\nPart 2 done\n- Decision 2\.4: /)
    // Every decision is shown or counted: in a trajectory cut short, or in one left out (five each).
    const shownDecisions = (context.match(/^- Decision /gm) ?? []).length
    const cut = Number(/\n\((\d+) more decisions?: `trail why src\/app\.js`\)\n/.exec(context)?.[1] ?? 0)
    const left = Number(/\n\((\d+) more trajector(?:y|ies) not shown: `trail why src\/app\.js`\)\n$/.exec(context)?.[1] ?? 0)
    assert.ok(cut > 0, context)
    assert.equal(shownDecisions + cut + 5 * left, 15, context)
    // Read as trees through git, or as the work-tree mirror's folders (the fast answer: src/services/edit-fast.ts).
    const eventFolders = [...result.trace.treePaths, ...result.trace.files.map((file) => file.replace(/^list /, ''))].filter((path) => /\/events$/.test(path))
    assert.ok(eventFolders.length >= (context.match(/^### /gm) ?? []).length)
  })

  it('shows the newest decisions of a trajectory too long to fit whole, the same with the fast answer and without it', async () => {
    // A tester's case: an older trajectory of one decision, a newer one of 45; the context showed no decision at all.
    const repo = newRepo({dirty: false})
    await ok(repo.dir, ['trail', 'init', '--hooks', '--claude', '--no-mcp'])
    for (const [agent, title, count] of [
      ['alice', 'Small older', 1],
      ['bob', 'Many newer', 45],
    ] as const) {
      await ok(repo.dir, ['trail', 'start', title, '--agent', agent])
      for (let d = 0; d < count; d++)
        await ok(repo.dir, [
          'trail',
          'decision',
          `${title} ${d}`,
          '--reasoning',
          `Reason ${d}: ${'the field separator must stay a tab. '.repeat(2)}`,
          '--agent',
          agent,
        ])
      commitAs(repo, agent, {'f2.txt': `${title}\n`}, title)
    }
    const transcript = join(scratch(), `${SESSION}.jsonl`)
    const fast = contextOf((await tracedEdit(repo, 'f2.txt', transcript)).stdout)!
    assert.ok(fast.length <= 4000 && fast.length > 3500, `${fast.length} characters`)
    assert.match(fast, /### Many newer .*\n- Many newer 44: Reason 44: /)
    const more = Number(/\n\((\d+) more decisions: `trail why f2\.txt`\)\n/.exec(fast)?.[1])
    assert.equal((fast.match(/^- Many newer /gm) ?? []).length + more, 45)
    assert.match(fast, /\n\(1 more trajectory not shown: `trail why f2\.txt`\)\n$/)
    // Without the mirror's state the hook asks git for everything (explainLines): the same context.
    rmSync(join(repo.dir, '.git', 'trail', 'sessions'), {recursive: true})
    const state = join(repo.dir, '.git', 'trail', 'mirror.json')
    renameSync(state, `${state}.hidden`)
    const slow = await tracedEdit(repo, 'f2.txt', transcript)
    renameSync(`${state}.hidden`, state)
    assert.ok(slow.trace.processes.includes('cat-file'), 'read through git')
    assert.equal(contextOf(slow.stdout), fast)
  })

  it('tells a file reached through a linked folder as the file itself, and never twice however it is reached', async () => {
    const repo = await shaped(1)
    const transcript = join(scratch(), `${SESSION}.jsonl`)
    symlinkSync('src', join(repo.dir, 'srclink')) // a link in the work tree to a folder of it
    const outside = join(scratch(), 'project')
    symlinkSync(repo.dir, outside) // the work tree through a link (macOS's /tmp is one)
    const linked = await claudeEdit(repo, join(repo.dir, 'srclink', 'app.js'), transcript)
    assert.equal(linked.stderr, '')
    assert.match(contextOf(linked.stdout) ?? '', /^## Decisions that shaped `src\/app\.js`\n[\s\S]*Decision 0: keep the loop flat/)
    for (const path of [join(repo.dir, 'src', 'app.js'), join(outside, 'src', 'app.js'), join(outside, 'srclink', 'app.js')]) {
      const again = await claudeEdit(repo, path, transcript)
      assert.equal(again.stdout, '', `${path}: the same file, already shown`)
    }
    rmSync(join(repo.dir, '.git', 'trail', 'sessions'), {recursive: true}) // a new session
    const throughOutside = await claudeEdit(repo, join(outside, 'srclink', 'app.js'), transcript)
    assert.equal(contextOf(throughOutside.stdout), contextOf(linked.stdout))
  })

  it("says when it read only the file's newest 100 commits, the same with the fast answer and without it", async () => {
    const repo = newRepo({dirty: false})
    await ok(repo.dir, ['trail', 'init', '--hooks', '--claude', '--no-mcp'])
    for (const [agent, people] of [
      ['alice', 100],
      ['bob', 0],
    ] as const) {
      await ok(repo.dir, ['trail', 'start', `Work of ${agent}`, '--agent', agent])
      await ok(repo.dir, ['trail', 'decision', `Decision of ${agent}`, '--reasoning', 'Because', '--agent', agent])
      commitAs(repo, agent, {'long.txt': `${agent}\n`}, `By ${agent}`)
      for (let i = 0; i < people; i++) commitAs(repo, null, {'long.txt': `${i}\n`}, `Person ${i}`, {hooks: false})
    }
    const transcript = join(scratch(), `${SESSION}.jsonl`)
    const fast = contextOf((await tracedEdit(repo, 'long.txt', transcript)).stdout) ?? ''
    assert.match(fast, /Decision of bob/)
    assert.doesNotMatch(fast, /Decision of alice/, 'behind the newest 100 commits')
    assert.match(fast, /\n\(Only the newest 100 commits of this file were looked at: `trail why long\.txt` reads more\.\)\n$/)
    rmSync(join(repo.dir, '.git', 'trail', 'sessions'), {recursive: true})
    const state = join(repo.dir, '.git', 'trail', 'mirror.json')
    renameSync(state, `${state}.hidden`)
    const slow = await tracedEdit(repo, 'long.txt', transcript)
    renameSync(`${state}.hidden`, state)
    assert.equal(contextOf(slow.stdout), fast)
  })

  it('names a file with quotes, backticks and $( ) for a shell and for Markdown in the command it suggests', async () => {
    const repo = newRepo({dirty: false})
    await ok(repo.dir, ['trail', 'init', '--hooks', '--claude', '--no-mcp'])
    await ok(repo.dir, ['trail', 'start', 'Odd names', '--agent', 'alice'])
    await ok(repo.dir, ['trail', 'decision', 'Keep the odd name', '--reasoning', 'A customer asked for it', '--agent', 'alice'])
    const file = "tick`s $(id) it's.txt"
    commitAs(repo, 'alice', {[file]: 'odd\n'}, 'An odd name')
    const context = contextOf((await claudeEdit(repo, file, join(scratch(), `${SESSION}.jsonl`))).stdout) ?? ''
    assert.match(context, /Keep the odd name/)
    const command = "trail why 'tick`s $(id) it'\\''s.txt'"
    assert.ok(context.startsWith(`## Decisions that shaped \`\`${file}\`\`\n\nRecorded by earlier agents (\`\`${command}\`\` shows more).`), context)
  })

  it("answers Gemini CLI's AfterTool of read_file in its own JSON, once a session, and write_file of a file it read adds nothing", async () => {
    const repo = await shaped(1)
    const settings = join(repo.dir, '.gemini', 'settings.json')
    const command = installedCommand(settings, 'AfterTool')
    // Gemini CLI's BeforeTool has no context to add: nothing of ours is installed there.
    const installed = JSON.parse(readFileSync(settings, 'utf8')) as {hooks: Record<string, {matcher?: string; hooks: {command: string}[]}[]>}
    assert.equal(installed.hooks.BeforeTool, undefined)
    assert.equal(installed.hooks.AfterTool![0]!.matcher, 'read_file|write_file|replace')
    const payload = (tool: string, input: Record<string, string>) => ({
      session_id: 'gemini-session-1',
      cwd: repo.dir,
      hook_event_name: 'AfterTool',
      tool_name: tool,
      tool_input: input,
      tool_response: {llmContent: 'ok'},
    })
    // Older Gemini CLI names read_file's path absolute_path.
    const first = await runHookCommand(command, payload('read_file', {absolute_path: join(repo.dir, 'src/app.js')}), {cwd: repo.dir})
    assert.equal(first.code, 0, first.stderr)
    const output = JSON.parse(first.stdout) as {hookSpecificOutput: {hookEventName: string; additionalContext: string}}
    assert.equal(output.hookSpecificOutput.hookEventName, 'AfterTool')
    assert.match(output.hookSpecificOutput.additionalContext, /Decision 0: keep the loop flat/)
    const write = await runHookCommand(command, payload('write_file', {file_path: 'src/app.js', content: 'x'}), {cwd: repo.dir})
    assert.equal(write.stdout, '{}\n', 'Gemini CLI wants JSON every time')
  })

  it("moves an older install of the Gemini CLI edit hook from BeforeTool to AfterTool, keeping the user's own BeforeTool hooks", async () => {
    const repo = await shaped(1)
    const settings = join(repo.dir, '.gemini', 'settings.json')
    const value = JSON.parse(readFileSync(settings, 'utf8')) as {hooks: Record<string, unknown[]>}
    const ours = installedCommand(settings, 'AfterTool')
    delete value.hooks.AfterTool
    value.hooks.BeforeTool = [
      {matcher: 'write_file|replace', hooks: [{type: 'command', command: ours, timeout: 10_000}]},
      {matcher: 'run_shell_command', hooks: [{type: 'command', command: './audit.sh'}]},
    ]
    writeFileSync(settings, `${JSON.stringify(value, null, 2)}\n`)
    await ok(repo.dir, ['trail', 'init', '--gemini'])
    const after = JSON.parse(readFileSync(settings, 'utf8')) as {hooks: Record<string, {matcher?: string; hooks: {command: string}[]}[]>}
    assert.deepEqual(
      after.hooks.BeforeTool!.map((group) => group.hooks[0]!.command),
      ['./audit.sh'],
    )
    assert.equal(installedCommand(settings, 'AfterTool'), ours)
  })
})

describe('the edit hook, run by parallel tool calls', () => {
  it('shows each file once per session when many hooks run at the same time: no update lost, no file shown twice', async () => {
    // Claude Code runs the hooks of parallel tool calls at the same time: each first edit must be remembered.
    const repo = newRepo({dirty: false})
    await ok(repo.dir, ['trail', 'init', '--hooks', '--claude', '--no-mcp'])
    await ok(repo.dir, ['trail', 'start', 'Shape the files', '--agent', 'alice'])
    await ok(repo.dir, ['trail', 'decision', 'Keep the files small', '--reasoning', 'Easier to review', '--agent', 'alice'])
    const files = Array.from({length: 12}, (_, i) => `src/f${i}.js`)
    commitAs(repo, 'alice', Object.fromEntries(files.map((file) => [file, `// ${file}\n`])), 'Small files')
    const transcript = join(scratch(), `${SESSION}.jsonl`)
    const first = await Promise.all(files.map((file) => claudeEdit(repo, file, transcript)))
    for (const [i, result] of first.entries()) assert.match(contextOf(result.stdout) ?? '', /Keep the files small/, files[i])
    const again = await Promise.all(files.map((file) => claudeEdit(repo, file, transcript)))
    assert.deepEqual(
      again.map((result) => result.stdout),
      files.map(() => ''),
      'none shown again',
    )
    // One file's first edit by several parallel calls: shown by one of them.
    rmSync(join(repo.dir, '.git', 'trail', 'sessions'), {recursive: true})
    const same = await Promise.all(Array.from({length: 8}, () => claudeEdit(repo, 'src/f0.js', transcript)))
    assert.equal(same.filter((result) => result.stdout !== '').length, 1, 'shown once')
  })
})

describe('the cost of the edit hook', () => {
  it('answers from the session file alone, with no git process and no object read, a file already shown, a file outside the repository and the repository itself', async () => {
    const repo = await shaped(1)
    const transcript = join(scratch(), `${SESSION}.jsonl`)
    const first = await tracedEdit(repo, 'src/app.js', transcript)
    assert.match(contextOf(first.stdout)!, /Decision 0: keep the loop flat/)
    assert.ok(first.trace.processes.length > 0, 'a first edit looks decisions up')
    const outside = join(scratch(), 'elsewhere.js')
    const before = repo.userState()
    for (const file of ['src/app.js', outside, '.', '../outside.js']) {
      const again = await tracedEdit(repo, file, transcript)
      assert.equal(again.stdout, '', file)
      assert.equal(again.stderr, '', file)
      assert.deepEqual(again.trace.processes, [], `${file}: no git process`)
      assert.deepEqual(again.trace.reads, [], `${file}: no object read`)
    }
    repo.assertUserStateUnchanged(before)
  })

  it('looks a new file up with one `git ls-tree` of HEAD and no reader, a folder with the reader alone', async () => {
    const repo = await shaped(1)
    const transcript = join(scratch(), `${SESSION}.jsonl`)
    // A new file: the edit hook's own bundle reads HEAD's commit from git's files and lists the path in its tree (a
    // git with no pipe: no reader started). A folder goes to the whole hook (the history decides what a path that is
    // not a file held): HEAD, then the path, read by the reader.
    for (const [file, processes, reads] of [
      ['src/new-file.js', ['ls-tree'], []],
      ['src', ['cat-file'], ['', 'src']],
    ] as const) {
      const result = await tracedEdit(repo, file, transcript)
      assert.equal(result.stdout, '', file)
      assert.equal(result.stderr, '', file)
      assert.deepEqual(result.trace.processes, processes, file)
      assert.deepEqual(
        result.trace.reads.map((read) => read.path),
        reads,
        file,
      )
    }
  })

  it('a path HEAD has that the work tree lacks is never taken for new: a file named like pathspec magic, a link', async () => {
    const repo = await shaped(1)
    const transcript = join(scratch(), `${SESSION}.jsonl`)
    // ':x' is a file, not pathspec magic (given to git as is, it names nothing); 'linked' is a symbolic link.
    writeFileSync(join(repo.dir, ':x'), 'a colon\n')
    symlinkSync('src/app.js', join(repo.dir, 'linked'))
    repo.git(['add', '--', ':(literal):x', 'linked'])
    repo.git(['commit', '--quiet', '-m', 'A file named :x, and a link'])
    for (const file of [':x', 'linked']) {
      rmSync(join(repo.dir, file))
      const result = await tracedEdit(repo, file, transcript)
      assert.equal(result.stderr, '', file)
      assert.equal(result.trace.processes[0], 'ls-tree', file)
      assert.ok(result.trace.processes.length > 1, `${file}: handed over to the whole hook, which reads its history`)
    }
  })

  it('a new file in a repository with no commit yet: answered with no git process at all', async () => {
    const repo = newRepo({empty: true})
    await ok(repo.dir, ['trail', 'init', '--claude', '--no-mcp'])
    const result = await tracedEdit(repo, 'src/first.js', join(scratch(), `${SESSION}.jsonl`))
    assert.equal(result.stdout, '')
    assert.equal(result.stderr, '')
    assert.deepEqual(result.trace.processes, [])
  })

  it('a look-up of HEAD that fails is the whole hook’s to answer, and the file is not taken as shown', async () => {
    const repo = await shaped(1)
    const transcript = join(scratch(), `${SESSION}.jsonl`)
    // HEAD names a commit the repository does not have: git ls-tree fails.
    const head = repo.git(['rev-parse', 'HEAD']).trim()
    writeFileSync(join(repo.dir, '.git', 'refs', 'heads', 'main'), `${'0123456789'.repeat(4)}\n`)
    try {
      const result = await tracedEdit(repo, 'src/new-file.js', transcript)
      assert.equal(result.code, 0)
      assert.equal(result.trace.processes[0], 'ls-tree')
      assert.ok(result.trace.processes.length > 1, `the whole hook looked for itself: ${JSON.stringify(result.trace.processes)}`)
    } finally {
      writeFileSync(join(repo.dir, '.git', 'refs', 'heads', 'main'), `${head}\n`)
    }
  })

  it('tells a file deleted from the work tree only by its history, as for a file the work tree has', async () => {
    const repo = await shaped(1)
    const file = 'src/app.js'
    const kept = readFileSync(join(repo.dir, file), 'utf8')
    const transcript = join(scratch(), `${SESSION}.jsonl`)
    const shown = contextOf((await tracedEdit(repo, file, transcript)).stdout)
    assert.match(shown ?? '', /Decisions that shaped `src\/app\.js`/)
    rmSync(join(repo.dir, '.git', 'trail', 'sessions'), {recursive: true}) // a new session: the file is not shown yet
    rmSync(join(repo.dir, file))
    try {
      const deleted = await tracedEdit(repo, file, transcript)
      assert.equal(contextOf(deleted.stdout), shown)
      assert.equal(deleted.stderr, '')
    } finally {
      writeFileSync(join(repo.dir, file), kept)
    }
  })

  it('computes no patch id for a file whose commits no link key can match', async () => {
    // Trajectories recorded, but no git hooks: no commit is linked, so the store has no link key at all.
    const repo = newRepo({dirty: false})
    await ok(repo.dir, ['trail', 'init', '--claude', '--no-mcp'])
    await ok(repo.dir, ['trail', 'start', 'Shape the app', '--agent', 'alice'])
    await ok(repo.dir, ['trail', 'decision', 'Keep the loop flat', '--reasoning', 'Because', '--agent', 'alice'])
    commitAs(repo, 'alice', {'src/app.js': 'one\n'}, 'One')
    commitAs(repo, null, {'src/app.js': 'one\ntwo\n'}, 'Two')
    const before = repo.userState()
    const result = await tracedEdit(repo, 'src/app.js', join(scratch(), `${SESSION}.jsonl`))
    assert.equal(result.stdout, '')
    assert.ok(result.trace.processes.includes('log'), 'the history is read')
    assert.deepEqual(
      result.trace.processes.filter((name) => name === 'diff-tree' || name === 'patch-id'),
      [],
    )
    repo.assertUserStateUnchanged(before)
  })

  it("reads as many objects and starts the same git processes for a file's first edit whatever else the store holds", async () => {
    const counts: {processes: string[]; reads: number; context: string}[] = []
    for (const others of [0, 3]) {
      const repo = await shaped(1)
      for (let i = 0; i < others; i++) {
        const agent = `bob${i}`
        await ok(repo.dir, ['trail', 'start', `Other work ${i}`, '--agent', agent])
        await ok(repo.dir, ['trail', 'decision', `Other decision ${i}`, '--reasoning', 'Elsewhere', '--agent', agent])
        commitAs(repo, agent, {[`other/file${i}.js`]: `${i}\n`}, `Other ${i}`)
        await ok(repo.dir, ['trail', 'complete', '--summary', `Other ${i} done`, '--agent', agent])
      }
      const result = await tracedEdit(repo, 'src/app.js', join(scratch(), `${SESSION}.jsonl`))
      const context = contextOf(result.stdout)!
      counts.push({processes: [...result.trace.processes].sort(), reads: result.trace.reads.length, context: context.replace(/traj_\w+/g, 'traj_')})
    }
    assert.match(counts[0]!.context, /Decision 0: keep the loop flat/)
    assert.deepEqual(counts[1], counts[0])
  })
})
