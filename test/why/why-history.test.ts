import assert from 'node:assert/strict'
import {describe, it} from 'node:test'
import {json, ok} from '../helpers/cli.js'
import {TestRepo, useRepos, useTempDirs} from '../helpers/repo.js'
import {commitAs} from '../review/helpers.js'

// `trail why` where the history it reads is not the whole story: a shallow clone's cut, a file with more commits
// than are read.

const newRepo = useRepos()
const tempDir = useTempDirs()

interface WhyJson {
  trajectories: {id: string; lines: number[]}[]
  unexplained: {lines: number; commits: {subject: string; lines: number[]}[]}
  shallow: {lines: number[]} | null
  newestRead: number | null
}

/** `agent` starts a trajectory, records a decision, commits `files`, and completes it. */
async function agentWork(repo: TestRepo, agent: string, title: string, files: Record<string, string>): Promise<string> {
  const id = (await ok(repo.dir, ['trail', 'start', title, '--agent', agent, '--quiet'])).trim()
  await ok(repo.dir, ['trail', 'decision', `${title}: the decision`, '--agent', agent])
  commitAs(repo, agent, files, title)
  await ok(repo.dir, ['trail', 'complete', '--summary', `${title}: done`, '--agent', agent])
  return id
}

describe('trail why in a shallow clone', () => {
  it('reports the lines before the cut as history not available, never as the boundary commit’s trajectory', async () => {
    const origin = newRepo({dirty: false})
    await ok(origin.dir, ['trail', 'init', '--hooks'])
    commitAs(origin, null, {'parser.js': 'a\nb\nc\n'}, 'A person writes the parser')
    await agentWork(origin, 'alice', 'Tune the config', {'config.js': 'x = 1\n'})
    const bob = await agentWork(origin, 'bob', 'Extend the parser', {'parser.js': 'a\nb\nc\nd\n'})
    const clone = new TestRepo(`${tempDir('shallow')}/clone`)
    clone.git(['clone', '--quiet', '--depth', '2', `file://${origin.dir}`, clone.dir], {cwd: origin.dir})
    clone.git(['fetch', '--quiet', 'origin', 'refs/trail/records:refs/trail/records'])
    const lines = await json<WhyJson>(clone.dir, ['trail', 'why', 'parser.js:1-4'])
    assert.deepEqual(
      lines.trajectories.map((t) => [t.id, t.lines]),
      [[bob, [4]]],
    )
    assert.deepEqual(lines.shallow, {lines: [1, 2, 3]})
    assert.equal(lines.unexplained.lines, 0)
    const text = await ok(clone.dir, ['trail', 'why', 'parser.js:1-4'])
    assert.match(text, /\n\nlines 1-3: history not available here \(a shallow clone; git fetch --unshallow brings it\)\n$/)
    const whole = await json<WhyJson>(clone.dir, ['trail', 'why', 'parser.js'])
    assert.deepEqual(
      whole.trajectories.map((t) => t.id),
      [bob],
    )
    assert.deepEqual(whole.shallow, {lines: []})
    assert.deepEqual(whole.unexplained.commits, [])
  })
})

describe('trail why of a file with more commits than are read', () => {
  it('says only the newest 500 were read, never that 500 is their number', async () => {
    const repo = newRepo({dirty: false})
    const head = repo.git(['rev-parse', 'HEAD']).trim()
    const commits = Array.from({length: 501}, (_, i) => {
      const text = `change ${i}\n`
      return `commit refs/heads/main\ncommitter A <a@example.com> ${1_700_000_000 + i} +0000\ndata 9\nchange ${String(i).padStart(2, '0').slice(-2)}\n${i === 0 ? `from ${head}\n` : ''}M 100644 inline busy.txt\ndata ${text.length}\n${text}\n`
    })
    repo.git(['fast-import', '--quiet'], {input: commits.join('')})
    repo.git(['reset', '--quiet', '--hard'])
    const result = await json<WhyJson>(repo.dir, ['trail', 'why', 'busy.txt'])
    assert.equal(result.newestRead, 500)
    assert.equal(result.unexplained.commits.length, 500)
    const text = await ok(repo.dir, ['trail', 'why', 'busy.txt'])
    assert.match(text, /\n500 commits of this file with no recorded reasoning \(only the newest 500 commits of this file were read\):\n/)
  })
})
