import assert from 'node:assert/strict'
import {execFileSync} from 'node:child_process'
import {describe, it} from 'node:test'
import type {Trajectory, TrajectoryEvent} from '../../src/model/trajectory.js'
import type {WhyResult, WhyTrajectory} from '../../src/model/why.js'
import {whyMarkdownFitting} from '../../src/render/why.js'
import {fittedContext} from '../../src/services/edit-fast.js'

// The edit hook's Markdown (src/render/why.ts, whyMarkdownFitting, laid out by src/services/edit-fast.ts's
// fittedContext): within 4,000 characters, the newest decisions first; a trajectory too long to fit whole is cut
// to its newest decisions, a smaller one after it still gets in, and what is left out is counted; the command it
// suggests names the file for a shell and for Markdown.

const BUDGET = 4000

/** A trajectory started at `day` with decisions of the given reasoning lengths (the last is the newest). */
function trajectory(day: number, title: string, reasonings: readonly number[], more: Partial<Trajectory> = {}): WhyTrajectory {
  const id = `traj_${String(day).padStart(26, '0')}`
  const events = reasonings.map(
    (length, n) =>
      ({
        id: `evt_${day}_${n}`,
        kind: 'decision',
        trajectory: id,
        agent: 'alice',
        at: `2026-01-${String(day).padStart(2, '0')}T00:00:${String(n % 60).padStart(2, '0')}Z`,
        title: `${title} decision ${n}`,
        reasoning: 'r'.repeat(length),
        alternatives: [],
      }) as unknown as TrajectoryEvent,
  )
  return {
    detail: {
      trajectory: {
        id,
        title,
        status: 'completed',
        agent: 'alice',
        started: `2026-01-${String(day).padStart(2, '0')}T00:00:00Z`,
        challenges: [],
        learnings: [],
        ...more,
      } as Trajectory,
      events,
    },
    source: null,
    lines: [],
    commits: [{oid: day.toString(16).padStart(40, '0'), match: 'commit', subject: '', author: '', path: 'f2.txt', lines: []}],
    decisionLines: {},
    handoffs: [],
  }
}

function result(trajectories: WhyTrajectory[], path = 'f2.txt', unexplained = 0): WhyResult {
  const commits = Array.from({length: unexplained}, (_, n) => ({oid: `f${n.toString(16).padStart(39, '0')}`, subject: '', author: '', lines: []}))
  return {path, rev: 'HEAD', ranges: null, binary: false, trajectories, unexplained: {lines: 0, commits}}
}

/** The edit hook's context for `whole`, reading events only when the layout asks (as the hook does). */
async function hookContext(whole: WhyResult): Promise<{text: string | null; read: Set<string>}> {
  const events = new Map(whole.trajectories.map((t) => [t.detail.trajectory.id, t.detail.events]))
  const lazy = {...whole, trajectories: whole.trajectories.map((t) => ({...t, detail: {...t.detail, events: []}}))}
  const read = new Set<string>()
  const text = await fittedContext(lazy, async (batch) => {
    for (const t of batch) {
      read.add(t.detail.trajectory.id)
      t.detail.events = events.get(t.detail.trajectory.id)!
    }
  })
  return {text, read}
}

const decisionsShown = (text: string) => (text.match(/^- /gm) ?? []).length

