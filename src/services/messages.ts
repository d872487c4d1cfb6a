import {NotFoundError, type RecordFormatError} from '../errors.js'
import {idTime} from '../model/ids.js'
import {KINDS, kindOfPath} from '../model/kinds.js'
import {MESSAGES_DIR, messagePath, receiptPath, receiptsDir} from '../model/layout.js'
import {
  isAddressedTo,
  parseMessageBody,
  parseTarget,
  renderMessage,
  renderReceipt,
  targetsOf,
  type Message,
  type MessageTarget,
  type Reader,
} from '../model/message.js'
import {counted, parseThreadId, type AgentName, type ProjectName, type ThreadId} from '../model/names.js'
import type {InboxEntry, Sibling} from '../model/results.js'
import {MirrorFiles} from '../store/mirror-read.js'
import {escapeExtended, type Snapshot} from '../store/snapshot.js'
import type {Context} from './context.js'
import {listSiblings, readProject, siblingDefaultId} from './projects.js'
import {parseRecords, readRecords} from './records.js'
import {readSiblingSnapshot} from './sibling-snapshot.js'

// Messages between agents, in this project and across sibling projects. A message is written once, into the
// sender's own store; an inbox is read from this project's store and from every synced sibling's
// (refs/trail/siblings/<name>/records), so delivery needs no write anywhere else and cannot conflict.

/** A store messages are read from: this project's, or a synced sibling's. */
export interface MessageSource {
  /** null for this project; the sibling's name otherwise. */
  sibling: string | null
  project: ProjectName
  /** The lead the store names, if any. */
  lead?: AgentName
  snapshot: Snapshot
  /** This project's mirror, when its files show the snapshot's commit: messages are read there, without git. */
  mirror?: MirrorFiles
}

/**
 * This project's store and every synced sibling's, each with the project id it goes by (a sibling whose store
 * names none: its folder's name, as it calls itself). A sibling whose store cannot be read is left out with a
 * warning naming it: one broken sibling never stops this project's inbox or context.
 */
export async function messageSources(ctx: Context): Promise<{here: MessageSource; lead: AgentName | undefined; siblings: MessageSource[]}> {
  const store = await ctx.store()
  const snapshot = await store.snapshot()
  const {project} = await readProject(snapshot)
  const read = async (sibling: Sibling): Promise<MessageSource[]> => {
    let theirs: Snapshot
    try {
      // Bounded: a record over the size limit is left out with a warning, never read whole (./sibling-snapshot.ts).
      theirs = await readSiblingSnapshot(ctx, store.repo, sibling.name, sibling.ref)
    } catch (error) {
      ctx.warn(`sibling ${sibling.name} is left out: ${(error as Error).message} (in ${sibling.ref})`)
      return []
    }
    const fallback = siblingDefaultId(sibling)
    const {project: theirProject} = await readProject(theirs, fallback).catch((error: Error) => {
      ctx.warn(`sibling ${sibling.name}: ${error.message} (in ${sibling.ref}); taken to go by '${fallback}'`)
      return {project: {id: fallback, lead: undefined}}
    })
    return [{sibling: sibling.name, project: theirProject.id, ...(theirProject.lead ? {lead: theirProject.lead} : {}), snapshot: theirs}]
  }
  const siblings = (await Promise.all((await listSiblings(ctx)).filter((sibling) => sibling.tip !== null).map(read))).flat()
  const mirror = store.mirror.shows(snapshot.tip) ? new MirrorFiles(store.repo.workTree!) : undefined
  return {
    here: {sibling: null, project: project.id, ...(project.lead ? {lead: project.lead} : {}), snapshot, ...(mirror ? {mirror} : {})},
    lead: project.lead,
    siblings,
  }
}

/**
 * Records a message from `from`, in this project, to `to` (agent, project:agent, project:lead, project:* or *:*),
 * in an optional thread. Throws UsageError for an invalid target, thread or an empty body. Warns when no known
 * sibling goes by the target's project, and when that project names no lead for `project:lead` (then the lead
 * given with `relay bridge add --lead` is addressed by name instead, if there is one).
 *
 * @example await sendMessage(ctx, {from: agent, to: 'frontend:Designer', thread: 'auth-feature', body: 'UI ready'})
 */
