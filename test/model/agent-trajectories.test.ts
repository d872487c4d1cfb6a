import assert from 'node:assert/strict'
import {describe, it} from 'node:test'
import {validateTrajectory} from 'agent-trajectories'
import {fromAgentTrajectory, toAgentName, toAgentTrajectory} from '../../src/model/agent-trajectories.js'
import {validateAgentTrajectory, type JsonObject} from '../../src/model/agent-trajectories-schema.js'
import {IdGenerator} from '../../src/model/ids.js'
import {parseEvent, parseTrajectory, renderEvent, renderTrajectory, splitList} from '../../src/model/trajectory.js'

// The mapping between agent-trajectories' trajectory JSON and our records: an imported file, written as records
// and read back, exports equal to itself on every field, whatever it holds; and our schema check says what
// agent-trajectories' own zod schema says.

const ids = new IdGenerator(
  () => new Date(),
  (count) => Uint8Array.from({length: count}, () => Math.floor(Math.random() * 256)),
)

/** Maps a file, writes every record as Markdown and parses it back, then exports: what `trail import` and
 * `trail export --format agent-trajectories` do through the store. */
function roundTrip(json: JsonObject): JsonObject {
  const id = ids.next('traj', new Date(String(json.startedAt)))
  const mapped = fromAgentTrajectory(json, {trajectory: id, event: (at) => ids.next('ev', at)}, {})
  const trajectory = parseTrajectory(renderTrajectory(mapped.trajectory), 'trajectory.md')
  const events = mapped.events.map((event) => parseEvent(renderEvent(event), 'event.md'))
  return toAgentTrajectory(trajectory, events)
}

function base(): JsonObject {
  return {
    id: 'traj_abc123def456',
    version: 1,
    task: {title: 'Fix the login bug'},
    status: 'completed',
    startedAt: '2026-03-01T10:00:00.000Z',
    completedAt: '2026-03-01T11:00:00.000Z',
    agents: [{name: 'claude', role: 'lead', joinedAt: '2026-03-01T10:00:00.100Z'}],
    chapters: [
      {
        id: 'chap_aaaaaaaaaaaa',
        title: 'Initial work',
        agentName: 'claude',
        startedAt: '2026-03-01T10:00:00.100Z',
        endedAt: '2026-03-01T11:00:00.000Z',
        events: [
          {
            ts: 1772359300000,
            type: 'decision',
            content: 'Use JWT: Use JWT',
            raw: {question: 'Use JWT', chosen: 'Use JWT', alternatives: [{option: 'sessions', reason: ''}], reasoning: 'stateless'},
            significance: 'high',
          },
        ],
      },
    ],
    retrospective: {summary: 'Fixed', approach: 'Standard approach', confidence: 0.85},
    commits: [],
    filesChanged: [],
    tags: [],
  }
}

