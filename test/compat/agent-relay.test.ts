import assert from 'node:assert/strict'
import {spawn} from 'node:child_process'
import {mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {pathToFileURL} from 'node:url'
import {after, describe, it} from 'node:test'
import {validateTrajectory} from 'agent-trajectories'
import {json, ROOT} from '../helpers/cli.js'
import {testEnv, useRepos} from '../helpers/repo.js'
import {filesUnder, ourTrailOnPath} from './incumbent.js'

// agent-relay's own trajectory integration (@agent-relay/trajectory, from npm), run against our `trail` on PATH,
// the way agent-relay's hooks drive it: it starts a trajectory in the "plan" phase for an agent, records
// decisions, phase changes, tool calls and messages, completes or abandons. Its status and dashboard readers never
// run `trail`: they read agent-trajectories' JSON files in its data folder, which our records are projected to.

const makeRepo = useRepos()
const INTEGRATION = pathToFileURL(join(ROOT, 'node_modules', '@agent-relay', 'trajectory', 'dist', 'index.js')).href

/** Drives TrajectoryIntegration as @agent-relay/hooks' trajectory hooks do, and reads back with its readers. */
const DRIVER = `
const relay = await import(process.argv[1])
const out = {}
const alice = new relay.TrajectoryIntegration('project', 'Alice')
out.available = await alice.isAvailable()
out.started = await alice.initialize('Implement user authentication', 'agent-relay-123', 'github')
out.trajectoryId = alice.getTrajectoryId()
out.decision = await alice.decision('Use JWT', {question: 'JWT or sessions?', alternatives: ['sessions', 'signed cookies'], reasoning: 'Stateless scaling', confidence: 0.8})
out.transition = await alice.transition('design', 'Plan agreed')
out.toolEvent = await alice.event('Tool: Read', 'tool_call')
out.errorEvent = await alice.event('Error: TypeError: x is undefined', 'error')
await alice.message('received', 'Bob', 'Alice', 'implementing the login endpoint now')
out.statusWhileActive = await relay.getTrajectoryStatus()
out.stepsWhileActive = await relay.listTrajectorySteps()
out.completed = await alice.complete({summary: 'Added JWT auth', confidence: 0.9, challenges: ['Token refresh', 'Clock skew'], learnings: ['Test expiry']})
out.statusAfter = await relay.getTrajectoryStatus()
const bob = new relay.TrajectoryIntegration('project', 'Bob')
out.bobStarted = await bob.start('Investigate flaky test')
out.abandoned = await bob.abandon('Session terminated')
out.history = await relay.getTrajectoryHistory()
out.steps = await relay.listTrajectorySteps(out.trajectoryId)
out.dataDir = relay.getTrailEnvVars('project', 'Alice').TRAJECTORIES_DATA_DIR
console.log(JSON.stringify(out))
`

// biome-ignore lint/suspicious/noExplicitAny: the untyped answers of agent-relay's JavaScript package
function drive(cwd: string, env: Record<string, string>): Promise<Record<string, any>> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', DRIVER, INTEGRATION], {cwd, env: testEnv(env)})
    const out: Buffer[] = []
    const err: Buffer[] = []
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk))
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk))
    child.on('error', reject)
    child.on('close', (code) => {
      const stdout = Buffer.concat(out).toString('utf8')
      const last = stdout.trim().split('\n').at(-1) ?? ''
      if (code !== 0 || !last.startsWith('{')) reject(new Error(`the driver exited ${code}\n${stdout}\n${Buffer.concat(err).toString('utf8')}`))
      else resolve(JSON.parse(last))
    })
  })
}

