import {mkdirSync, writeFileSync} from 'node:fs'
import {dirname, join} from 'node:path'

// A fixed agent-trajectories history for the import's byte-for-byte and redaction tests: the same files on every
// run (no clock, no randomness), in both layouts, with every field a trajectory file can carry, and credentials
// planted in each field that is redacted. Every token is fake, built from a prefix and generated characters, so
// no credential-shaped literal sits in this repository for a scanner to report.

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'
const UPPER_DIGITS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'
const B64 = `${ALNUM}+/`

/** Characters from `chars`, the same on every run for the same `seed`. */
function chars(seed: number, length: number, from: string): string {
  let state = seed >>> 0
  let out = ''
  for (let i = 0; i < length; i++) {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0
    out += from[(state >>> 8) % from.length]
  }
  return out
}

/** The credentials planted in the history: each must be gone from every record the import writes. */
export function plantedSecrets() {
  const ghp = `ghp_${chars(1, 18, ALNUM)}7${chars(2, 17, ALNUM)}`
  const awsId = `AKIA${chars(3, 16, UPPER_DIGITS)}`
  const awsSecret = `${chars(4, 20, B64)}7a${chars(5, 18, B64)}`
  const anthropic = `sk-ant-api03-${chars(6, 40, ALNUM)}`
  const slack = `xoxb-${chars(7, 12, '0123456789')}-${chars(8, 24, ALNUM)}`
  const password = `Winter${chars(9, 6, ALNUM)}7!`
  const urlPassword = `p4ss${chars(10, 10, ALNUM)}`
  const keyBody = [chars(11, 64, B64), chars(12, 64, B64), chars(13, 24, B64)]
  const key = ['-----BEGIN RSA PRIVATE KEY-----', ...keyBody, '-----END RSA PRIVATE KEY-----']
  return {ghp, awsId, awsSecret, anthropic, slack, password, urlPassword, keyBody, key}
}

type Secrets = ReturnType<typeof plantedSecrets>

/** Every substring that must not survive in a record. */
export function secretSubstrings(s: Secrets): string[] {
  return [s.ghp, s.awsId, s.awsSecret, s.anthropic, s.slack, s.password, s.urlPassword, ...s.keyBody]
}

const BASE = Date.parse('2025-03-01T08:00:00Z')
const iso = (ms: number) => new Date(ms).toISOString()
const id = (i: number) => `traj_golden${i.toString(36).padStart(4, '0')}`