/** Variations of a trajectory file, each exercising something the mapping must keep. */
const CASES: [string, (json: JsonObject) => void][] = [
  ['a plain completed trajectory', () => {}],
  [
    'a decision without reasoning (agent-trajectories hides it; its reasoning is "")',
    (j) => {
      chapter(j).events = [
        {
          ts: 1772359300000,
          type: 'decision',
          content: 'Quick one: Quick one',
          raw: {question: 'Quick one', chosen: 'Quick one', alternatives: [], reasoning: ''},
          significance: 'high',
        },
      ]
    },
  ],
  [
    'a decision with a question, string and object alternatives with reasons, a confidence',
    (j) => {
      chapter(j).events = [
        {
          ts: 1772359300000,
          type: 'decision',
          content: 'Which store?: Postgres',
          raw: {
            question: 'Which store?',
            chosen: 'Postgres',
            alternatives: ['Redis', {option: 'SQS', reason: 'no ordering'}],
            reasoning: 'transactions',
            confidence: 0.7,
          },
          significance: 'high',
        },
      ]
    },
  ],
  [
    'a reflection with focal points, adjustments and a confidence',
    (j) => {
      chapter(j).events = [
        {
          ts: 1772359300000,
          type: 'reflection',
          content: 'Halfway there',
          significance: 'high',
          tags: ['focal:a', 'focal:b', 'confidence:0.6'],
          raw: {focalPoints: ['a', 'b'], adjustments: 'more tests', confidence: 0.6},
        },
      ]
    },
  ],
  [
    'events of every type, several at the same millisecond, out of time order',
    (j) => {
      const types = [
        'prompt',
        'thinking',
        'tool_call',
        'tool_result',
        'message_sent',
        'message_received',
        'finding',
        'note',
        'error',
        'completion-evidence',
        'completion-marker',
        'custom_thing',
      ]
      chapter(j).events = types.map((type, n) => ({
        ts: 1772359300000 + (n % 3 === 0 ? 0 : 5 - n),
        type,
        content: `${type} ${n}`,
        ...(n % 2 ? {raw: {n, nested: {deep: [1, 'two', null]}}} : {}),
        ...(n % 4 === 0 ? {significance: 'low', tags: ['x']} : {}),
        ...(n === 5 ? {confidence: 0.3} : {}),
      }))
    },
  ],
  [
    'several chapters and agents, one with a name that is not a valid agent name',
    (j) => {
      j.agents = [
        {name: 'claude', role: 'lead', joinedAt: '2026-03-01T10:00:00.100Z'},
        {name: 'Code Reviewer (bot)', role: 'reviewer', joinedAt: '2026-03-01T10:30:00Z', leftAt: '2026-03-01T10:40:00Z'},
      ]
      j.chapters = [
        chapter(j),
        {
          id: 'chap_bbbbbbbbbbbb',
          title: 'Review',
          agentName: 'Code Reviewer (bot)',
          startedAt: '2026-03-01T10:30:00Z',
          events: [{ts: 1772361000000, type: 'note', content: 'LGTM'}],
        },
      ]
    },
  ],
  [
    'two chapters with the same id (kept verbatim)',
    (j) => {
      j.chapters = [chapter(j), {...chapter(j), title: 'Again', events: [{ts: 1772359400000, type: 'note', content: 'second'}]}]
    },
  ],
  [
    'an abandoned trajectory with its "Abandoned:" note',
    (j) => {
      j.status = 'abandoned'
      delete j.retrospective
      chapter(j).events = [{ts: 1772359300000, type: 'note', content: 'Abandoned: blocked by credentials', significance: 'high'}]
    },
  ],
  [
    'an active trajectory without chapters',
    (j) => {
      j.status = 'active'
      delete j.completedAt
      delete j.retrospective
      j.chapters = []
      j.agents = []
    },
  ],
  [
    'a full retrospective: decisions, challenges, learnings, suggestions, time spent',
    (j) => {
      j.retrospective = {
        summary: 'Done',
        approach: 'TDD',
        decisions: [{question: 'q', chosen: 'c', alternatives: [], reasoning: 'r'}],
        challenges: ['a'],
        learnings: [],
        suggestions: ['s'],
        confidence: 1,
        timeSpent: '2h',
      }
    },
  ],
  [
    'a task with description and source, project, workflow, tags, commits, files, a trace reference',
    (j) => {
      j.task = {title: 'T', description: 'long\ntext', source: {system: 'linear', id: 'ENG-1', url: 'https://linear.app/x/ENG-1'}}
      j.projectId = 'org/repo'
      j.workflowId = 'wf-7'
      j.tags = ['auth', 'backend']
      j.commits = ['abc123']
      j.filesChanged = ['src/a.ts']
      j._trace = {startRef: 'a'.repeat(40), endRef: 'b'.repeat(40), traceId: 'c3f0'}
    },
  ],
  [
    'a file without the defaulted lists, and keys agent-trajectories does not know',
    (j) => {
      delete j.commits
      delete j.filesChanged
      delete j.tags
      j.futureField = {x: [1, 2]}
      // As JSON.parse makes it: an own key named __proto__, not the object's prototype.
      Object.defineProperty(j, '__proto__', {value: {polluted: true}, enumerable: true, writable: true, configurable: true})
      chapter(j).colour = 'blue'
    },
  ],
  [
    'unicode, quotes, control characters and line breaks everywhere',
    (j) => {
      j.task = {title: 'Café 🚀 "quoted" \\ back\u2028line'}
      chapter(j).events = [{ts: 1772359300000, type: 'note', content: 'ünïcödé\n\tline two\u0000\u007f \ud800 lone'}]
      chapter(j).title = '第一章'
    },
  ],
  [
    'times with and without milliseconds, microseconds',
    (j) => {
      j.startedAt = '2026-03-01T10:00Z'
      j.completedAt = '2026-03-01T11:00:00.123456Z'
    },
  ],
]

function chapter(j: JsonObject): JsonObject {
  return (j.chapters as JsonObject[])[0]!
}

