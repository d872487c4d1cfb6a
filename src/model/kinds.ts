import {RecordFormatError} from '../errors.js'
import {dayPath, idTime, isId} from './ids.js'
import {KIND_PATHS, keyShard, PLACEHOLDER, type KindPath, type PathKeys} from './kind-paths.js'
import {parseHandoff, renderHandoff, type Handoff} from './handoff.js'
import {parseLedger, renderLedger, type Ledger} from './ledger.js'
import {parseCommitLink, parseLinkKey, renderCommitLink, renderLinkKey, type CommitLink, type LinkKey} from './commit-link.js'
import {mergeFields, mergeLedger, mergeTrajectory} from './merge.js'
import {parseMessage, parseReceipt, renderMessage, renderReceipt, type Message, type Receipt} from './message.js'
import {isValidName} from './names.js'
import {parseProject, renderProject, type Project} from './project.js'
import {parseFormat, renderFormat, type StoreFormat} from './format.js'
import {
  parseRaw,
  parseSessionEnd,
  parseSummary,
  renderRaw,
  renderSessionEnd,
  renderSummary,
  type RawRecord,
  type SessionEndRecord,
  type SummaryRecord,
} from './session-records.js'
import {
  parseActiveMarker,
  parseEvent,
  parseTrajectory,
  renderActiveMarker,
  renderEvent,
  renderTrajectory,
  type ActiveMarker,
  type Trajectory,
  type TrajectoryEvent,
} from './trajectory.js'

// The registry of record kinds: what makes a kind of record, declared once. Each entry names its folder and path
// shape, its id prefix, its parse and render, how a copy changed on two clones is merged, what `relay search` calls
// it, and what `trail doctor` checks. Layout (./layout.ts), search, merge, doctor and the mirror all read this
// table, the way git-bug's entity/dag is one generic "entity stored in git" that bugs specialise. A new kind is an
// entry here plus its model file. Where each kind is filed (its name, noun, id prefix and path shape) is declared
// in ./kind-paths.ts and spread into its entry here: code that only finds records need not carry their parse and render.

/**
 * How a record that two clones both changed is merged (DESIGN.md section 4). Immutable records never differ
 * under one name (names are unique ids); `merge` records are written by one owner and merged by meaning.
 */
export type MergeRule<T> = {kind: 'immutable'} | {kind: 'merge'; merge: (base: T | null, ours: T, theirs: T) => T}

/** What `relay search --kind` calls a kind of record. */
export const SEARCH_KINDS = ['trajectory', 'decision', 'handoff', 'ledger', 'summary', 'session', 'message'] as const
export type SearchKind = (typeof SEARCH_KINDS)[number]

export interface RecordKind<T = unknown> extends KindPath {
  readonly parse: (text: string, path: string) => T
  readonly render: (record: T) => string
  /** The keys the record's path is made from. */
  readonly keys: (record: T) => PathKeys
  readonly merge: MergeRule<T>
  /** What `relay search` calls it; absent for kinds that are not searched. */
  readonly search?: SearchKind
}

function kind<T>(definition: RecordKind<T>): RecordKind<T> {
  return definition
}

const ID_CHARS = '[0-9a-hjkmnp-tv-z]{26}'

