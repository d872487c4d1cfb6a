import assert from 'node:assert/strict'
import {describe, it} from 'node:test'
import {pathOf} from '../../src/model/kind-paths.js'
import {KINDS, kindOfPath, pathspecsOf, readRecordAt, RECORD_KINDS, type KindName, type RecordOf} from '../../src/model/kinds.js'
import {parseYaml} from '../../src/model/front-matter.js'
import type {AgentName, ProjectName, ThreadId} from '../../src/model/names.js'

// The registry of record kinds: every kind renders and parses back to itself, its path shape and its content
// agree, and a field this version does not know survives a read-modify-write.

const agent = 'claude' as AgentName
const traj = 'traj_01kaaaaaaaaaaaaaaaaaaaaaaa'
const msg = 'msg_01kbbbbbbbbbbbbbbbbbbbbbbb'

/** One full example of every kind, every optional field set. A kind added to the registry must add one here. */
const SAMPLES: {[K in KindName]: RecordOf<K>} = {
  format: {format: 1},
  trajectory: {
    id: traj,
    title: 'Fix login bug: "quotes", ünïcödé and a #hash',
    status: 'completed',
    agent,
    started: '2025-11-14T10:00:00.000Z',
    updated: '2025-11-14T11:00:00.000Z',
    ended: '2025-11-14T11:00:00.000Z',
    task: 'agent-relay-123',
    source: 'beads',
    url: 'https://example.com/issues/123',
    branch: 'feature/login',
    summary: 'Fixed it.\n\nSecond paragraph.',
    confidence: 0.85,
    approach: 'Bisect, then a test.',
    challenges: ['flaky test', 'a, comma'],
    learnings: ['read the logs first'],
    reason: 'not abandoned, but the field is kept',
  },
  event: {
    id: 'ev_01kaaaaaaaaaaaaaaaaaaaaaab',
    kind: 'decision',
    trajectory: traj,
    agent,
    at: '2025-11-14T10:05:00.000Z',
    title: 'Chose JWT over sessions',
    reasoning: 'Stateless scaling',
    alternatives: ['sessions', 'opaque tokens'],
    confidence: 0.7,
  },
  activeMarker: {trajectory: traj, agent, started: '2025-11-14T10:00:00.000Z'},
  project: {id: 'backend' as ProjectName, lead: 'Architect' as AgentName, updated: '2025-11-14T10:00:00.000Z'},
  ledger: {
    agent,
    updated: '2025-11-14T10:00:00.000Z',
    currentTask: 'Implementing auth',
    completed: ['User model'],
    inProgress: ['Login endpoint'],
    nextSteps: ['Logout'],
    keyDecisions: ['Refresh tokens'],
    files: [{path: 'src/auth/jwt.ts', lines: '10-50'}, {path: 'src/models/*.ts'}],
    uncertain: ['rate limits'],
    notes: [{label: 'Risks', text: 'clock skew\nsecond line'}],
    handoff: 'ho_01kaaaaaaaaaaaaaaaaaaaaaaa',
  },
  handoff: {
    id: 'ho_01kaaaaaaaaaaaaaaaaaaaaaaa',
    agent,
    created: '2025-11-14T10:00:00.000Z',
    trajectory: {id: traj, title: 'Fix login bug', decisions: [{title: 'Chose JWT', reasoning: 'Stateless', confidence: 0.8}, {title: 'No reasoning'}]},
    currentTask: 'Implementing auth',
    completed: ['User model'],
    inProgress: [],
    nextSteps: ['Login endpoint'],
    keyDecisions: [],
    files: [{path: 'src/auth/*.ts'}],
    uncertain: ['rate limits'],
    notes: [],
  },
  summary: {
    id: 'sum_01kaaaaaaaaaaaaaaaaaaaaaaa',
    agent,
    created: '2025-11-14T10:00:00.000Z',
    currentTask: 'Auth',
    completedTasks: ['task1', 'task2'],
    context: 'Important context',
    files: ['src/a.ts'],
    raw: '{"currentTask": "Auth"}',
    warning: 'kept as printed',
  },
  session: {
    id: 'ses_01kaaaaaaaaaaaaaaaaaaaaaaa',
    agent,
    created: '2025-11-14T10:00:00.000Z',
    summary: 'Work complete.',
    completedTasks: ['a'],
    trajectory: traj,
    raw: 'Work complete.',
  },
  raw: {
    id: 'raw_01kaaaaaaaaaaaaaaaaaaaaaaa',
    agent,
    created: '2025-11-14T10:00:00.000Z',
    source: 'stdin line 12',
    warning: 'an unclosed <<<',
    text: '->relay:bob <<<\nnever closed',
  },
  message: {
    id: msg,
    from: agent,
    project: 'backend' as ProjectName,
    to: 'frontend:Designer',
    thread: 'auth-feature' as ThreadId,
    created: '2025-11-14T10:00:00.000Z',
    body: 'Please update the login UI.\n\nThanks.',
  },
  receipt: {message: msg, agent, read: '2025-11-14T10:00:00.000Z'},
  commitLink: {
    commit: 'a'.repeat(40),
    trajectory: traj,
    agent,
    at: '2025-11-14T10:06:00.000Z',
    branch: 'feature/login',
    subject: 'Add JWT "auth"',
    patch: 'b'.repeat(40),
    base: 'c'.repeat(40),
    files: [
      {path: 'src/auth/jwt.ts', patch: 'd'.repeat(40), combined: 'e'.repeat(40)},
      {path: 'a b.ts', patch: 'f'.repeat(40)},
    ],
    via: 'rewrite',
    from: '1'.repeat(40),
  },
  linkKey: {key: 'ab12'.repeat(10), trajectory: traj},
}

