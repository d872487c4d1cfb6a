import {idTime} from '../model/ids.js'
import {HANDOFFS_DIR, handoffPath, ledgerPath} from '../model/layout.js'
import {addUncertain, applySave, parseLedger, parseSaveContent, renderLedger, type Ledger} from '../model/ledger.js'
import {parseHandoff, renderHandoff, type Handoff} from '../model/handoff.js'
import type {AgentName} from '../model/names.js'
import {redactText, subjectText} from '../model/redact.js'
import type {Snapshot} from '../store/snapshot.js'
import type {Context} from './context.js'
import {readRunningDashboard} from './dashboard-state.js'
import {dayFolders} from './day-folders.js'
import {readInbox} from './messages.js'
import {findActive, readEvents, readRecentDetail} from './trajectory-records.js'
import type {SaveResult, StartupContext} from '../model/results.js'

// The continuity use cases: save the ledger (and a handoff), mark an item uncertain, and gather what a new
// session needs to know. Search lives in ./search.ts.

export async function readLedger(snapshot: Snapshot, agent: AgentName): Promise<Ledger | null> {
  const path = ledgerPath(agent)
  const text = await snapshot.readText(path)
  return text === null ? null : parseLedger(text, path)
}

/**
 * Saves the agent's continuity ledger from the spec's free-form text, keeping what the text does not mention;
 * with `handoff`, also writes an immutable handoff document carrying the ledger, the items to verify, and the
 * active trajectory with its decisions.
 *
 * @example await saveContinuity(ctx, {agent, content: 'Current task: Auth\nNext steps: Logout', handoff: false})
 */
export async function saveContinuity(ctx: Context, input: {agent: AgentName; content: string; handoff: boolean}): Promise<SaveResult> {
  // Redacted as it arrived (argument, stdin, ->continuity:save, outbox file), before the parser splits a key block
  // into fields and list items.
  const save = parseSaveContent(redactText(input.content))
  const store = await ctx.store()
  return store.transact(async (snapshot) => {
    const previous = await readLedger(snapshot, input.agent)
    const now = ctx.now().toISOString()
    let ledger = applySave(previous, input.agent, save, now)
    let handoff: Handoff | null = null
    const writes = []
    if (input.handoff) {
      const id = ctx.ids.next('ho')
      const active = await findActive(snapshot, input.agent)
      const decisions = active ? (await readEvents(snapshot, active.id)).filter((event) => event.kind === 'decision') : []
      const {agent: _agent, updated: _updated, handoff: _previousHandoff, ...content} = ledger
      handoff = {
        ...content,
        id,
        agent: input.agent,
        created: idTime(id).toISOString(),
        ...(active
          ? {
              trajectory: {
                id: active.id,
                title: active.title,
                decisions: decisions.map((d) => ({
                  title: d.title,
                  ...(d.reasoning === undefined ? {} : {reasoning: d.reasoning}),
                  ...(d.confidence === undefined ? {} : {confidence: d.confidence}),
                })),
              },
            }
          : {}),
      }
      ledger = {...ledger, handoff: id}
      writes.push({path: handoffPath(id), content: renderHandoff(handoff)})
    }
    writes.push({path: ledgerPath(input.agent), content: renderLedger(ledger)})
    return {
      writes,
      subject: handoff ? `handoff ${handoff.id} from ${input.agent}` : `continuity save for ${input.agent}`,
      trailers: [
        ['Trail-Record', handoff?.id ?? ledgerPath(input.agent)],
        ['Trail-Agent', input.agent],
      ],
      result: {ledger, handoff},
    }
  })
}

/** Records an item to verify in a later session; works with no ledger yet. */
export async function markUncertain(ctx: Context, input: {agent: AgentName; text: string}): Promise<Ledger> {
  const store = await ctx.store()
  return store.transact(async (snapshot) => {
    const ledger = addUncertain(await readLedger(snapshot, input.agent), input.agent, input.text, ctx.now().toISOString())
    return {
      writes: [{path: ledgerPath(input.agent), content: renderLedger(ledger)}],
      subject: `uncertain for ${input.agent}: ${subjectText(input.text)}`,
      trailers: [['Trail-Agent', input.agent]],
      result: ledger,
    }
  })
}

/**
 * Gathers the startup context: the ledger, the newest handoff, the items to verify (in the ledger), the active
 * trajectory with its decisions, and unread messages. Reads a handful of records, whatever the size of the store.
 */
export async function loadContext(ctx: Context, agent: AgentName): Promise<StartupContext> {
  const snapshot = await (await ctx.store()).snapshot()
  const [ledger, active, messages] = await Promise.all([readLedger(snapshot, agent), findActive(snapshot, agent), readInbox(ctx, {agent, unread: true})])
  const [handoff, trajectory] = await Promise.all([newestHandoff(snapshot, agent, ledger), active ? readRecentDetail(snapshot, active, LOAD_EVENTS) : null])
  const dashboard = readRunningDashboard(snapshot.repo)
  return {agent, ledger, handoff, trajectory, messages, ...(dashboard ? {dashboardUrl: dashboard.url} : {})}
}

/** How many of the active trajectory's latest events the startup context carries (all of them: trail show). */
const LOAD_EVENTS = 20

/** How many day folders of handoffs to look through when the ledger names none (an older store, a merge). */
const HANDOFF_SCAN_DAYS = 90

/**
 * The agent's newest handoff by time: the one its ledger names (ids carry their time, so the newest is the
 * greatest id); without one, the newest in the day folders of the last HANDOFF_SCAN_DAYS days that hold any.
 */
async function newestHandoff(snapshot: Snapshot, agent: AgentName, ledger: Ledger | null): Promise<Handoff | null> {
  if (ledger?.handoff) {
    const path = handoffPath(ledger.handoff)
    const text = await snapshot.readText(path)
    if (text !== null) return parseHandoff(text, path)
  }
  for (const day of (await dayFolders(snapshot, HANDOFFS_DIR)).slice(0, HANDOFF_SCAN_DAYS)) {
    const names = (await snapshot.list(day))
      .map((entry) => entry.name)
      .sort()
      .reverse()
    const paths = names.map((name) => `${day}/${name}`)
    const texts = await snapshot.readTexts(paths)
    for (const [index, text] of texts.entries()) {
      if (text === null) continue
      const handoff = parseHandoff(text, paths[index]!)
      if (handoff.agent === agent) return handoff
    }
  }
  return null
}