export const KINDS = {
  format: kind<StoreFormat>({
    ...KIND_PATHS.format,
    parse: parseFormat,
    render: renderFormat,
    keys: () => ({}),
    merge: {kind: 'merge', merge: (_base, ours, theirs) => (theirs.format > ours.format ? theirs : ours)},
  }),
  trajectory: kind<Trajectory>({
    ...KIND_PATHS.trajectory,
    parse: parseTrajectory,
    render: renderTrajectory,
    keys: (t) => ({id: t.id}),
    merge: {kind: 'merge', merge: mergeTrajectory},
    search: 'trajectory',
  }),
  event: kind<TrajectoryEvent>({
    ...KIND_PATHS.event,
    parse: parseEvent,
    render: renderEvent,
    keys: (e) => ({id: e.id, trajectory: e.trajectory}),
    merge: {kind: 'immutable'},
    search: 'decision',
  }),
  activeMarker: kind<ActiveMarker>({
    ...KIND_PATHS.activeMarker,
    parse: parseActiveMarker,
    render: renderActiveMarker,
    keys: (m) => ({agent: m.agent, trajectory: m.trajectory}),
    merge: {kind: 'immutable'},
  }),
  project: kind<Project>({
    ...KIND_PATHS.project,
    parse: parseProject,
    render: renderProject,
    keys: () => ({}),
    merge: {kind: 'merge', merge: mergeFields},
  }),
  ledger: kind<Ledger>({
    ...KIND_PATHS.ledger,
    parse: parseLedger,
    render: renderLedger,
    keys: (l) => ({agent: l.agent}),
    merge: {kind: 'merge', merge: mergeLedger},
    search: 'ledger',
  }),
  handoff: kind<Handoff>({
    ...KIND_PATHS.handoff,
    parse: parseHandoff,
    render: renderHandoff,
    keys: (h) => ({id: h.id}),
    merge: {kind: 'immutable'},
    search: 'handoff',
  }),
  summary: kind<SummaryRecord>({
    ...KIND_PATHS.summary,
    parse: parseSummary,
    render: renderSummary,
    keys: (s) => ({id: s.id, agent: s.agent}),
    merge: {kind: 'immutable'},
    search: 'summary',
  }),
  session: kind<SessionEndRecord>({
    ...KIND_PATHS.session,
    parse: parseSessionEnd,
    render: renderSessionEnd,
    keys: (s) => ({id: s.id, agent: s.agent}),
    merge: {kind: 'immutable'},
    search: 'session',
  }),
  raw: kind<RawRecord>({
    ...KIND_PATHS.raw,
    parse: parseRaw,
    render: renderRaw,
    keys: (r) => ({id: r.id, agent: r.agent}),
    merge: {kind: 'immutable'},
  }),
  message: kind<Message>({
    ...KIND_PATHS.message,
    parse: parseMessage,
    render: renderMessage,
    keys: (m) => ({id: m.id}),
    merge: {kind: 'immutable'},
    search: 'message',
  }),
  receipt: kind<Receipt>({
    ...KIND_PATHS.receipt,
    parse: parseReceipt,
    render: renderReceipt,
    keys: (r) => ({agent: r.agent, message: r.message}),
    // One agent marked one message read on two clones: it was read first at the earlier time.
    merge: {kind: 'merge', merge: (_base, ours, theirs) => (theirs.read < ours.read ? theirs : ours)},
  }),
  commitLink: kind<CommitLink>({
    ...KIND_PATHS.commitLink,
    parse: parseCommitLink,
    render: renderCommitLink,
    keys: (l) => ({trajectory: l.trajectory, commit: l.commit}),
    merge: {kind: 'immutable'},
  }),
  linkKey: kind<LinkKey>({
    ...KIND_PATHS.linkKey,
    parse: parseLinkKey,
    render: renderLinkKey,
    keys: (k) => ({key: k.key, trajectory: k.trajectory}),
    // The content follows from the path: two clones that wrote the same key wrote the same bytes.
    merge: {kind: 'immutable'},
  }),
} as const

export type KindName = keyof typeof KINDS
/** A kind whose record type does not matter to the caller (the table's functions take any kind). */
// biome-ignore lint/suspicious/noExplicitAny: a definition of any flags and result (the table serves them all)
export type AnyKind = RecordKind<any>

/** Every kind, in the table's order. */
export const RECORD_KINDS: readonly AnyKind[] = Object.values(KINDS)

/** The record of a kind: `RecordOf<'trajectory'>` is a Trajectory. */
export type RecordOf<K extends KindName> = (typeof KINDS)[K] extends RecordKind<infer T> ? T : never

interface CompiledPath {
  kind: AnyKind
  pattern: RegExp
  /** The placeholders in the order the pattern captures them. */
  names: string[]
}

const HEX_ID_PATTERN = '([0-9a-f]{40}|[0-9a-f]{64})'

function compile(kind: AnyKind): CompiledPath {
  const names: string[] = []
  let source = ''
  let last = 0
  for (const match of kind.path.matchAll(PLACEHOLDER)) {
    source += escapeRegExp(kind.path.slice(last, match.index))
    const name = match[1]!
    names.push(name)
    if (name === 'id') source += `(${kind.idPrefix}_${ID_CHARS})`
    else if (name === 'trajectory') source += `(traj_${ID_CHARS})`
    else if (name === 'message') source += `(msg_${ID_CHARS})`
    else if (name === 'agent') source += '([A-Za-z0-9][A-Za-z0-9._-]{0,63})'
    else if (name === 'commit' || name === 'key') source += HEX_ID_PATTERN
    else if (name === 'shard:key') source += '([0-9a-f]{2}/[0-9a-f]{2})'
    else source += '(\\d{4}/\\d{2}/\\d{2})'
    last = match.index + match[0].length
  }
  source += escapeRegExp(kind.path.slice(last))
  return {kind, pattern: new RegExp(`^${source}$`), names}
}

