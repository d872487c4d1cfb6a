import {MESSAGES_DIR} from '../model/layout.js'
import {Snapshot} from '../store/snapshot.js'
import {parseTarget} from '../model/message.js'
import type {Sibling, SiblingSyncReport} from '../model/results.js'
import {STORE_REF} from '../store/store.js'
import type {Context} from './context.js'
import {listSiblings, readProject, siblingDefaultId} from './projects.js'
import {parseRecords} from './records.js'

// `relay sync`: every sibling's store fetched with plain `git fetch` (local paths, file://, ssh and https alike),
// into refs/trail/siblings/<name>/records. Each project writes only its own store; this is how its messages reach
// the others. One failing sibling does not stop the rest: each is reported.

/** Fetches running at once: siblings are usually on one machine or one host, where more only queue. */
const PARALLEL_FETCHES = 4

/**
 * Fetches every sibling (or, `offline`, only reads what was fetched before) and reports, for each, what arrived:
 * the records added and the messages for this project.
 *
 * @example const reports = await syncSiblings(ctx, {offline: false})
 */
export async function syncSiblings(ctx: Context, options: {offline: boolean}): Promise<SiblingSyncReport[]> {
  const store = await ctx.store()
  const siblings = await listSiblings(ctx)
  const {project} = await readProject(await store.snapshot())
  const reports: SiblingSyncReport[] = new Array(siblings.length)
  let next = 0
  const worker = async () => {
    for (let index = next++; index < siblings.length; index = next++) reports[index] = await syncOne(ctx, siblings[index]!, project.id, options.offline)
  }
  await Promise.all(Array.from({length: Math.min(PARALLEL_FETCHES, siblings.length)}, worker))
  return reports
}

async function syncOne(ctx: Context, sibling: Sibling, ourProject: string, offline: boolean): Promise<SiblingSyncReport> {
  const repo = (await ctx.store()).repo
  const base = {name: sibling.name, url: sibling.url, records: 0, messages: []}
  if (offline) return {...base, status: sibling.tip === null ? 'empty' : 'unchanged', tip: sibling.tip}
  const fetched = await repo.fetch(sibling.url, `+${STORE_REF}:${sibling.ref}`)
  if (fetched.outcome === 'no-such-ref') return {...base, status: 'empty', tip: sibling.tip}
  if (fetched.outcome === 'not-a-repository') return {...base, status: 'failed', tip: sibling.tip, error: `${sibling.url} is not a git repository (or does not exist)`}
  if (fetched.outcome === 'failed') return {...base, status: 'failed', tip: sibling.tip, error: fetched.error.message.replace(/^git fetch failed: /, '')}
  const tip = await repo.resolveRef(sibling.ref)
  if (tip === null || tip === sibling.tip) return {...base, status: tip === null ? 'empty' : 'unchanged', tip}
  await warnOnSameId(ctx, sibling, ourProject)
  const added = [...(await repo.diffTrees(sibling.tip, tip))].filter(([, [, now]]) => now !== null)
  const messagePaths = added.filter(([path]) => path.startsWith(`${MESSAGES_DIR}/`)).map(([path]) => path)
  const objects = await repo.reader.readMany(messagePaths.map((path) => added.find(([p]) => p === path)![1][1]!))
  const messages = parseRecords('message', objects.map((object) => object?.data.toString('utf8') ?? null), messagePaths, () => {}).filter((message) => {
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
async function warnOnSameId(ctx: Context, sibling: Sibling, ourProject: string): Promise<void> {
  const repo = (await ctx.store()).repo
  const theirs = await Snapshot.read(repo, sibling.ref)
    .then((snapshot) => readProject(snapshot, siblingDefaultId(sibling)))
    .then((info) => info.project.id, () => null)
  if (theirs === ourProject) {
    ctx.warn(`sibling ${sibling.name} goes by this project's own id '${ourProject}': give one of them another with: relay project --id <name>`)
  }
}