describe("agent-relay's trajectory integration with our trail on PATH", () => {
  it('runs start, decision, phase, event, complete and abandon, and its readers return what we recorded', async () => {
    const repo = makeRepo({dirty: true})
    const config = mkdtempSync(join(tmpdir(), 'relay-trail-xdg-'))
    after(() => rmSync(config, {recursive: true, force: true}))
    const before = repo.userState()
    const env = {
      PATH: `${ourTrailOnPath()}:${process.env.PATH}`,
      AGENT_RELAY_PROJECT: repo.dir,
      XDG_CONFIG_HOME: config,
      AGENT_RELAY_CONFIG_DIR: config,
    }
    const out = await drive(repo.dir, env)

    for (const call of ['available', 'started', 'decision', 'transition', 'toolEvent', 'errorEvent', 'completed', 'bobStarted', 'abandoned'])
      assert.equal(out[call], true, call)
    assert.match(out.trajectoryId, /^traj_[0-9a-z]{26}$/, 'the id agent-relay parses from our start output is ours')

    // Its readers, while the trajectory was active and after.
    assert.deepEqual(out.statusWhileActive, {active: true, trajectoryId: out.trajectoryId, phase: 'execute', task: 'Implement user authentication'})
    assert.deepEqual(
      out.stepsWhileActive.steps.map((step: {type: string; description: string; status: string}) => [step.type, step.description, step.status]),
      [
        ['phase_transition', 'Phase: plan', 'running'],
        ['decision', 'JWT or sessions?: Use JWT', 'running'],
        ['phase_transition', 'Phase: design (Plan agreed)', 'running'],
        ['tool_call', 'Tool: Read', 'running'],
        ['error', 'Error: TypeError: x is undefined', 'running'],
        ['message', 'Message received: ← Bob: implementing the login endpoint now', 'running'],
        ['phase_transition', 'Phase: execute (Auto-detected from message content)', 'running'],
      ],
    )
    assert.deepEqual(out.statusAfter, {active: false})
    const history = out.history.trajectories.map((t: Record<string, unknown>) => [t.title, t.status, t.agents, t.summary, t.confidence])
    assert.deepEqual(history, [
      ['Investigate flaky test', 'abandoned', ['Bob'], undefined, undefined],
      ['Implement user authentication', 'completed', ['Alice'], 'Added JWT auth', 0.9],
    ])
    assert.equal(out.steps.steps.length, 7)
    assert.ok(out.steps.steps.every((step: {status: string}) => step.status === 'success'))

    // Our records hold all of it, mapped: the question, the phases, the challenges as two items.
    const shown = await json<{
      phase: string
      task: string
      source: string
      challenges: string[]
      learnings: string[]
      confidence: number
      decisions: {
        kind: string
        title: string
        question: string | null
        type: string | null
        phase: string | null
        alternatives: string[]
        reasoning: string | null
      }[]
    }>(repo.dir, ['trail', 'show', out.trajectoryId])
    assert.deepEqual([shown.phase, shown.task, shown.source, shown.confidence], ['execute', 'agent-relay-123', 'github', 0.9])
    assert.deepEqual(shown.challenges, ['Token refresh', 'Clock skew'])
    assert.deepEqual(shown.learnings, ['Test expiry'])
    const decision = shown.decisions.find((d) => d.kind === 'decision')!
    assert.deepEqual(
      [decision.title, decision.question, decision.reasoning, decision.alternatives],
      ['Use JWT', 'JWT or sessions?', 'Stateless scaling', ['sessions', 'signed cookies']],
    )
    assert.deepEqual(
      shown.decisions.filter((d) => d.kind === 'event').map((d) => [d.type, d.title]),
      [
        ['tool_call', 'Tool: Read'],
        ['error', 'Error: TypeError: x is undefined'],
        ['observation', 'Message received: ← Bob: implementing the login endpoint now'],
      ],
    )

    // The files it read are agent-trajectories' own format: its schema accepts each of them.
    const files = filesUnder(out.dataDir).filter((file) => file.endsWith('.json') && file !== 'index.json')
    assert.equal(files.length, 2)
    for (const file of files) assert.equal(validateTrajectory(JSON.parse(readFileSync(join(out.dataDir, file), 'utf8'))).success, true, file)
    repo.assertUserStateUnchanged(before)
  })
})
