import type {Json, JsonObject} from './agent-trajectories-schema.js'
import type {Value} from './front-matter.js'
import {isValidName, type AgentName} from './names.js'
import {compact} from './record.js'
import type {LegacyChapter, Trajectory, TrajectoryEvent} from './trajectory.js'

// Our trajectories as agent-trajectories' JSON, and back. One function derives the JSON from our records
// (`toAgentTrajectory`: `trail export --format agent-trajectories` and the TRAJECTORIES_DATA_DIR projection); the
// import maps a file onto our fields, derives the JSON again from them, and keeps verbatim, in a `legacy` field,
// exactly what the derived JSON gets wrong: the keys whose values differ (`set`) and the keys it adds (`unset`),
// at each level (trajectory, event). So an imported file is exported back equal to itself on every field, by
// construction, while the fields that map (title, times, decisions, reasoning, confidence...) are ordinary fields
// of our records that every command reads. Pure: no I/O, no clock.

/** What the import keeps verbatim for one level of the JSON. */
export interface LegacyDiff {
  /** Keys whose original values the derived JSON does not reproduce. */
  set?: JsonObject
  /** Keys the derived JSON has and the original did not. */
  unset?: string[]
}

/** A trajectory's legacy block: its diff, and the files kept beside its JSON. */
export interface TrajectoryLegacy extends LegacyDiff {
  /** `<id>.trace.json`, verbatim. */
  trace?: Json
  /** A `compaction.json` marker (this trajectory was compacted into another), verbatim. */
  compaction?: Json
}

/** What agent-trajectories writes where a field is required and relay-trail has none. */
export const DEFAULT_APPROACH = 'Standard approach'
export const DEFAULT_CONFIDENCE = 0.8
/** The phases agent-relay's PDERO paradigm names. */
export const PDERO_PHASES = ['plan', 'design', 'execute', 'review', 'observe'] as const

/**
 * A trajectory and its events as agent-trajectories' trajectory JSON (the shape its schema accepts).
 *
 * @example JSON.stringify(toAgentTrajectory(detail.trajectory, detail.events), null, 2)
 */
export function toAgentTrajectory(
  t: Trajectory,
  events: readonly TrajectoryEvent[],
  eventJson: (event: TrajectoryEvent) => JsonObject = toAgentEvent,
): JsonObject {
  const json = object([
    ['id', t.legacyId ?? t.id],
    ['version', 1],
    [
      'task',
      object([
        ['title', t.title],
        ['description', t.description],
        [
          'source',
          t.task === undefined
            ? undefined
            : object([
                ['system', t.source ?? 'plain'],
                ['id', t.task],
                ['url', t.url],
              ]),
        ],
      ]),
    ],
    ['status', t.status],
    ['startedAt', t.started],
    ['completedAt', t.ended],
    ['agents', (t.agents as Json[] | undefined) ?? [{name: t.agent, role: 'lead', joinedAt: t.started}]],
    ['chapters', chaptersOf(t, events, eventJson)],
    [
      'retrospective',
      t.summary === undefined
        ? undefined
        : object([
            ['summary', t.summary],
            ['approach', t.approach ?? DEFAULT_APPROACH],
            ['challenges', t.challenges.length > 0 ? t.challenges : undefined],
            ['learnings', t.learnings.length > 0 ? t.learnings : undefined],
            ['confidence', t.confidence ?? DEFAULT_CONFIDENCE],
          ]),
    ],
    ['commits', []],
    ['filesChanged', []],
    ['projectId', t.project],
    ['workflowId', t.workflow],
    ['tags', t.tags ?? []],
  ])
  return applyDiff(json, legacyOf(t.legacy))
}