describe("the edit hook's Markdown", () => {
  it('cuts a trajectory too long to fit whole to its newest decisions, and counts the rest, before an older one', async () => {
    const whole = result([trajectory(2, 'Many newer', Array(45).fill(90)), trajectory(1, 'Small older', [40])])
    const {text} = await hookContext(whole)
    assert.ok(text !== null)
    assert.ok(text.length <= BUDGET && text.length > BUDGET - 300, `${text.length} characters`)
    assert.match(text, /### Many newer .*\n- Many newer decision 44: r+\.\n- Many newer decision 43:/)
    const more = Number(/\n\((\d+) more decisions: `trail why f2\.txt`\)\n/.exec(text)?.[1])
    assert.equal(decisionsShown(text) - (text.includes('Small older decision') ? 1 : 0) + more, 45)
    assert.ok(text.includes('### Small older') || text.includes('(1 more trajectory not shown: `trail why f2.txt`)'), text)
  })

  it('cuts one trajectory of many short decisions rather than showing none', async () => {
    const {text} = await hookContext(result([trajectory(1, 'Many', Array(120).fill(20))]))
    assert.ok(text !== null && text.length <= BUDGET, `${text?.length} characters`)
    const more = Number(/\((\d+) more decisions: `trail why f2\.txt`\)\n$/.exec(text)?.[1])
    assert.equal(decisionsShown(text) + more, 120)
    assert.ok(decisionsShown(text) > 60)
  })

  it('still shows a smaller, older trajectory that fits after one that did not, and counts the one left out', async () => {
    // The newest fills most of the budget; the next one's summary and decision (650 characters) cannot fit; the oldest can.
    const whole = result([
      trajectory(3, 'Newest', Array(10).fill(300)),
      trajectory(2, 'Too long', [300], {summary: 's'.repeat(300)}),
      trajectory(1, 'Small', [20]),
    ])
    const {text} = await hookContext(whole)
    assert.ok(text !== null && text.length <= BUDGET, `${text?.length} characters`)
    assert.match(text, /### Small .*\n- Small decision 0: r{20}\.\n/)
    assert.doesNotMatch(text, /Too long/)
    assert.match(text, /\n\(1 more trajectory not shown: `trail why f2\.txt`\)\n$/)
  })

  it('is never over budget nor empty when decisions exist, and is the same whether events are read lazily or all at once', async () => {
    let seed = 7
    const random = (n: number) => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0
      return seed % n
    }
    for (let round = 0; round < 200; round++) {
      const count = 1 + random(6)
      const trajectories = Array.from({length: count}, (_, n) =>
        trajectory(
          count - n,
          `T${n}\u001b${'x'.repeat(random(150))}`,
          Array.from({length: random(12)}, () => random(400)),
          {
            summary: random(2) === 0 ? undefined : `s\u0007${'y'.repeat(random(400))}`,
          },
        ),
      )
      const whole = result(trajectories, random(3) === 0 ? `dir/${'`'.repeat(random(4))}it's $(id).txt` : 'f2.txt', random(120))
      const {text} = await hookContext(whole)
      const all = whyMarkdownFitting(whole, BUDGET, {historyLimit: 100})
      assert.equal(text, all.decisions === 0 ? null : all.text, `round ${round}`)
      assert.ok((text?.length ?? 0) <= BUDGET, `round ${round}: ${text?.length} characters`)
      if (trajectories[0]!.detail.events.length > 0) assert.ok(text !== null, `round ${round}: the newest trajectory's decisions shown`)
    }
  })

  it('reads no event of a trajectory whose heading cannot fit any more', async () => {
    const whole = result([
      trajectory(5, 'Big', Array(200).fill(10)),
      ...[4, 3, 2, 1].map((day) => trajectory(day, `Old ${day}`, [300], {summary: 'z'.repeat(300)})),
    ])
    const {text, read} = await hookContext(whole)
    assert.match(text ?? '', /\(4 more trajectories not shown/)
    assert.ok(read.size <= 2, `${read.size} trajectories read`)
  })

  it("says when the file's history was read only as far as its newest 100 commits, within the budget", async () => {
    const cut = await hookContext(result([trajectory(1, 'Many', Array(120).fill(20))], 'f2.txt', 99))
    assert.ok(cut.text !== null && cut.text.length <= BUDGET, `${cut.text?.length} characters`)
    assert.match(cut.text, /\n\(Only the newest 100 commits of this file were looked at: `trail why f2\.txt` reads more\.\)\n$/)
    const whole = await hookContext(result([trajectory(1, 'Few', [20])], 'f2.txt', 98))
    assert.doesNotMatch(whole.text ?? '', /Only the newest/)
    const none = await hookContext(result([trajectory(1, 'None', [])], 'f2.txt', 99))
    assert.equal(none.text, null, 'no context for a file with no decision found')
  })

  it('stays within the budget and shows decisions for a path as long as a file system allows', async () => {
    for (const path of [`${'d/'.repeat(300)}x.txt`, `${'d/'.repeat(2045)}x.txt`]) {
      const {text} = await hookContext(result([trajectory(2, 'Many', Array(120).fill(20)), trajectory(1, 'Old', [20])], path, 120))
      assert.ok(text !== null && text.length <= BUDGET, `${path.length}: ${text?.length} characters`)
      assert.ok(decisionsShown(text) > 10, `${path.length}: ${decisionsShown(text)} decisions`)
      if (path.length < 1000) assert.ok(text.includes(`\`trail why ${path}\``), 'named in the header')
    }
  })

  it('ends a reasoning without final punctuation with a period before its alternatives', () => {
    const t = trajectory(1, 'Parser', [0])
    Object.assign(t.detail.events[0]!, {reasoning: 'Fields may contain spaces', alternatives: ['a regex', 'a CSV library']})
    const {text} = whyMarkdownFitting(result([t]), BUDGET)
    assert.match(text, /- Parser decision 0: Fields may contain spaces\. Alternatives: a regex; a CSV library\.\n/)
    Object.assign(t.detail.events[0]!, {reasoning: 'Is it?'})
    assert.match(whyMarkdownFitting(result([t]), BUDGET).text, /: Is it\? Alternatives:/)
  })

  it('quotes the path of the command it suggests for a shell, inside a code span no backtick in the path can end', () => {
    for (const path of ['tick`s $(id).txt', "it's.txt", '``a` b', 'line\nbreak \u001b.txt', 'plain/file.js']) {
      const {text} = whyMarkdownFitting(result([trajectory(1, 'T', Array(20).fill(10))], path), 400)
      const spans = [...text.matchAll(/(?<!`)(`+)(?!`)([\s\S]*?)(?<!`)\1(?!`)/g)].map((m) => (/^ .* $/.test(m[2]!) ? m[2]!.slice(1, -1) : m[2]!))
      const commands = spans.filter((span) => span.startsWith('trail why '))
      assert.ok(commands.length >= 2, `${JSON.stringify(path)}: ${text}`)
      for (const command of commands) {
        assert.doesNotMatch(command, /\n/)
        const named = execFileSync('bash', ['-c', `printf %s ${command.slice('trail why '.length)}`], {encoding: 'utf8'})
        assert.equal(named, path, `${JSON.stringify(path)}: ${command}`)
      }
      if (!/[\n\u001b]/.test(path)) assert.ok(spans.includes(path), `${JSON.stringify(path)}: the heading names the file`)
    }
  })
})
