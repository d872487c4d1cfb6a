import assert from 'node:assert/strict'
import {existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {before, describe, it} from 'node:test'
import {abandonTrajectory, addChapter, addDecision, addEvent, completeTrajectory, createTrajectory, validateTrajectory} from 'agent-trajectories'
import {idTime} from '../../src/model/ids.js'
import {json, ok, runCli} from '../helpers/cli.js'
import {MIRROR_WRITE_LIMIT} from '../../src/services/import.js'
import {useRepos, type TestRepo} from '../helpers/repo.js'
import {runTraced} from '../helpers/trace.js'
import {filesUnder, firstDifference, incumbent, toLegacyLayout, trajectoryFiles} from './incumbent.js'

// `trail import` of history written by agent-trajectories 0.6.1 itself: its CLI for a few trajectories that use
// every command (both of its layouts), its own library for hundreds more. Everything comes back field by field
// through `trail export --format agent-trajectories`, and agent-trajectories' own schema accepts what comes back.

const makeRepo = useRepos()

/** History written by the incumbent CLI in `repo`'s .agentworkforce/trajectories/ (its 0.6 layout). */
function writeCliHistory(repo: TestRepo): void {
  const at = (args: string[]) => incumbent(repo.dir, args)
  at([
    'start',
    'Café ünïcode 🚀 "quoted" task',
    '-a',
    'claude',
    '-t',
    'ENG-1',
    '-s',
    'linear',
    '--url',
    'https://linear.app/x/ENG-1',
    '-p',
    'org/repo',
    '-w',
    'wf-1',
  ])
  at(['decision', 'Use JWT', '-r', 'Stateless scaling', '-a', 'sessions,cookies'])
  at(['decision', 'A decision without reasoning'])
  at(['reflect', 'Halfway: the session store is the risk', '-f', 'sessions,tests', '-c', '0.6', '-a', 'Write the store tests first'])
  // A commit while the trajectory is active: agent-trajectories records it, and a trace file, on complete.
  repo.write('src/auth.js', 'export const auth = 1\n')
  repo.git(['add', 'src/auth.js'])
  repo.git(['commit', '--quiet', '-m', 'auth'])
  at(['complete', '--summary', 'Added JWT auth', '--approach', 'TDD', '--confidence', '0.85'])
  at(['start', 'Second, given up'])
  at(['decision', 'Try the old API'])
  at(['abandon', '-r', 'Blocked by missing credentials'])
  at(['start', 'Third, still active', '-a', 'codex'])
  at(['decision', 'Keep going', '-r', 'why not'])
}

/** `count` trajectories made by agent-trajectories' own library, in its 0.5 layout (.trajectories/, index.json). */
function writeLibraryHistory(dir: string, count: number): void {
  const staging = mkdtempSync(join(tmpdir(), 'relay-trail-at-'))
  try {
    for (let i = 0; i < count; i++) {
      let t = createTrajectory({
        title: `${i % 3 === 0 ? 'Réparer' : 'Fix'} bug #${i} ${'✓'.repeat(i % 4)}`,
        ...(i % 4 === 0 ? {source: {system: 'github', id: `GH-${i}`}} : {}),
        projectId: i % 2 ? 'org/app' : undefined,
        tags: i % 5 ? [] : ['tag'],
      })
      t = addChapter(t, {title: 'Investigation', agentName: i % 2 ? 'claude' : 'Code Reviewer'})
      t = addDecision(t, {
        question: `Approach ${i}?`,
        chosen: `Option ${i % 3}`,
        alternatives: (i % 2 ? ['other'] : [{option: 'third', reason: 'slow'}]) as {option: string; reason: string}[],
        reasoning: i % 3 ? `Because ${i}` : '',
      })
      t = addEvent(t, {
        type: ['finding', 'error', 'tool_call', 'note'][i % 4] as 'note',
        content: `event ${i} ✨`,
        significance: i % 2 ? 'low' : undefined,
        raw: i % 3 ? undefined : {detail: i},
      })
      if (i % 6 === 0) t = addChapter(t, {title: 'Fix', agentName: 'codex'})
      t = addEvent(t, {type: 'reflection', content: `reflection ${i}`, significance: 'high', tags: ['focal:x']})
      if (i % 7 === 0) {
        // active
      } else if (i % 5 === 0) t = abandonTrajectory(t, `reason ${i}`)
      else
        t = completeTrajectory(t, {
          summary: `Fixed ${i}`,
          approach: 'Standard approach',
          confidence: (i % 10) / 10,
          challenges: i % 2 ? ['hard'] : undefined,
          learnings: ['learnt'],
        })
      const valid = validateTrajectory(t)
      if (!valid.success) throw new Error(`the library made an invalid trajectory: ${JSON.stringify(valid.errors)}`)
      const month = new Date(t.completedAt ?? t.startedAt).toISOString().slice(0, 7)
      const folder = t.status === 'active' ? join(staging, 'active', t.id) : join(staging, 'completed', month, t.id)
      mkdirSync(folder, {recursive: true})
      writeFileSync(join(folder, 'trajectory.json'), JSON.stringify(valid.data, null, 2))
      writeFileSync(join(folder, 'summary.md'), `# ${t.task.title}\n`)
    }
    toLegacyLayout(staging, dir)
  } finally {
    rmSync(staging, {recursive: true, force: true})
  }
}

/** Every trajectory of the store as agent-trajectories JSON, by its old id, through the CLI's own rebuild. */
async function exportAll(repo: TestRepo): Promise<Map<string, Record<string, unknown>>> {
  const out = mkdtempSync(join(tmpdir(), 'relay-trail-export-'))
  try {
    await ok(repo.dir, ['trail', 'export', '--format', 'agent-trajectories', '--all', '--data-dir', out])
    return trajectoryFiles(out)
  } finally {
    rmSync(out, {recursive: true, force: true})
  }
}

/** The mirror holds every file of the ref, byte for byte, and nothing else. */
function assertMirrorIsRef(repo: TestRepo): void {
  const files = repo.refFiles()
  const mirrored = ['.trail', '.relay'].flatMap((dir) =>
    existsSync(join(repo.dir, dir)) ? filesUnder(join(repo.dir, dir)).map((path) => `${dir}/${path}`) : [],
  )
  assert.deepEqual(mirrored.sort(), [...files.keys()].sort(), 'the mirror has exactly the files of the ref')
  for (const [path, bytes] of files) assert.ok(readFileSync(join(repo.dir, path)).equals(bytes), `${path} is the blob, byte for byte`)
}

/** `count` trajectories in agent-trajectories 0.6's layout, written as its files are (as bench/compat.ts does). */
function writePlainHistory(dir: string, count: number): void {
  const base = Date.parse('2025-01-01T00:00:00Z')
  for (let i = 0; i < count; i++) {
    const id = `traj_${i.toString(36).padStart(12, '0')}`
    const at = base + i * 43_200_000
    const iso = (ms: number) => new Date(ms).toISOString()
    const folder = join(dir, 'completed', iso(at).slice(0, 7), id)
    mkdirSync(folder, {recursive: true})
    const events = [
      {
        ts: at + 1000,
        type: 'decision',
        content: `Q${i}?: A`,
        raw: {question: `Q${i}?`, chosen: 'A', alternatives: [], reasoning: `because ${i}`},
        significance: 'high',
      },
      {ts: at + 2000, type: 'tool_call', content: 'Tool: Edit'},
      {ts: at + 3000, type: 'note', content: `note ${i}`},
    ]
    const trajectory = {
      id,
      version: 1,
      task: {title: `Trajectory ${i}`},
      status: 'completed',
      startedAt: iso(at),
      completedAt: iso(at + 5000),
      agents: [{name: 'claude', role: 'lead', joinedAt: iso(at)}],
      chapters: [{id: `chap_${i}`, title: 'Initial work', agentName: 'claude', startedAt: iso(at), endedAt: iso(at + 5000), events}],
      retrospective: {summary: `Done ${i}`, approach: 'Standard approach', confidence: 0.8},
      commits: [],
      filesChanged: [],
      tags: [],
    }
    writeFileSync(join(folder, 'trajectory.json'), JSON.stringify(trajectory, null, 2))
  }
}

describe('trail import of agent-trajectories history', () => {
  let repo: TestRepo
  let sources: Map<string, Record<string, unknown>>
  const LIBRARY_COUNT = 300

  before(() => {
    repo = makeRepo({dirty: true})
    writeCliHistory(repo)
    writeLibraryHistory(join(repo.dir, '.trajectories'), LIBRARY_COUNT)
    sources = new Map([...trajectoryFiles(join(repo.dir, '.agentworkforce', 'trajectories')), ...trajectoryFiles(join(repo.dir, '.trajectories'))])
  })

  it('finds both layouts by itself and imports every trajectory in one commit, mirrored into .trail/ byte for byte', async () => {
    const before = repo.userState()
    const dry = await json<{imported: unknown[]; dryRun: boolean}>(repo.dir, ['trail', 'import', '--dry-run'])
    assert.equal(dry.dryRun, true)
    assert.equal(dry.imported.length, LIBRARY_COUNT + 3)
    assert.equal(repo.gitOrEmpty(['rev-parse', '--verify', '--quiet', 'refs/trail/records']), '', 'a dry run writes nothing')

    const result = await runCli(repo.dir, ['trail', 'import'])
    assert.equal(result.code, 0, result.stderr)
    assert.match(result.stdout, new RegExp(`imported ${LIBRARY_COUNT + 3} trajectories`))
    assert.match(result.stdout, /\.trajectories/)
    assert.match(result.stdout, /\.agentworkforce\/trajectories/)
    assert.equal(repo.git(['rev-list', '--count', 'refs/trail/records']).trim(), '1')
    repo.assertUserStateUnchanged(before)
    // Below the limit, the import mirrors what it wrote, as any write does.
    assertMirrorIsRef(repo)
  })

  it("gives every trajectory back equal on every field, and agent-trajectories' schema accepts it", async () => {
    const exported = await exportAll(repo)
    assert.equal(exported.size, sources.size)
    for (const [id, source] of sources) {
      const back = exported.get(id)
      assert.ok(back, `${id} was exported`)
      assert.equal(firstDifference(back, source), null, id)
      assert.equal(validateTrajectory(back).success, true, id)
    }
  })

  it('keeps the trace file agent-trajectories wrote on completion', async () => {
    const traced = [...sources.values()].find((t) => (t._trace as {traceId?: string} | undefined)?.traceId)
    assert.ok(traced, 'the CLI history has a trace')
    const out = mkdtempSync(join(tmpdir(), 'relay-trail-export-'))
    try {
      await ok(repo.dir, ['trail', 'export', '--format', 'agent-trajectories', '--all', '--data-dir', out])
      const traceFile = filesUnder(out).find((file) => file.endsWith(`${String(traced.id)}.trace.json`))
      assert.ok(traceFile)
      const original = filesUnder(join(repo.dir, '.agentworkforce', 'trajectories')).find((file) => file.endsWith('.trace.json'))!
      assert.deepEqual(
        JSON.parse(readFileSync(join(out, traceFile), 'utf8')),
        JSON.parse(readFileSync(join(repo.dir, '.agentworkforce', 'trajectories', original), 'utf8')),
      )
    } finally {
      rmSync(out, {recursive: true, force: true})
    }
    const text = await ok(repo.dir, ['trail', 'show', String(traced.id), '--trace'])
    assert.match(text, /start ref: [0-9a-f]{40}/)
    assert.match(text, /src\/auth\.js/)
  })

  it('keeps the original times: ids and day folders follow the start', async () => {
    const listed = await json<{trajectories: {id: string; started: string; legacyId: string}[]}>(repo.dir, ['trail', 'list', '--limit', '1000'])
    assert.equal(listed.trajectories.length, sources.size)
    for (const t of listed.trajectories) {
      const source = sources.get(t.legacyId)!
      assert.equal(t.started, source.startedAt)
      assert.equal(idTime(t.id).getTime(), Date.parse(String(source.startedAt)))
    }
    const files = repo.git(['ls-tree', '-r', '--name-only', 'refs/trail/records', '--', '.trail/trajectories'])
    const first = listed.trajectories[0]!
    const day = new Date(first.started).toISOString().slice(0, 10).replace(/-/g, '/')
    assert.ok(files.includes(`.trail/trajectories/${day}/${first.id}/trajectory.md`))
  })

  it('maps decisions, their questions and reasoning (none hidden), reflections and the abandon reason to fields', async () => {
    const first = [...sources.values()].find((t) => String((t.task as {title: string}).title).startsWith('Café'))!
    const detail = await json<{
      title: string
      agent: string
      task: string
      source: string
      project: string
      workflow: string
      confidence: number
      summary: string
      approach: string
      decisions: {kind: string; title: string; reasoning: string | null; alternatives: string[]; confidence: number | null}[]
    }>(repo.dir, ['trail', 'show', String(first.id)])
    assert.equal(detail.title, 'Café ünïcode 🚀 "quoted" task')
    assert.deepEqual([detail.agent, detail.task, detail.source, detail.project, detail.workflow], ['claude', 'ENG-1', 'linear', 'org/repo', 'wf-1'])
    assert.deepEqual([detail.summary, detail.approach, detail.confidence], ['Added JWT auth', 'TDD', 0.85])
    assert.deepEqual(
      detail.decisions.map((d) => [d.kind, d.title, d.reasoning, d.alternatives, d.confidence]),
      [
        ['decision', 'Use JWT', 'Stateless scaling', ['sessions', 'cookies'], null],
        ['decision', 'A decision without reasoning', null, [], null],
        ['reflection', 'Halfway: the session store is the risk', null, [], 0.6],
      ],
    )
    const text = await ok(repo.dir, ['trail', 'show', String(first.id), '--decisions'])
    assert.match(text, /A decision without reasoning/, 'a decision without reasoning is shown, not hidden')
    const abandoned = [...sources.values()].find((t) => (t.task as {title: string}).title === 'Second, given up')!
    const shown = await json<{status: string; reason: string}>(repo.dir, ['trail', 'show', String(abandoned.id)])
    assert.deepEqual([shown.status, shown.reason], ['abandoned', 'Blocked by missing credentials'])
  })

  it('makes the active trajectories active again, for their agents', async () => {
    const status = await json<{active: {title: string; legacyId: string} | null}>(repo.dir, ['trail', 'status', '--agent', 'codex'])
    assert.equal(status.active?.title, 'Third, still active')
  })

  it('adds nothing when run again', async () => {
    const tip = repo.git(['rev-parse', 'refs/trail/records'])
    const again = await json<{imported: unknown[]; alreadyThere: number}>(repo.dir, ['trail', 'import'])
    assert.deepEqual(again.imported, [])
    assert.equal(again.alreadyThere, sources.size)
    assert.equal(repo.git(['rev-parse', 'refs/trail/records']), tip)
  })

  it('adds only what the old tool wrote since', async () => {
    const active = [...sources.values()].find((t) => (t.task as {title: string}).title === 'Third, still active')!
    incumbent(repo.dir, ['decision', 'One more, written by the old tool', '-r', 'after the import'])
    incumbent(repo.dir, ['complete', '--summary', 'Finished in the old tool'])
    const before = repo.userState()
    const result = await json<{imported: {legacyId: string; events: number; updated: boolean; status: string}[]}>(repo.dir, ['trail', 'import'])
    assert.deepEqual(
      result.imported.map((t) => [t.legacyId, t.events, t.updated, t.status]),
      [[String(active.id), 1, true, 'completed']],
    )
    assert.equal(repo.git(['rev-list', '--count', 'refs/trail/records']).trim(), '2')
    const updated = trajectoryFiles(join(repo.dir, '.agentworkforce', 'trajectories')).get(String(active.id))!
    const back = JSON.parse(await ok(repo.dir, ['trail', 'export', String(active.id), '--format', 'agent-trajectories']))
    assert.equal(firstDifference(back, updated), null)
    const status = await json<{active: unknown}>(repo.dir, ['trail', 'status', '--agent', 'codex'])
    assert.equal(status.active, null, 'the finished trajectory is no longer active')
    repo.assertUserStateUnchanged(before)
  })

  it('finds a trajectory by the id it had in agent-trajectories', async () => {
    const [oldId] = sources.keys()
    const detail = await json<{legacyId: string; id: string}>(repo.dir, ['trail', 'show', oldId!])
    assert.equal(detail.legacyId, oldId)
    assert.match(detail.id, /^traj_[0-9a-z]{26}$/)
  })

  it('says an unknown old id is not there', async () => {
    const result = await runCli(repo.dir, ['trail', 'show', 'traj_nosuchthing'])
    assert.equal(result.code, 3)
    assert.match(result.stderr, /^error: no trajectory matches 'traj_nosuchthing'\nhint: /)
  })
})

describe('trail import of more records than the mirror writes at once', () => {
  it('puts every record on the ref, says the folders are left to trail init, which builds them equal to the ref', async () => {
    const repo = makeRepo({dirty: true})
    // Four files a trajectory (the trajectory, three events): just over the limit.
    const count = Math.floor(MIRROR_WRITE_LIMIT / 4) + 1
    writePlainHistory(join(repo.dir, '.agentworkforce', 'trajectories'), count)
    const before = repo.userState()
    const result = await runCli(repo.dir, ['trail', 'import'])
    assert.equal(result.code, 0, result.stderr)
    assert.match(result.stdout, new RegExp(`imported ${count} trajectories and ${3 * count} events`))
    assert.match(result.stdout, /the \.trail\/ and \.relay\/ folders are not written for so many files: trail init writes them/)
    assert.ok(!existsSync(join(repo.dir, '.trail')), 'no mirror was written')
    repo.assertUserStateUnchanged(before)

    // Every command reads the ref: all of it is there at once.
    const listed = await json<{trajectories: unknown[]}>(repo.dir, ['trail', 'list', '--limit', String(count + 10)])
    assert.equal(listed.trajectories.length, count)
    const shown = await json<{title: string}>(repo.dir, ['trail', 'show', `traj_${(count - 1).toString(36).padStart(12, '0')}`])
    assert.equal(shown.title, `Trajectory ${count - 1}`)
    const doctor = await runCli(repo.dir, ['trail', 'doctor'])
    assert.match(doctor.stdout, /trail doctor --fix \(or trail init\) mirrors every record/)

    // A write meanwhile mirrors its own record, and the mirror stays partial.
    await ok(repo.dir, ['trail', 'start', 'After the import'])
    await ok(repo.dir, ['trail', 'init'])
    assertMirrorIsRef(repo)
    repo.assertUserStateUnchanged(before)
  })

  it("json says so too; a commit of over 1 MiB is git fast-import's, a small one is made in the process", async () => {
    const repo = makeRepo({dirty: true})
    writePlainHistory(join(repo.dir, 'history'), Math.floor(MIRROR_WRITE_LIMIT / 4) + 1)
    const large = await runTraced(repo.dir, ['trail', 'import', 'history', '--json'])
    const result = JSON.parse(large.stdout) as {mirrorDeferred: boolean; commit: string | null}
    assert.equal(result.mirrorDeferred, true)
    assert.ok(result.commit)
    // Over CARRIED_BYTES of records: fast-import compresses them (a pack made here stores them as they are).
    assert.ok(large.trace.processes.includes('fast-import'), large.trace.processes.join(' '))
    assert.ok(!large.trace.lines.some((line) => line.kind === 'commit'))
    const small = makeRepo({dirty: true})
    writePlainHistory(join(small.dir, 'history'), 3)
    const few = await runTraced(small.dir, ['trail', 'import', 'history', '--json'])
    assert.equal((JSON.parse(few.stdout) as {mirrorDeferred: boolean}).mirrorDeferred, false)
    assert.ok(!few.trace.processes.includes('fast-import'), few.trace.processes.join(' '))
    assert.ok(few.trace.lines.some((line) => line.kind === 'commit-end' && line.fields[1] === 'updated'))
    assertMirrorIsRef(small)
    await repo.fsck('refs/trail/records')
    await small.fsck('refs/trail/records')
  })
})

describe('trail import of files agent-trajectories cannot load', () => {
  it('reports each one with the reason, imports the others, and exits 1', async () => {
    const repo = makeRepo({dirty: true})
    const dir = join(repo.dir, '.agentworkforce', 'trajectories')
    const good = createTrajectory({title: 'Fine'})
    repo.write('.agentworkforce/trajectories/active/ok.json', JSON.stringify(good))
    repo.write('.agentworkforce/trajectories/completed/2026-01/broken.json', '{"id": "traj_x", ')
    repo.write(
      '.agentworkforce/trajectories/completed/2026-01/invalid.json',
      JSON.stringify({...good, id: 'traj_other', task: {title: ''}, status: 'completed'}),
    )
    const before = repo.userState()
    const result = await runCli(repo.dir, ['trail', 'import'])
    assert.equal(result.code, 1)
    assert.match(result.stdout, /imported 1 trajectory/)
    assert.match(result.stdout, /unreadable: 2 files/)
    assert.match(result.stdout, /broken\.json: not JSON/)
    assert.match(result.stdout, /invalid\.json: agent-trajectories' schema refuses it: task\.title: Trajectory title is required/)
    repo.assertUserStateUnchanged(before)
    assert.ok(filesUnder(dir).length === 3, 'the old files are left where they are')
  })

  it('says where it looked when there is nothing to import', async () => {
    const repo = makeRepo({dirty: true})
    const result = await runCli(repo.dir, ['trail', 'import'])
    assert.equal(result.code, 2)
    assert.match(result.stderr, /^error: found no agent-trajectories history to import\nhint: looked for \.trajectories and \.agentworkforce\/trajectories/)
  })
})

describe('trail import of one trajectory found in several files', () => {
  it('imports the newest file once, in the place of the first, and counts the other as already there', async () => {
    const repo = makeRepo({dirty: true})
    const older = {...createTrajectory({title: 'Older copy'}), id: 'traj_twice', status: 'active'}
    const newer = {...older, task: {title: 'Newer copy'}, status: 'completed', completedAt: new Date(Date.parse(older.startedAt) + 60_000).toISOString()}
    const other = {...createTrajectory({title: 'Another'}), id: 'traj_zzz_other'}
    // .trajectories/ is read first: the newer file comes second, the older first.
    repo.write('.trajectories/active/traj_twice.json', JSON.stringify(older))
    repo.write('.trajectories/active/traj_zzz_other.json', JSON.stringify(other))
    repo.write('.agentworkforce/trajectories/completed/2026-01/traj_twice/trajectory.json', JSON.stringify(newer))
    const before = repo.userState()
    const result = await json<{imported: {legacyId: string; title: string; status: string}[]; alreadyThere: number}>(repo.dir, ['trail', 'import'])
    assert.deepEqual(
      result.imported.map((t) => [t.legacyId, t.title, t.status]),
      [
        ['traj_twice', 'Newer copy', 'completed'],
        ['traj_zzz_other', 'Another', 'active'],
      ],
    )
    assert.equal(result.alreadyThere, 1)
    assert.equal(repo.git(['ls-tree', '-r', '--name-only', 'refs/trail/records', '--', '.trail/trajectories']).match(/trajectory\.md/g)?.length, 2)
    const status = await json<{active: {legacyId: string} | null}>(repo.dir, ['trail', 'status', '--agent', 'default'])
    assert.equal(status.active?.legacyId, 'traj_zzz_other', 'the older file left no active marker')
    repo.assertUserStateUnchanged(before)
  })

  it('reports a trajectory file that is a symbolic link, and never reads through it', async () => {
    const repo = makeRepo({dirty: true})
    const outside = makeRepo()
    outside.write('secret.json', JSON.stringify({...createTrajectory({title: 'Behind a link'}), id: 'traj_linked'}))
    repo.write('.agentworkforce/trajectories/active/ok.json', JSON.stringify({...createTrajectory({title: 'Plain'}), id: 'traj_plain'}))
    symlinkSync(join(outside.dir, 'secret.json'), join(repo.dir, '.agentworkforce/trajectories/active/linked.json'))
    const before = repo.userState()
    const run = await runCli(repo.dir, ['trail', 'import', '--json'])
    assert.equal(run.code, 1, 'an unreadable file makes the exit code 1')
    const result = JSON.parse(run.stdout) as {imported: {legacyId: string}[]; unreadable: {path: string; problem: string}[]}
    assert.deepEqual(
      result.imported.map((t) => t.legacyId),
      ['traj_plain'],
    )
    assert.deepEqual(
      result.unreadable.map((u) => [u.path.endsWith('linked.json'), u.problem]),
      [[true, 'a symbolic link: not followed']],
    )
    repo.assertUserStateUnchanged(before)
  })
})

describe('trail list beside agent-trajectories history', () => {
  it('says how to import it when the store has no trajectory', async () => {
    const repo = makeRepo({dirty: true})
    incumbent(repo.dir, ['start', 'Old work'])
    const result = await runCli(repo.dir, ['trail', 'list'])
    assert.equal(result.code, 0)
    assert.equal(result.stdout, '')
    assert.match(result.stderr, /agent-trajectories history is in .*\.agentworkforce\/trajectories: import it with: trail import/)
  })

  it('says nothing of it once there are records', async () => {
    const repo = makeRepo({dirty: true})
    incumbent(repo.dir, ['start', 'Old work'])
    await ok(repo.dir, ['trail', 'start', 'New work'])
    const result = await runCli(repo.dir, ['trail', 'list'])
    assert.doesNotMatch(result.stderr, /trail import/)
  })
})
