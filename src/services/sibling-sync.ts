import {formatSeconds} from '../errors.js'
import {describeLeftOut, entryProblem, type LeftOutEntry} from '../model/foreign-entries.js'
import {KINDS, kindOfPath} from '../model/kinds.js'
import {parseTarget} from '../model/message.js'
import type {Sibling, SiblingSyncReport} from '../model/results.js'
import {parseTimeoutSeconds} from '../model/timeouts.js'
import type {Snapshot} from '../store/snapshot.js'
import {STORE_REF} from '../model/layout.js'
import type {Context} from './context.js'
import {listSiblings, readProject, siblingDefaultId} from './projects.js'
import {parseRecords} from './records.js'
import {readSiblingSnapshot} from './sibling-snapshot.js'

// `relay sync`: every sibling's store fetched with plain `git fetch` (local paths, file://, ssh and https alike),
// into refs/trail/siblings/<name>/records. Each project writes only its own store; this is how its messages reach
// the others. One failing sibling does not stop the rest: each is reported. A sibling's store is someone else's:
// each fetch has a time limit (a URL that never answers is that sibling's failure, not everyone's), what arrived is
// checked (model/foreign-entries.ts: entries that do not fit are named in a warning and never read), and every
// record is read through a bounded snapshot (./sibling-snapshot.ts).

/** Fetches running at once: siblings are usually on one machine or one host, where more only queue. */
const PARALLEL_FETCHES = 4

/** How long one sibling's fetch may take by default. */
export const DEFAULT_SYNC_TIMEOUT_MS = 60_000

/** The git config key that sets it, in seconds. */
const SYNC_TIMEOUT_KEY = 'relay.syncTimeout'

/**
 * Fetches every sibling (or, `offline`, only reads what was fetched before) and reports, for each, what arrived:
 * the records added and the messages for this project. Each fetch is stopped after `timeoutMs` (default: git
 * config relay.syncTimeout in seconds, else DEFAULT_SYNC_TIMEOUT_MS), git's helpers with it, and reported as that
 * sibling's failure.
 *
 * @example const reports = await syncSiblings(ctx, {offline: false})
 */
export async function syncSiblings(ctx: Context, options: {offline: boolean; timeoutMs?: number}): Promise<SiblingSyncReport[]> {
  const store = await ctx.store()
  const siblings = await listSiblings(ctx)
  const {project} = await readProject(await store.snapshot())
  const timeoutMs = options.offline || siblings.length === 0 ? 0 : (options.timeoutMs ?? (await configuredTimeoutMs(ctx)))
  const reports: SiblingSyncReport[] = new Array(siblings.length)
  let next = 0
  const worker = async () => {
    for (let index = next++; index < siblings.length; index = next++)
      reports[index] = await syncOne(ctx, siblings[index]!, project.id, options.offline, timeoutMs)
  }
  await Promise.all(Array.from({length: Math.min(PARALLEL_FETCHES, siblings.length)}, worker))
  return reports
}

async function configuredTimeoutMs(ctx: Context): Promise<number> {
  const configured = (await (await ctx.store()).repo.settings()).config.value(SYNC_TIMEOUT_KEY)
  return configured === undefined ? DEFAULT_SYNC_TIMEOUT_MS : parseTimeoutSeconds(configured, `git config ${SYNC_TIMEOUT_KEY}`)
}

async function syncOne(ctx: Context, sibling: Sibling, ourProject: string, offline: boolean, timeoutMs: number): Promise<SiblingSyncReport> {
  const repo = (await ctx.store()).repo
  const base = {name: sibling.name, url: sibling.url, records: 0, messages: []}
  if (offline) return {...base, status: sibling.tip === null ? 'empty' : 'unchanged', tip: sibling.tip}
  const fetched = await repo.fetch(sibling.url, `+${STORE_REF}:${sibling.ref}`, undefined, {timeoutMs})
  if (fetched.outcome === 'no-such-ref') return {...base, status: 'empty', tip: sibling.tip}
  if (fetched.outcome === 'not-a-repository')
    return {...base, status: 'failed', tip: sibling.tip, error: `${sibling.url} is not a git repository (or does not exist)`}
  if (fetched.outcome === 'timed-out')
    return {
      ...base,
      status: 'failed',
      tip: sibling.tip,
      error: `timed out after ${formatSeconds(fetched.timeoutMs)} (relay sync --timeout <seconds> gives it longer)`,
    }
  if (fetched.outcome === 'failed') return {...base, status: 'failed', tip: sibling.tip, error: fetched.error.message.replace(/^git fetch failed: /, '')}
  const tip = await repo.resolveForeignRef(sibling.ref)
  if (tip === null || tip === sibling.tip) return {...base, status: tip === null ? 'empty' : 'unchanged', tip}
  let theirs: Snapshot
  try {
    theirs = await readSiblingSnapshot(ctx, repo, sibling.name, tip)
  } catch (error) {
    return {...base, status: 'failed', tip, error: `its store cannot be read: ${(error as Error).message}`}
  }
  await warnOnSameId(ctx, sibling, ourProject, theirs)
  // What arrived, checked entry by entry before anything of it is read.
  const leftOut: LeftOutEntry[] = []
  const added = (await repo.treeChanges(sibling.tip, tip)).filter((change) => {
    if (change.newOid === null) return false
    const problem = entryProblem(change.path, change.newMode)
    if (problem !== null) leftOut.push({path: change.path, reason: problem})
    return problem === null
  })
  if (leftOut.length > 0)
    ctx.warn(
      `sibling ${sibling.name}: ${leftOut.length} ${leftOut.length === 1 ? 'entry does' : 'entries do'} not fit a store and ${leftOut.length === 1 ? 'is' : 'are'} ignored: ${describeLeftOut(leftOut)}`,
    )
  const messagePaths = added.filter((change) => kindOfPath(change.path)?.kind === KINDS.message).map((change) => change.path)
  const messages = parseRecords('message', await theirs.readTexts(messagePaths), messagePaths, () => {}).filter((message) => {
    try {
      const target = parseTarget(message.to)
      return target.project === ourProject || target.project === '*'
    } catch {
      return false
    }
  })
  return {...base, status: 'updated', tip, records: added.length, messages}
}

/** A sibling that goes by this project's own id: messages to that id would be ambiguous. Said when it changes. */
async function warnOnSameId(ctx: Context, sibling: Sibling, ourProject: string, theirs: Snapshot): Promise<void> {
  const id = await readProject(theirs, siblingDefaultId(sibling)).then(
    (info) => info.project.id,
    () => null,
  )
  if (id === ourProject) {
    ctx.warn(`sibling ${sibling.name} goes by this project's own id '${ourProject}': give one of them another with: relay project --id <name>`)
  }
}