/** An event as agent-trajectories writes it: ts, type, content, raw, significance, tags. */
export function toAgentEvent(e: TrajectoryEvent): JsonObject {
  const ts = Date.parse(e.at)
  let json: JsonObject
  switch (e.kind) {
    case 'decision':
      json = object([
        ['ts', ts],
        ['type', 'decision'],
        ['content', `${e.question ?? e.title}: ${e.title}`],
        [
          'raw',
          object([
            ['question', e.question ?? e.title],
            ['chosen', e.title],
            ['alternatives', e.alternatives.map((option) => ({option, reason: ''}))],
            ['reasoning', e.reasoning ?? ''],
            ['confidence', e.confidence],
          ]),
        ],
        ['significance', e.significance ?? 'high'],
        ['tags', e.tags],
      ])
      break
    case 'reflection': {
      const raw = object([
        ['focalPoints', e.focalPoints],
        ['adjustments', e.adjustments],
        ['confidence', e.confidence],
      ])
      const tags = e.tags ?? [...(e.focalPoints ?? []).map((point) => `focal:${point}`), ...(e.confidence === undefined ? [] : [`confidence:${e.confidence}`])]
      json = object([
        ['ts', ts],
        ['type', 'reflection'],
        ['content', e.title],
        ['raw', Object.keys(raw).length > 0 ? raw : undefined],
        ['significance', e.significance ?? 'high'],
        ['tags', tags.length > 0 ? tags : undefined],
      ])
      break
    }
    case 'phase':
      // agent-relay reads the phase from a `phase_transition` event's content, with /phase[:\s]+(\w+)/i.
      json = object([
        ['ts', ts],
        ['type', 'phase_transition'],
        ['content', `Phase: ${e.phase ?? e.title}${e.reasoning ? ` (${e.reasoning})` : ''}`],
        [
          'raw',
          object([
            ['phase', e.phase ?? e.title],
            ['reason', e.reasoning],
          ]),
        ],
        ['significance', e.significance ?? 'medium'],
        ['tags', e.tags],
      ])
      break
    default:
      json = object([
        ['ts', ts],
        ['type', e.kind === 'event' ? (e.type ?? 'observation') : e.kind],
        ['content', e.title],
        ['significance', e.significance],
        ['tags', e.tags],
      ])
  }
  return applyDiff(json, legacyOf(e.legacy))
}

/** The chapters: the imported ones with their events, or one chapter for a trajectory started here. */
function chaptersOf(t: Trajectory, events: readonly TrajectoryEvent[], eventJson: (event: TrajectoryEvent) => JsonObject): Json[] {
  const chapters: {fields: LegacyChapter; events: Json[]}[] = (t.chapters ?? []).map((fields) => ({fields, events: []}))
  if (t.chapters === undefined || (chapters.length === 0 && events.length > 0)) {
    chapters.push({
      fields: object([
        ['id', `chap_${t.id.slice(t.id.indexOf('_') + 1)}`],
        ['title', 'Initial work'],
        ['agentName', t.agent],
        ['startedAt', t.started],
        ['endedAt', t.ended],
      ]),
      events: [],
    })
  }
  const byId = new Map(chapters.map((chapter) => [chapter.fields.id, chapter]))
  for (const event of orderEvents(events)) (byId.get(event.chapter) ?? chapters.at(-1)!).events.push(eventJson(event))
  // agent-trajectories' `abandon --reason` writes the reason as a note in the last chapter.
  if (t.status === 'abandoned' && t.reason !== undefined && chapters.length > 0) {
    const note = `Abandoned: ${t.reason}`
    const last = chapters.at(-1)!
    if (!events.some((e) => e.kind === 'note' && e.title === note)) {
      last.events.push({ts: Date.parse(t.ended ?? t.updated), type: 'note', content: note, significance: 'high'})
    }
  }
  return chapters.map((chapter) => object([...Object.entries(chapter.fields), ['events', chapter.events]]))
}

/** Imported events in their original order, then the others by time. */
export function orderEvents(events: readonly TrajectoryEvent[]): TrajectoryEvent[] {
  return [...events].sort((a, b) => {
    if (a.seq !== undefined && b.seq !== undefined) return a.seq - b.seq
    if (a.seq !== undefined) return -1
    if (b.seq !== undefined) return 1
    return a.at < b.at ? -1 : a.at > b.at ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0
  })
}

// --- the import ---------------------------------------------------------------------------------------------------

/** A trajectory file mapped onto our records. */
export interface MappedTrajectory {
  trajectory: Trajectory
  /** Every event of the file, in its order (`seq` 0, 1, 2...). */
  events: TrajectoryEvent[]
}

export interface MappingIds {
  /** The trajectory's id in our store (new: made for its start time; on a second import: the one it has). */
  trajectory: string
  /** The id of the event at `seq` (made for its time, or the one it already has). */
  event(at: Date, seq: number): string
}

/**
 * Maps a trajectory file (already checked by validateAgentTrajectory) onto a trajectory and its events, keeping
 * verbatim what does not map, so that `toAgentTrajectory(mapped)` deep-equals `json`.
 *
 * @example const {trajectory, events} = fromAgentTrajectory(json, {trajectory: id, event: (at) => ids.next('ev', at)})
 */