describe('the registry of record kinds', () => {
  for (const kind of RECORD_KINDS) {
    const sample = SAMPLES[kind.name as KindName]

    it(`${kind.name}: parse(render(x)) equals x, and its path holds the keys of its content`, () => {
      assert.ok(sample, `the registry's kind ${kind.name} needs a sample in this test`)
      const path = pathOf(kind, kind.keys(sample))
      const text = kind.render(sample)
      assert.deepEqual(kind.parse(text, path), sample)
      assert.equal(kindOfPath(path)?.kind, kind)
      assert.deepEqual(readRecordAt(path, text).record, sample)
    })

    it(`${kind.name}: a field this version does not know survives a read-modify-write`, () => {
      const path = pathOf(kind, kind.keys(sample))
      const text = kind.render({...sample, extra: {futureField: 'from a newer version', nested: {a: [1, 2]}}})
      const read = kind.parse(text, path) as {extra?: unknown}
      assert.deepEqual(read.extra, {futureField: 'from a newer version', nested: {a: [1, 2]}})
      // Modify something and write it back: the unknown fields are still there.
      const rewritten = kind.render({...read})
      assert.match(rewritten, /^futureField: from a newer version$/m)
      assert.deepEqual((kind.parse(rewritten, path) as {extra?: unknown}).extra, read.extra)
    })

    it(`${kind.name}: a path of another shape, or with a day that is not its id's, is not this kind`, () => {
      const path = pathOf(kind, kind.keys(sample))
      assert.equal(kindOfPath(`${path}.orig`), null)
      assert.equal(kindOfPath(`x/${path}`), null)
      if (kind.path.includes('{day')) assert.equal(kindOfPath(path.replace(/\d{4}\/\d{2}\/\d{2}/, '1999/01/01')), null)
      if (kind.path.includes('{agent}')) assert.equal(kindOfPath(path.replace('/claude', '/..')), null)
    })
  }

  it('refuses a record whose content contradicts its path', () => {
    const text = KINDS.ledger.render({...SAMPLES.ledger, agent: 'someone-else' as AgentName})
    assert.throws(() => readRecordAt(pathOf(KINDS.ledger, {agent}), text), /its agent is 'someone-else', but its path says 'claude'/)
    assert.throws(() => readRecordAt('.relay/notes.md', text), /fits no kind of record/)
  })

  it('gives every searched kind a pathspec that matches its own paths', () => {
    for (const kind of RECORD_KINDS.filter((k) => k.search)) {
      const [spec] = pathspecsOf(kind)
      const glob = new RegExp(`^${spec!.replace(':(glob)', '').replace(/[.]/g, '\\.').replace(/\*/g, '[^/]*')}$`)
      assert.match(pathOf(kind, kind.keys(SAMPLES[kind.name as KindName])), glob)
    }
  })

  it('writes YAML every YAML reader reads the same way', () => {
    for (const kind of RECORD_KINDS) {
      const text = kind.render(SAMPLES[kind.name as KindName])
      const yaml = text.startsWith('---\n') ? text.slice(4, text.indexOf('\n---\n') + 1) : text
      assert.doesNotThrow(() => parseYaml(yaml), kind.name)
    }
  })
})