describe('agent-trajectories files, imported and exported', () => {
  for (const [name, change] of CASES) {
    it(`exports equal to the file: ${name}`, () => {
      const json = base()
      change(json)
      assert.equal(validateTrajectory(json).success, true, 'the case is a valid agent-trajectories file')
      const exported = roundTrip(json)
      assert.deepEqual(exported, json)
      assert.equal(Object.getPrototypeOf(exported), Object.prototype, 'a key named __proto__ stays a key')
    })
  }

  it('maps what means something to fields of our records', () => {
    const json = base()
    const mapped = fromAgentTrajectory(json, {trajectory: 'traj_01kx0000000000000000000000', event: (at) => ids.next('ev', at)})
    assert.equal(mapped.trajectory.title, 'Fix the login bug')
    assert.equal(mapped.trajectory.legacyId, 'traj_abc123def456')
    assert.equal(mapped.trajectory.confidence, 0.85)
    assert.equal(mapped.trajectory.summary, 'Fixed')
    assert.equal(mapped.trajectory.started, '2026-03-01T10:00:00.000Z')
    assert.equal(mapped.trajectory.legacy, undefined, 'nothing needs keeping verbatim for a file like the CLI writes')
    assert.equal(mapped.events[0]!.kind, 'decision')
    assert.equal(mapped.events[0]!.reasoning, 'stateless')
    assert.deepEqual(mapped.events[0]!.alternatives, ['sessions'])
    assert.equal(mapped.events[0]!.at, new Date(1772359300000).toISOString())
  })

  it('turns names agent-trajectories allows into valid agent names', () => {
    assert.equal(toAgentName('claude'), 'claude')
    assert.equal(toAgentName('Code Reviewer (bot)'), 'Code-Reviewer-bot')
    assert.equal(toAgentName('../../etc'), 'etc')
    assert.equal(toAgentName('🚀'), 'default')
    assert.equal(toAgentName(undefined), 'default')
  })
})

describe("the schema check agrees with agent-trajectories' own", () => {
  const invalid: [string, (json: JsonObject) => void][] = [
    ['an id of another shape', (j) => (j.id = 'TRAJ-1')],
    ['no version', (j) => delete j.version],
    ['version 2', (j) => (j.version = 2)],
    ['no title', (j) => (j.task = {})],
    ['a title of 501 characters', (j) => (j.task = {title: 'x'.repeat(501)})],
    ['an unknown status', (j) => (j.status = 'paused')],
    ['a time with an offset', (j) => (j.startedAt = '2026-03-01T10:00:00+01:00')],
    ['February 30th', (j) => (j.startedAt = '2026-02-30T10:00:00Z')],
    ['an event without content', (j) => (chapter(j).events = [{ts: 1, type: 'note', content: ''}])],
    ['an event at a fractional time', (j) => (chapter(j).events = [{ts: 1.5, type: 'note', content: 'x'}])],
    ['an unknown significance', (j) => (chapter(j).events = [{ts: 1, type: 'note', content: 'x', significance: 'huge'}])],
    ['a confidence above 1', (j) => ((j.retrospective as JsonObject).confidence = 1.2)],
    ['a retrospective without approach', (j) => delete (j.retrospective as JsonObject).approach],
    ['a task URL that is not one', (j) => (j.task = {title: 't', source: {system: 's', id: 'i', url: 'not a url'}})],
    ['commits that are not a list', (j) => (j.commits = 'abc')],
    [
      'a retrospective decision without reasoning',
      (j) => ((j.retrospective as JsonObject).decisions = [{question: 'q', chosen: 'c', alternatives: [], reasoning: ''}]),
    ],
    [
      'not an object',
      (j) => {
        for (const key of Object.keys(j)) delete j[key]
      },
    ],
  ]
  for (const [name, change] of invalid) {
    it(`refuses ${name}, as agent-trajectories does`, () => {
      const json = base()
      change(json)
      assert.equal(validateTrajectory(json).success, false)
      const verdict = validateAgentTrajectory(json)
      assert.equal(verdict.ok, false)
    })
  }
  it('accepts what it accepts', () => {
    for (const [, change] of CASES) {
      const json = base()
      change(json)
      assert.equal(validateAgentTrajectory(json).ok, validateTrajectory(json).success)
    }
  })
  it('names the field and the problem in its words', () => {
    const json = base()
    json.task = {}
    assert.deepEqual(validateAgentTrajectory(json), {ok: false, problem: 'task.title: Required'})
  })
})

describe('comma-separated lists', () => {
  const cases: [string, string[]][] = [
    ['a,b', ['a', 'b']],
    [' a , b ,, ', ['a', 'b']],
    ['Redis\\, clustered,SQS', ['Redis, clustered', 'SQS']],
    ['one item', ['one item']],
    ['back\\slash', ['back\\slash']],
    ['', []],
  ]
  for (const [raw, expected] of cases) it(`splits ${JSON.stringify(raw)}`, () => assert.deepEqual(splitList(raw), expected))
})