export function fromAgentTrajectory(json: JsonObject, ids: MappingIds, files: {trace?: Json; compaction?: Json} = {}): MappedTrajectory {
  const task = asObject(json.task)
  const source = asObject(task.source)
  const retrospective = json.retrospective === undefined ? undefined : asObject(json.retrospective)
  const chapters = asArray(json.chapters).map(asObject)
  const agents = asArray(json.agents)
  const agent = toAgentName(asString(chapters[0]?.agentName) ?? asString(asObject(agents[0]).name))

  const events: TrajectoryEvent[] = []
  // Each event maps back to its own JSON exactly (its legacy diff sees to it): the trajectory's diff reuses it.
  const originals = new Map<TrajectoryEvent, JsonObject>()
  for (const chapter of chapters) {
    const where = {trajectory: ids.trajectory, agent: toAgentName(asString(chapter.agentName)), chapter: asString(chapter.id)}
    for (const item of asArray(chapter.events)) {
      const json = asObject(item)
      const event = fromAgentEvent(json, ids.event(new Date(Number(json.ts)), events.length), where, events.length)
      originals.set(event, json)
      events.push(event)
    }
  }
  const last = events.at(-1)
  const abandonedNote =
    json.status === 'abandoned' && last?.kind === 'note' && last.title.startsWith('Abandoned: ') ? last.title.slice('Abandoned: '.length) : undefined
  const started = String(json.startedAt)
  const ended = asString(json.completedAt)
  const tags = asArray(json.tags).filter((tag): tag is string => typeof tag === 'string')
  const trajectory: Trajectory = compact({
    id: ids.trajectory,
    title: String(task.title),
    status: json.status as Trajectory['status'],
    agent,
    started,
    updated: ended ?? events.reduce((latest, e) => (e.at > latest ? e.at : latest), started),
    ended,
    task: asString(source.id),
    source: asString(source.system),
    url: asString(source.url),
    summary: asString(retrospective?.summary),
    confidence: typeof retrospective?.confidence === 'number' ? retrospective.confidence : undefined,
    approach: asString(retrospective?.approach),
    challenges: strings(retrospective?.challenges),
    learnings: strings(retrospective?.learnings),
    reason: abandonedNote,
    project: asString(json.projectId),
    workflow: asString(json.workflowId),
    description: asString(task.description),
    tags: tags.length > 0 ? tags : undefined,
    legacyId: String(json.id),
    chapters: chapters.map((chapter) => object(Object.entries(chapter).filter(([key]) => key !== 'events')) as LegacyChapter),
    agents: agents as Value[],
  })
  const derived = toAgentTrajectory(trajectory, events, (event) => originals.get(event) ?? toAgentEvent(event))
  const diff = diffJson(json, derived)
  const legacy = compact({...diff, trace: files.trace, compaction: files.compaction})
  return {trajectory: Object.keys(legacy).length > 0 ? {...trajectory, legacy: legacy as Value} : trajectory, events}
}

/**
 * One event of a file. Built field by field, each only when it has a value (as `compact` would leave it): this
 * runs for every event of an import, 31,000 times at 10,000 trajectories.
 */
function fromAgentEvent(
  json: JsonObject,
  id: string,
  where: {trajectory: string; agent: AgentName; chapter: string | undefined},
  seq: number,
): TrajectoryEvent {
  const type = String(json.type)
  const content = String(json.content)
  const raw = asObject(json.raw)
  const event: TrajectoryEvent = {
    id,
    kind: 'event',
    trajectory: where.trajectory,
    agent: where.agent,
    at: new Date(Number(json.ts)).toISOString(),
    title: content,
    alternatives: [],
  }
  const significance = asString(json.significance)
  if (significance !== undefined) event.significance = significance
  if (Array.isArray(json.tags)) event.tags = strings(json.tags)
  if (where.chapter !== undefined) event.chapter = where.chapter
  event.seq = seq
  if (type === 'decision') {
    const chosen = nonEmpty(raw.chosen) ?? content
    const question = nonEmpty(raw.question)
    const reasoning = nonEmpty(raw.reasoning)
    const confidence = unit(raw.confidence)
    event.kind = 'decision'
    event.title = chosen
    if (question !== undefined && question !== chosen) event.question = question
    if (reasoning !== undefined) event.reasoning = reasoning
    event.alternatives = asArray(raw.alternatives)
      .map((item) => (typeof item === 'string' ? item : asString(asObject(item).option)))
      .filter((item): item is string => item !== undefined)
    if (confidence !== undefined) event.confidence = confidence
  } else if (type === 'reflection') {
    const adjustments = asString(raw.adjustments)
    const confidence = unit(raw.confidence)
    event.kind = 'reflection'
    if (Array.isArray(raw.focalPoints)) event.focalPoints = strings(raw.focalPoints)
    if (adjustments !== undefined) event.adjustments = adjustments
    if (confidence !== undefined) event.confidence = confidence
  } else if (type === 'note') {
    event.kind = 'note'
  } else {
    event.type = type
  }
  const diff = diffJson(json, toAgentEvent(event))
  if (diff.set !== undefined || diff.unset !== undefined) event.legacy = diff as Value
  return event
}