export async function sendMessage(ctx: Context, input: {from: AgentName; to: string; thread: string | null; body: string}): Promise<Message> {
  const target = parseTarget(input.to)
  const thread = input.thread === null ? undefined : parseThreadId(input.thread)
  const body = parseMessageBody(input.body)
  const to = await addressFor(ctx, target, input.to.trim())
  const store = await ctx.store()
  return store.transact(async (snapshot) => {
    const {project} = await readProject(snapshot)
    const id = ctx.ids.next('msg')
    const message: Message = {id, from: input.from, project: project.id, to, ...(thread ? {thread} : {}), created: idTime(id).toISOString(), body}
    return {
      writes: [{path: messagePath(id), content: renderMessage(message)}],
      subject: `message ${id} from ${input.from} to ${message.to}`,
      trailers: [
        ['Trail-Record', id],
        ['Trail-Agent', input.from],
      ],
      result: message,
    }
  })
}

/** The `to:` a message is written with: the target as given, or its project's lead by name (see sendMessage). */
async function addressFor(ctx: Context, target: MessageTarget, written: string): Promise<string> {
  if (target.project === null || target.project === '*') return written
  const {here, siblings} = await messageSources(ctx)
  if (target.project === here.project) return written
  const source = siblings.find((sibling) => sibling.project === target.project)
  const bridge = (await listSiblings(ctx)).find((sibling) => sibling.name === (source?.sibling ?? target.project))
  if (!source && !bridge) {
    ctx.warn(`no sibling goes by '${target.project}' yet (relay bridge list, relay sync): the message waits in this project's store until one does`)
    return written
  }
  if (target.agent !== 'lead' || source?.lead) return written
  if (bridge?.lead) {
    ctx.warn(`${target.project} names no lead in its store: addressed to ${target.project}:${bridge.lead}, the lead relay bridge add --lead gave`)
    return `${target.project}:${bridge.lead}`
  }
  ctx.warn(
    `${target.project} names no lead ${source ? 'in its store' : 'yet'}: the message reaches its lead once it names one (relay project --lead <agent> there)`,
  )
  return written
}

/**
 * Messages read from the mirror's files at most: past this many, one `git grep` (which reads them in threads, in C)
 * costs less than the files' reads, and it is the process the mirror spares that makes the files worth it.
 */
const MIRROR_MESSAGES = 500

/**
 * The messages of one store whose `to:` line is one of `targets` and whose `thread:` line is `thread`, parsed; all
 * of them without either. One `git grep`, or, for this project's store when its mirror shows the snapshot's commit
 * (MessageSource.mirror), the mirror's files with the same patterns: no process.
 */
async function readMessages(
  source: MessageSource,
  filter: {targets?: string[]; thread?: ThreadId},
  unreadable: string[],
  signal: AbortSignal | undefined,
): Promise<Message[]> {
  // A message that cannot be parsed is left out, never silently: its path is collected for a warning (warnUnreadable).
  const skip = (error: RecordFormatError) => void unreadable.push(source.sibling === null ? error.path : `${error.path} (sibling ${source.sibling})`)
  const patterns: string[] = []
  if (filter.targets) patterns.push(`^to: "?(${filter.targets.map(escapeExtended).join('|')})"?$`)
  if (filter.thread) patterns.push(`^thread: "?${escapeExtended(filter.thread)}"?$`)
  const isMessage = (path: string) => kindOfPath(path)?.kind === KINDS.message
  const files = source.mirror?.listFiles(MESSAGES_DIR, MIRROR_MESSAGES)
  if (source.mirror && files) {
    // The patterns are extended regular expressions escaped for git grep (escapeExtended): JavaScript reads them alike.
    const expressions = patterns.map((pattern) => new RegExp(pattern, 'm'))
    const paths: string[] = []
    const texts: string[] = []
    for (const path of files.filter(isMessage)) {
      const text = source.mirror.readText(path)
      if (text === null || !expressions.every((expression) => expression.test(text))) continue
      paths.push(path)
      texts.push(text)
    }
    return parseRecords('message', texts, paths, skip)
  }
  const {snapshot} = source
  const found =
    patterns.length > 0 ? await snapshot.grepFiles({patterns, allMatch: true, pathspecs: [MESSAGES_DIR], signal}) : await snapshot.listFiles(MESSAGES_DIR)
  // Only files at a message's path (a sibling's store may hold anything: relay sync names what does not fit).
  return readRecords(snapshot, 'message', found.filter(isMessage), skip)
}

/** The warning for messages that cannot be read (a sibling's are fixed in that project, where trail doctor lists them). */
function warnUnreadable(ctx: Context, unreadable: readonly string[]): void {
  if (unreadable.length === 0) return
  const shown = unreadable.slice(0, 3).join(', ') + (unreadable.length > 3 ? `, and ${unreadable.length - 3} more` : '')
  ctx.warn(`${counted(unreadable.length, 'message')} cannot be read: ${shown}; left out (run trail doctor)`)
}

