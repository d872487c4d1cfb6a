import {dayPath, idTime, type IdKind} from './ids.js'

// Where each kind of record is filed on the ref: its name, its noun and its path shape, apart from its parse and
// render (the registry of record kinds, ./kinds.ts, builds on these): code that only finds records (the edit hook's
// fast answer, ./layout.ts) does not carry the code that writes them.
//
// Path shapes are templates over the record's keys:
//   {id}            the record's own id (its kind prefix is checked)
//   {agent}         an agent name (a path segment, valid by construction: ./names.ts)
//   {trajectory}    the id of the trajectory an event belongs to
//   {message}       the id of the message a receipt marks
//   {day}           YYYY/MM/DD of the record's id (UTC); {day:trajectory} of the trajectory's id
//   {commit}        a commit id of the user's repository (hex)
//   {key}           a commit or patch id that finds a linked commit (hex); {shard:key} its first 2 + 2 characters
// Day folders keep every folder that is written small (DESIGN.md section 3): a write rewrites only the trees on
// its path, so their size is what a write costs.

/** The values a path template is filled with. */
export interface PathKeys {
  id?: string
  agent?: string
  trajectory?: string
  message?: string
  commit?: string
  key?: string
}

/** Where a kind of record is filed. */
export interface KindPath {
  /** Its key in KINDS (./kinds.ts). */
  readonly name: string
  /** The kind in a sentence: "a trajectory", "a read receipt". */
  readonly noun: string
  /** The prefix of the ids this kind is named by, when its file is named by its own id. */
  readonly idPrefix?: IdKind
  /** The path shape (see the comment at the top). */
  readonly path: string
}

export const KIND_PATHS = {
  format: {name: 'format', noun: 'the store format marker', path: '.trail/format.yaml'},
  trajectory: {name: 'trajectory', noun: 'a trajectory', idPrefix: 'traj', path: '.trail/trajectories/{day}/{id}/trajectory.md'},
  event: {
    name: 'event',
    noun: 'a decision (or another event of a trajectory)',
    idPrefix: 'ev',
    path: '.trail/trajectories/{day:trajectory}/{trajectory}/events/{id}.md',
  },
  activeMarker: {name: 'activeMarker', noun: 'an active-trajectory marker', path: '.trail/active/{agent}/{trajectory}.yaml'},
  project: {name: 'project', noun: "the project's identity", path: '.relay/project.yaml'},
  ledger: {name: 'ledger', noun: 'a continuity ledger', path: '.relay/ledger/{agent}.md'},
  handoff: {name: 'handoff', noun: 'a handoff', idPrefix: 'ho', path: '.relay/ledger/handoffs/{day}/{id}.md'},
  summary: {name: 'summary', noun: 'a [[SUMMARY]] record', idPrefix: 'sum', path: '.relay/ledger/summaries/{agent}/{day}/{id}.md'},
  session: {name: 'session', noun: 'a [[SESSION_END]] record', idPrefix: 'ses', path: '.relay/ledger/sessions/{agent}/{day}/{id}.md'},
  raw: {name: 'raw', noun: 'a raw record (agent output that could not be read)', idPrefix: 'raw', path: '.relay/ledger/raw/{agent}/{day}/{id}.md'},
  message: {name: 'message', noun: 'a message', idPrefix: 'msg', path: '.relay/messages/{day}/{id}.md'},
  receipt: {name: 'receipt', noun: 'a read receipt', path: '.relay/receipts/{agent}/{message}.yaml'},
  commitLink: {
    name: 'commitLink',
    noun: 'a link from a commit to a trajectory',
    path: '.trail/trajectories/{day:trajectory}/{trajectory}/commits/{commit}.yaml',
  },
  linkKey: {
    name: 'linkKey',
    noun: 'a key that finds the trajectory of a commit (its id or a patch id)',
    path: '.trail/links/{shard:key}/{key}/{trajectory}.yaml',
  },
} as const satisfies Record<string, KindPath>

/** A placeholder of a path shape. */
export const PLACEHOLDER = /\{(id|agent|trajectory|message|commit|key|shard:key|day(?::trajectory)?)\}/g

/**
 * The path of a record of `kind` with these keys.
 *
 * @example pathOf(KIND_PATHS.handoff, {id: 'ho_01jd...'})   // '.relay/ledger/handoffs/2026/11/21/ho_01jd....md'
 */
export function pathOf(kind: KindPath, keys: PathKeys): string {
  return kind.path.replace(PLACEHOLDER, (_, name: string) => {
    if (name === 'day') return dayPath(idTime(required(keys.id, name, kind)))
    if (name === 'day:trajectory') return dayPath(idTime(required(keys.trajectory, name, kind)))
    if (name === 'shard:key') return keyShard(required(keys.key, name, kind))
    return required(keys[name as keyof PathKeys], name, kind)
  })
}

/** The folders a key is filed under: "ab/cd" for "abcd...". */
export function keyShard(key: string): string {
  return `${key.slice(0, 2)}/${key.slice(2, 4)}`
}

function required(value: string | undefined, name: string, kind: KindPath): string {
  if (value === undefined) throw new TypeError(`a path of ${kind.noun} needs {${name}}`)
  return value
}
