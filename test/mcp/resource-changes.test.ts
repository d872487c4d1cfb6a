import assert from 'node:assert/strict'
import {describe, it} from 'node:test'
import {agentFromClientName, sessionAgent} from '../../src/mcp/acting-agent.js'
import {resourcesToNotify, siblingMoved, touchedResources, type FileChangeKind} from '../../src/mcp/resource-changes.js'

// Which subscribed resources a new tip touches, from the paths that changed; and who acts for a client.

const TRAJECTORY = '.trail/trajectories/2026/11/03/traj_a'
const SUBSCRIBED = [
  'relay-trail://context',
  'relay-trail://inbox',
  'relay-trail://context/codex',
  'relay-trail://inbox/codex',
  'relay-trail://ledger/claude',
  'relay-trail://ledger/codex',
  'relay-trail://trajectory/traj_a',
  'relay-trail://trajectory/traj_b',
]

function notified(changes: [string, FileChangeKind][], active: [string, string][] = [['traj_a', 'claude']]): {uris: string[]; listChanged: boolean} {
  const touched = touchedResources(new Map(changes), new Map(active))
  return {uris: resourcesToNotify(SUBSCRIBED, touched, 'claude').sort(), listChanged: touched.listChanged}
}

describe('the resources a change touches', () => {
  const cases: [string, [string, FileChangeKind][], string[], boolean][] = [
    [
      "a decision in an active trajectory: that trajectory and its agent's context",
      [[`${TRAJECTORY}/events/ev_1.md`, 'added']],
      ['relay-trail://context', 'relay-trail://trajectory/traj_a'],
      false,
    ],
    [
      "a new trajectory: it, its agent's context, and the list",
      [
        [`${TRAJECTORY}/trajectory.md`, 'added'],
        ['.trail/active/claude/traj_a.yaml', 'added'],
      ],
      ['relay-trail://context', 'relay-trail://trajectory/traj_a'],
      true,
    ],
    [
      "a ledger saved: it and its agent's context",
      [['.relay/ledger/codex.md', 'changed']],
      ['relay-trail://context/codex', 'relay-trail://ledger/codex'],
      false,
    ],
    ['a first ledger: the list changes too', [['.relay/ledger/codex.md', 'added']], ['relay-trail://context/codex', 'relay-trail://ledger/codex'], true],
    [
      'a message: every inbox and context',
      [['.relay/messages/2026/11/03/msg_1.md', 'added']],
      ['relay-trail://context', 'relay-trail://context/codex', 'relay-trail://inbox', 'relay-trail://inbox/codex'],
      false,
    ],
    [
      "a read receipt: that reader's inbox and context",
      [['.relay/receipts/codex/msg_1.yaml', 'added']],
      ['relay-trail://context/codex', 'relay-trail://inbox/codex'],
      false,
    ],
    ['a summary: nothing served', [['.relay/ledger/summaries/claude/2026/11/03/sum_1.md', 'added']], [], false],
    [
      'a completed trajectory (no longer active): it, and every context',
      [
        [`${TRAJECTORY}/trajectory.md`, 'changed'],
        ['.trail/active/claude/traj_a.yaml', 'removed'],
      ],
      ['relay-trail://context', 'relay-trail://context/codex', 'relay-trail://trajectory/traj_a'],
      false,
    ],
  ]
  for (const [name, changes, uris, listChanged] of cases) {
    it(name, () => {
      const active: [string, string][] = name.startsWith('a completed') ? [] : [['traj_a', 'claude']]
      assert.deepEqual(notified(changes, active), {uris: [...uris].sort(), listChanged})
    })
  }

  it("a sibling's sync touches every inbox and context", () => {
    assert.deepEqual(resourcesToNotify(SUBSCRIBED, siblingMoved(), 'claude').sort(), [
      'relay-trail://context',
      'relay-trail://context/codex',
      'relay-trail://inbox',
      'relay-trail://inbox/codex',
    ])
  })
})

describe('who acts for a client', () => {
  it("is --agent, else the environment's name (left to the CLI's rule), else the client's name, made path-safe", () => {
    assert.equal(sessionAgent({flag: 'Lead', env: {AGENT_RELAY_NAME: 'x'}, clientName: 'claude-code'}), 'Lead')
    assert.equal(sessionAgent({flag: undefined, env: {AGENT_RELAY_NAME: 'x'}, clientName: 'claude-code'}), undefined)
    assert.equal(sessionAgent({flag: undefined, env: {TRAIL_AGENT: 'y'}, clientName: 'claude-code'}), undefined)
    assert.equal(sessionAgent({flag: undefined, env: {AGENT_RELAY_NAME: ''}, clientName: 'claude-code'}), 'claude-code')
    assert.equal(sessionAgent({flag: undefined, env: {}, clientName: undefined}), undefined)
  })

  const names: [string, string | undefined][] = [
    ['claude-code', 'claude-code'],
    ['Claude Code', 'Claude-Code'],
    ['gemini-cli-mcp-client', 'gemini-cli-mcp-client'],
    ['cursor/vscode 1.2', 'cursor-vscode-1.2'],
    ['../../etc/passwd', 'etc-passwd'],
    ['.hidden', 'hidden'],
    ['name.lock', 'name'],
    ['a..b', 'a.b'],
    ['日本語', undefined],
    ['', undefined],
    ['x'.repeat(100), 'x'.repeat(64)],
  ]
  for (const [client, agent] of names) {
    it(`${JSON.stringify(client)} → ${agent ?? 'none'}`, () => assert.equal(agentFromClientName(client), agent))
  }
})