/** The ids of the messages an agent has marked read. */
async function readReceipts(snapshot: Snapshot, agent: AgentName): Promise<Set<string>> {
  return new Set((await snapshot.list(receiptsDir(agent))).map((entry) => entry.name.replace(/\.yaml$/, '')))
}

/**
 * The messages for an agent, from this project and every synced sibling, oldest first, each with where it came
 * from and whether the agent has read it.
 *
 * @example const entries = await readInbox(ctx, {agent, unread: true})
 */
export async function readInbox(ctx: Context, input: {agent: AgentName; unread?: boolean; thread?: ThreadId}): Promise<InboxEntry[]> {
  const {here, lead, siblings} = await messageSources(ctx)
  const reader: Reader = {project: here.project, agent: input.agent, ...(lead ? {lead} : {})}
  const unreadable: string[] = []
  const [receipts, ...perSource] = await Promise.all([
    readReceipts(here.snapshot, input.agent),
    ...[here, ...siblings].map(async (source) => {
      const messages = await readMessages(
        source,
        {targets: targetsOf(reader, source.sibling === null), ...(input.thread ? {thread: input.thread} : {})},
        unreadable,
        ctx.signal,
      )
      const origin = source.sibling === null ? null : source.project
      return messages
        .filter((message) => isAddressedTo(message, origin, reader))
        .map((message) => ({message, project: source.project, sibling: source.sibling}))
    }),
  ])
  warnUnreadable(ctx, unreadable)
  return oldestFirst(
    (perSource as Omit<InboxEntry, 'read'>[][]).flat().map((entry) => ({...entry, read: (receipts as Set<string>).has(entry.message.id)})),
  ).filter((entry) => !input.unread || !entry.read)
}

/** Every message of a thread, in this project and every synced sibling, oldest first. */
export async function readThread(ctx: Context, thread: ThreadId): Promise<InboxEntry[]> {
  const {here, siblings} = await messageSources(ctx)
  const unreadable: string[] = []
  const perSource = await Promise.all(
    [here, ...siblings].map(async (source) =>
      (await readMessages(source, {thread}, unreadable, ctx.signal)).map((message) => ({
        message,
        project: source.project,
        sibling: source.sibling,
        read: false,
      })),
    ),
  )
  warnUnreadable(ctx, unreadable)
  return oldestFirst(perSource.flat())
}

/**
 * Entries by message id (so by time), each message once: a sibling that holds this project's records too (a clone
 * bridged by mistake) does not show a message twice. This project's own copy comes first and is the one kept.
 */
function oldestFirst(entries: InboxEntry[]): InboxEntry[] {
  const seen = new Set<string>()
  return entries
    .filter((entry) => !seen.has(entry.message.id) && seen.add(entry.message.id) !== undefined)
    .sort((a, b) => (a.message.id < b.message.id ? -1 : 1))
}

/**
 * Marks messages read for an agent (receipts in this project's store): the ones named, or every unread one (of
 * `thread`, when given).
 * Returns the ids marked now (already read ones are skipped).
 */
export async function markRead(ctx: Context, input: {agent: AgentName; ids: string[]; thread?: ThreadId}): Promise<string[]> {
  const inbox = await readInbox(ctx, {agent: input.agent, ...(input.thread ? {thread: input.thread} : {})})
  const known = new Map(inbox.map((entry) => [entry.message.id, entry]))
  const unknown = input.ids.filter((id) => !known.has(id))
  if (unknown.length > 0) {
    const where = input.thread ? ` (thread ${input.thread})` : ''
    throw new NotFoundError(
      `not in the inbox of ${input.agent}${where}: ${unknown.slice(0, 3).join(', ')}`,
      `see the ids with: relay inbox${input.thread ? ` --thread ${input.thread}` : ''}`,
    )
  }
  const wanted = [
    ...new Set((input.ids.length > 0 ? input.ids.map((id) => known.get(id)!) : inbox).filter((entry) => !entry.read).map((entry) => entry.message.id)),
  ]
  if (wanted.length === 0) return []
  const store = await ctx.store()
  const read = ctx.now().toISOString()
  return store.transact(async (snapshot) => {
    const already = await readReceipts(snapshot, input.agent)
    const fresh = wanted.filter((id) => !already.has(id))
    return {
      writes: fresh.map((id) => ({path: receiptPath(input.agent, id), content: renderReceipt({message: id, agent: input.agent, read})})),
      subject: `${input.agent} read ${counted(fresh.length, 'message')}`,
      trailers: [['Trail-Agent', input.agent]],
      result: fresh,
    }
  })
}