/** A name from the file as an agent name: invalid characters become "-", "default" when nothing is left. */
export function toAgentName(raw: string | undefined): AgentName {
  if (raw !== undefined && isValidName(raw)) return raw as AgentName
  const cleaned = (raw ?? '')
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/\.{2,}/g, '.')
    .replace(/^[^A-Za-z0-9]+/, '')
    .slice(0, 64)
    .replace(/[.-]+$/, '')
    .replace(/\.lock$/i, '')
  return (isValidName(cleaned) ? cleaned : 'default') as AgentName
}

// --- JSON helpers ---------------------------------------------------------------------------------------------------

/** An object from entries, undefined values left out; "__proto__" stays a key (see `define`). */
function object(entries: readonly (readonly [string, Json | Value | undefined])[]): JsonObject {
  const out: JsonObject = {}
  for (const [key, value] of entries) if (value !== undefined) define(out, key, value as Json)
  return out
}

/** Adds a key to an object as Object.fromEntries would: a key named "__proto__" is an own key, not the prototype. */
function define(object: JsonObject, key: string, value: Json): void {
  if (key === '__proto__') Object.defineProperty(object, key, {value, enumerable: true, writable: true, configurable: true})
  else object[key] = value
}

function asObject(value: Json | Value | undefined): JsonObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as JsonObject) : {}
}

function asArray(value: Json | undefined): Json[] {
  return Array.isArray(value) ? value : []
}

function asString(value: Json | Value | undefined): string | undefined {
  return typeof value === 'string' ? value : undefined
}

function nonEmpty(value: Json | undefined): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined
}

function strings(value: Json | undefined): string[] {
  return asArray(value).filter((item): item is string => typeof item === 'string')
}

function unit(value: Json | undefined): number | undefined {
  return typeof value === 'number' && value >= 0 && value <= 1 ? value : undefined
}

function legacyOf(value: Value | undefined): LegacyDiff {
  const legacy = asObject(value)
  return {set: asObject(legacy.set), unset: strings(legacy.unset)}
}

/** Deep equality of JSON values; key order does not matter. */
export function jsonEqual(a: Json | undefined, b: Json | undefined): boolean {
  if (a === b) return true
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false
  if (Array.isArray(a) !== Array.isArray(b)) return false
  if (Array.isArray(a)) {
    if (a.length !== (b as Json[]).length) return false
    for (let index = 0; index < a.length; index++) if (!jsonEqual(a[index], (b as Json[])[index])) return false
    return true
  }
  const keys = Object.keys(a)
  if (keys.length !== Object.keys(b).length) return false
  for (const key of keys) if (!Object.hasOwn(b, key) || !jsonEqual((a as JsonObject)[key], (b as JsonObject)[key])) return false
  return true
}

/** What `derived` gets wrong about `original`, at the top level. */
function diffJson(original: JsonObject, derived: JsonObject): LegacyDiff {
  let set: JsonObject | undefined
  for (const key of Object.keys(original)) {
    const value = original[key]!
    if (Object.hasOwn(derived, key) && jsonEqual(value, derived[key])) continue
    set ??= {}
    define(set, key, value)
  }
  let unset: string[] | undefined
  for (const key of Object.keys(derived)) {
    if (Object.hasOwn(original, key)) continue
    unset ??= []
    unset.push(key)
  }
  const diff: LegacyDiff = {}
  if (set !== undefined) diff.set = set
  if (unset !== undefined) diff.unset = unset
  return diff
}

function applyDiff(json: JsonObject, diff: LegacyDiff): JsonObject {
  // Nothing to change (every event of an import as it is mapped): the object as it is, a new one already.
  if (diff.unset?.length === 0 && diff.set !== undefined && Object.keys(diff.set).length === 0) return json
  const unset = new Set(diff.unset ?? [])
  const set = diff.set ?? {}
  const kept = Object.entries(json)
    .filter(([key]) => !unset.has(key))
    .map(([key, value]): [string, Json] => [key, Object.hasOwn(set, key) ? set[key]! : value])
  const added = Object.entries(set).filter(([key]) => !Object.hasOwn(json, key))
  return object([...kept, ...added])
}