/** One trajectory file's JSON: its shape varies with `i`, and every third one carries credentials everywhere. */
function goldenTrajectory(i: number, s: Secrets): Record<string, unknown> {
  const at = BASE + i * 36_000_000 + (i % 3) * 1234
  const status = i % 7 === 3 ? 'active' : i % 5 === 1 ? 'abandoned' : 'completed'
  const secret = i % 3 === 0
  const said = (text: string) => (secret ? `${text} with ${s.ghp}` : text)
  const events: Record<string, unknown>[] = [
    {
      ts: at + 1000,
      type: 'decision',
      content: `${said(`Approach ${i}?`)}: Option A`,
      raw: {
        question: said(`Approach ${i}?`),
        chosen: 'Option A',
        alternatives:
          i % 2 ? ['Option B', {option: said('Option C'), reason: secret ? `DB_PASSWORD=${s.password}` : 'slower'}] : [{option: 'Option B', reason: ''}],
        reasoning: i % 4 === 0 ? '' : secret ? `the token ${s.ghp} and api_key=${s.anthropic} worked` : `Because ${i} measured better`,
        ...(i % 6 === 0 ? {confidence: 0.7} : {}),
      },
      significance: 'high',
      ...(i % 2 ? {tags: secret ? ['decision', s.slack] : ['decision']} : {}),
    },
    {ts: at + 2000, type: 'tool_call', content: secret ? `Tool: Bash curl -u admin:${s.password} https://example.com` : 'Tool: Edit'},
    {
      ts: at + 3000,
      type: 'reflection',
      content: said(`Halfway through ${i} ✓ café`),
      significance: 'high',
      tags: ['focal:tests'],
      raw: {focalPoints: ['tests', ...(secret ? [s.anthropic] : [])], ...(i % 4 === 1 ? {adjustments: 'write tests first'} : {})},
    },
    ...(i % 4 === 2 ? [{ts: at + 3500, type: 'phase_transition', content: 'Phase: review', raw: {phase: 'review'}, significance: 'medium'}] : []),
    ...(i % 3 === 1
      ? [{ts: at + 3600, type: 'finding', content: `finding ${i}`, raw: {detail: i, nested: {secret: secret ? s.ghp : 'none'}}, significance: 'low'}]
      : []),
    // Two events at the same millisecond: their order is the file's.
    {ts: at + 3700, type: 'note', content: `first of two ${i}`},
    {ts: at + 3700, type: 'note', content: `second of two ${i}`},
    ...(status === 'abandoned'
      ? [{ts: at + 4000, type: 'note', content: secret ? `Abandoned: blocked by ${s.slack}` : 'Abandoned: blocked', significance: 'high'}]
      : []),
  ]
  const chapters = [
    {
      id: `chap_golden${i}`,
      title: secret ? `Investigation of ${s.ghp}` : 'Investigation',
      agentName: i % 4 === 3 ? 'Code Reviewer' : 'claude',
      startedAt: iso(at),
      ...(status === 'active' ? {} : {endedAt: iso(at + 5000)}),
      events: events.slice(0, 2),
    },
    {
      id: `chap_golden${i}b`,
      title: 'Fix',
      agentName: i % 2 ? 'codex' : 'claude',
      startedAt: iso(at + 2500),
      events: events.slice(2),
    },
  ]
  return {
    id: id(i),
    version: 1,
    task: {
      title: secret ? `Rotate ${s.ghp} for feature ${i}` : `Feature ${i}: ünïcode 🚀 "quoted"`,
      ...(i % 2 ? {description: secret ? `password: ${s.password}\nthen ${s.awsId}` : `Longer\ndescription ${i}`} : {}),
      ...(i % 4 === 0
        ? {
            source: {
              system: 'linear',
              id: secret ? `ENG-${i}-${s.ghp}` : `ENG-${i}`,
              url: secret ? `https://bot:${s.urlPassword}@linear.app/x/ENG-${i}` : `https://linear.app/x/ENG-${i}`,
            },
          }
        : {}),
    },
    status,
    startedAt: iso(at),
    ...(status === 'active' ? {} : {completedAt: iso(at + 5000)}),
    agents: [
      {name: 'claude', role: secret ? `lead ${s.slack}` : 'lead', joinedAt: iso(at)},
      ...(i % 2 ? [{name: 'codex', role: 'reviewer', joinedAt: iso(at + 2500), leftAt: iso(at + 4500)}] : []),
    ],
    chapters,
    ...(status === 'completed'
      ? {
          retrospective: {
            summary: secret ? `Done; the token was ${s.ghp}` : `Implemented feature ${i % 4}`,
            approach: i % 2 ? 'Standard approach' : secret ? `export AWS_SECRET_ACCESS_KEY=${s.awsSecret}` : 'TDD',
            ...(i % 3 !== 2 ? {challenges: secret ? ['the key was pasted:', ...s.key, 'and removed'] : ['hard']} : {}),
            ...(secret ? {learnings: [`id ${s.awsId}`, `secret ${s.awsSecret}`]} : i % 2 ? {learnings: ['learnt']} : {}),
            ...(i % 6 === 0 ? {suggestions: [said('suggest')], timeSpent: '2h'} : {}),
            ...(i % 6 === 0 ? {decisions: [{question: said('Which?'), chosen: 'A', alternatives: ['B'], reasoning: `because ${s.anthropic}`}]} : {}),
            confidence: (i % 10) / 10,
          },
        }
      : {}),
    commits: i % 3 === 2 ? ['0123456789abcdef0123456789abcdef01234567'] : [],
    filesChanged: i % 3 === 2 ? ['src/a.ts', secret ? `notes/${s.ghp}.md` : 'src/b.ts'] : [],
    ...(i % 2 ? {projectId: 'org/app'} : {}),
    ...(i % 5 === 0 ? {workflowId: secret ? `wf-${s.slack}` : `wf-${i}`} : {}),
    tags: i % 4 === 1 ? ['tag', secret ? s.anthropic : 'other'] : [],
    ...(i % 5 === 2 ? {_trace: {startRef: 'abc123', endRef: secret ? s.ghp : 'def456', traceId: `trace-${i}`}} : {}),
    ...(i % 6 === 3 ? {extraField: {kept: secret ? s.ghp : 'verbatim', list: [1, 'two', null]}} : {}),
  }
}

/**
 * Writes `count` trajectories into `repoDir`: the first half in agent-trajectories 0.6's layout
 * (.agentworkforce/trajectories/), the rest in its 0.5 layout (.trajectories/ with index.json), with trace and
 * compaction files beside some of them.
 */
export function writeGoldenHistory(repoDir: string, count: number, s: Secrets = plantedSecrets()): void {
  const write = (path: string, value: unknown) => {
    mkdirSync(dirname(path), {recursive: true})
    writeFileSync(path, `${JSON.stringify(value, null, 2)}\n`)
  }
  const modern = join(repoDir, '.agentworkforce', 'trajectories')
  const legacy = join(repoDir, '.trajectories')
  const index: Record<string, unknown> = {}
  for (let i = 0; i < count; i++) {
    const json = goldenTrajectory(i, s)
    const month = String(json.startedAt).slice(0, 7)
    const trace = {traceId: `trace-${i}`, files: [{path: 'src/a.ts', ranges: [[1, 3]]}], note: i % 3 === 0 ? `by ${s.ghp}` : 'plain'}
    if (i < count / 2) {
      const folder = json.status === 'active' ? join(modern, 'active', String(json.id)) : join(modern, 'completed', month, String(json.id))
      write(join(folder, 'trajectory.json'), json)
      if (i % 5 === 2) write(join(folder, `${String(json.id)}.trace.json`), trace)
      if (i % 8 === 4) write(join(folder, 'compaction.json'), {compactedInto: 'traj_other', at: String(json.startedAt), by: i % 3 === 0 ? s.slack : 'x'})
    } else {
      const file = json.status === 'active' ? join(legacy, 'active', `${String(json.id)}.json`) : join(legacy, 'completed', month, `${String(json.id)}.json`)
      write(file, json)
      if (i % 5 === 2) write(file.replace(/\.json$/, '.trace.json'), trace)
      if (i % 8 === 4) write(file.replace(/\.json$/, '.compaction.json'), {compactedInto: 'traj_other'})
      index[String(json.id)] = {title: (json.task as {title: string}).title, status: json.status, startedAt: json.startedAt, path: file}
    }
  }
  write(join(legacy, 'index.json'), {version: 1, lastUpdated: '2025-06-01T00:00:00.000Z', trajectories: index})
}