function escapeRegExp(text: string): string {
  return text.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&')
}

/** The kinds' path patterns, compiled on first use (most commands never ask what a path is). */
let compiled: readonly CompiledPath[] | undefined

/** A path on the ref that belongs to a kind, with the keys its path holds. */
export interface KnownPath {
  kind: AnyKind
  keys: PathKeys
}

/**
 * The kind a path on the ref belongs to, or null for a path outside the layout. The keys are checked too: an agent
 * folder must be a valid name and a day folder must be the day of its id.
 *
 * @example kindOfPath('.relay/ledger/Alice.md')?.kind.name   // 'ledger'
 */
export function kindOfPath(path: string): KnownPath | null {
  compiled ??= RECORD_KINDS.map(compile)
  for (const {kind, pattern, names} of compiled) {
    const match = pattern.exec(path)
    if (!match) continue
    const keys: PathKeys = {}
    const days: Record<string, string> = {}
    let shard: string | undefined
    names.forEach((name, index) => {
      const value = match[index + 1]!
      if (name === 'shard:key') shard = value
      else if (name.startsWith('day')) days[name] = value
      else keys[name as keyof PathKeys] = value
    })
    if (keys.agent !== undefined && !isValidName(keys.agent)) return null
    // The day folder is where the id says: a record filed under another day would never be found by id.
    if (days.day !== undefined && (keys.id === undefined || !isId(keys.id, kind.idPrefix!) || dayPath(idTime(keys.id)) !== days.day)) return null
    if (shard !== undefined && (keys.key === undefined || keyShard(keys.key) !== shard)) return null
    if (days['day:trajectory'] !== undefined && (keys.trajectory === undefined || dayPath(idTime(keys.trajectory)) !== days['day:trajectory'])) return null
    return {kind, keys}
  }
  return null
}

/**
 * The `git grep` pathspecs that hold a kind's records: the path shape as a glob (a day folder is three levels).
 *
 * @example pathspecsOf(KINDS.ledger)   // [':(glob).relay/ledger/*.md']
 */
export function pathspecsOf(kind: AnyKind): string[] {
  return [`:(glob)${kind.path.replace(PLACEHOLDER, (_, name: string) => (name.startsWith('day') ? '*/*/*' : name === 'shard:key' ? '*/*' : '*'))}`]
}

/** The kind `relay search --kind <name>` means. */
export function searchKind(name: SearchKind): AnyKind {
  return RECORD_KINDS.find((kind) => kind.search === name)!
}

/**
 * Parses a record at `path` and checks it against its path: the keys in its path are the keys of its content (a
 * ledger named for Alice is Alice's). What `trail doctor` checks of every file on the ref. Throws RecordFormatError
 * naming the problem: a path outside the layout, a record that does not parse, a record that contradicts its path.
 */
export function readRecordAt(path: string, text: string): {kind: AnyKind; record: unknown} {
  const known = kindOfPath(path)
  if (!known) throw new RecordFormatError(path, 'its path fits no kind of record')
  const record = known.kind.parse(text, path)
  const keys = known.kind.keys(record)
  for (const [name, value] of Object.entries(known.keys)) {
    if (keys[name as keyof PathKeys] !== value)
      throw new RecordFormatError(path, `its ${name} is '${String(keys[name as keyof PathKeys])}', but its path says '${value}'`)
  }
  return {kind: known.kind, record}
}

/**
 * Merges the text of a record changed differently on both sides, by its kind's rule. Returns null when the kind
 * has no merge (immutable records never differ under one name, and the caller keeps its own).
 */
export function mergeRecordText(path: string, base: string | null, ours: string, theirs: string): string | null {
  const known = kindOfPath(path)
  if (known?.kind.merge.kind !== 'merge') return null
  const {parse, render} = known.kind
  return render(known.kind.merge.merge(base === null ? null : parse(base, path), parse(ours, path), parse(theirs, path)))
}
