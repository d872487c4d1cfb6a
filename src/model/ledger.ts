import {UsageError} from '../errors.js'
import type {Value} from './front-matter.js'
import {parseAgentName, type AgentName} from './names.js'
import {compact, FieldReader, renderRecord, type Extensible} from './record.js'
import {isBlank, oneLine} from './text.js'
import {TEXT_MAX_CHARS} from './trajectory.js'

// The continuity ledger: an agent's current state, carried from one session to the next. Saves use the spec's
// free-form text ("Current task: ...", "## Next steps" lists); what a save does not mention is kept, what it
// mentions is replaced. Fields and sections this parser does not know are kept as text, never dropped.

/** A file reference: a path (or glob) and, optionally, the lines that matter ("10-50"). */
export interface FileReference {
  path: string
  lines?: string
}

/** Text the parser did not recognise, kept under its label ("Blockers", a "## Risks" section, "Notes"). */
export interface LedgerNote {
  label: string
  text: string
}

/** What a save can say; every part optional, so a save changes only what it mentions. */
export interface LedgerContent {
  currentTask?: string
  completed?: string[]
  inProgress?: string[]
  nextSteps?: string[]
  keyDecisions?: string[]
  files?: FileReference[]
  uncertain?: string[]
  notes?: LedgerNote[]
}

export interface Ledger extends Extensible {
  agent: AgentName
  updated: string
  currentTask?: string
  completed: string[]
  inProgress: string[]
  nextSteps: string[]
  keyDecisions: string[]
  files: FileReference[]
  /** Items to verify, shown by `load` until a save that mentions Uncertain replaces them. */
  uncertain: string[]
  notes: LedgerNote[]
  /** The agent's newest handoff document. */
  handoff?: string
}

type ListField = 'completed' | 'inProgress' | 'nextSteps' | 'keyDecisions' | 'uncertain'
type Field = 'currentTask' | ListField | 'files'

/** The labels a save may use for each field, lower case, without punctuation. */
const LABELS: Record<Field, string[]> = {
  currentTask: ['current task', 'task', 'current', 'working on'],
  completed: ['completed', 'done', 'completed tasks', 'finished'],
  inProgress: ['in progress', 'in-progress', 'wip', 'ongoing'],
  nextSteps: ['next steps', 'next', 'next step', 'todo', 'to do'],
  keyDecisions: ['key decisions', 'decisions', 'decision'],
  files: ['files', 'file', 'key files', 'files touched'],
  uncertain: ['uncertain', 'uncertainties', 'uncertain items', 'open questions', 'to verify'],
}

const FIELD_BY_LABEL = new Map<string, Field>(
  (Object.entries(LABELS) as [Field, string[]][]).flatMap(([field, labels]) => labels.map((label) => [label, field] as const)),
)

/** The human label each field is written back with. */
export const FIELD_TITLES: Record<Field, string> = {
  currentTask: 'Current task',
  completed: 'Completed',
  inProgress: 'In progress',
  nextSteps: 'Next steps',
  keyDecisions: 'Key decisions',
  files: 'Files',
  uncertain: 'Uncertain',
}

function fieldOf(label: string): Field | undefined {
  return FIELD_BY_LABEL.get(
    label
      .trim()
      .toLowerCase()
      .replace(/[*_`:]/g, '')
      .replace(/\s+/g, ' '),
  )
}

/** "none", "-", "n/a": an explicitly empty value, which clears a field. */
function isEmptyValue(text: string): boolean {
  return /^(none|nothing|n\/a|-|\u2014)?\.?$/i.test(text.trim()) // \u2014: the bundles stay ASCII (scripts/build.mjs)
}

function splitItems(text: string): string[] {
  return isEmptyValue(text)
    ? []
    : text
        .split(/,(?![^()]*\))/)
        .map((item) => item.trim())
        .filter((item) => !isBlank(item))
}

/** A Files list: commas separate files, except inside line ranges ("a.ts:10-20,30-40, b.ts"). */
function splitFiles(text: string): string[] {
  return isEmptyValue(text)
    ? []
    : text
        .split(/,\s+|,(?!\d)/)
        .map((item) => item.trim())
        .filter((item) => !isBlank(item))
}

/** "src/auth/jwt.ts:10-50" → {path: 'src/auth/jwt.ts', lines: '10-50'}. */
export function parseFileReference(text: string): FileReference {
  // Backticks around it: how ledgers and handoffs show files.
  const reference = text.trim().replace(/^`(.*)`$/, '$1')
  const match = /^(.*?):(\d+(?:-\d+)?(?:,\d+(?:-\d+)?)*)$/.exec(reference)
  return match ? {path: match[1]!, lines: match[2]!} : {path: reference}
}

export function renderFileReference(file: FileReference): string {
  return file.lines ? `${file.path}:${file.lines}` : file.path
}

/**
 * Parses the free-form content of a save: "Field: value" lines (lists comma-separated, or continued by "- item"
 * lines), "## Section" headings with lists or text below, and anything else kept as notes. Throws UsageError
 * for empty content.
 *
 * @example parseSaveContent('Current task: Auth\nCompleted: User model, JWT utils')
 * // {currentTask: 'Auth', completed: ['User model', 'JWT utils']}
 */
export function parseSaveContent(text: string): LedgerContent {
  if (isBlank(text)) throw new UsageError('nothing to save: the content is empty', 'give fields such as "Current task: ..." and "Next steps: ..."', 'E_EMPTY')
  if (text.length > TEXT_MAX_CHARS) {
    throw new UsageError(
      `the save is ${text.length} characters long; the limit is ${TEXT_MAX_CHARS}`,
      'save the state, not the work: keep it to a few fields',
      'E_TOO_LONG',
    )
  }
  const content: LedgerContent = {}
  const notes: LedgerNote[] = []
  const free: string[] = []
  // Where "- item" lines and indented lines go: the last field, or the current section.
  // Where "- item" lines and further lines go: a field (`section` when a "## Heading" named it: it holds until the
  // next heading, blank lines and all; a "Field:" line holds until a blank line), or a note.
  let current: {field: Field; section: boolean} | {note: LedgerNote} | undefined
  const addItem = (field: Field, item: string) => {
    if (field === 'currentTask') content.currentTask = content.currentTask ? `${content.currentTask} ${item}` : item
    else if (field === 'files') content.files = [...(content.files ?? []), parseFileReference(item)]
    else content[field] = [...(content[field] ?? []), item]
  }
  for (const rawLine of text.replace(/\r\n?/g, '\n').split('\n')) {
    const line = rawLine.trimEnd()
    const heading = /^#{1,6}\s+(.*)$/.exec(line.trim())
    if (heading) {
      const field = fieldOf(heading[1]!)
      if (field) {
        current = {field, section: true}
        // A "## Next steps" section replaces the list even when it turns out to be empty.
        if (field === 'files') content.files = content.files ?? []
        else if (field !== 'currentTask') content[field] = content[field] ?? []
      } else {
        const note = {label: heading[1]!.trim(), text: ''}
        notes.push(note)
        current = {note}
      }
      continue
    }
    const bullet = /^\s*(?:[-*+]|\d+[.)])\s+(.*)$/.exec(line)
    if (bullet && current) {
      if ('field' in current) addItem(current.field, bullet[1]!.trim())
      else current.note.text += `${current.note.text ? '\n' : ''}${line.trim()}`
      continue
    }
    // "Label: value", "**Label**: value" and "**Label:** value" (how `relay continuity load` prints them).
    const labelled = /^\s*(?:[-*]\s+)?\*{0,2}([A-Za-z][A-Za-z _/-]{0,40}?)(?:\*{0,2}\s*:\*{0,2}|\*{2}:)\s*(.*)$/.exec(line)
    const field = labelled ? fieldOf(labelled[1]!) : undefined
    if (labelled && field) {
      const value = labelled[2]!.trim()
      current = {field, section: false}
      if (field === 'currentTask') content.currentTask = isEmptyValue(value) ? '' : value
      else if (field === 'files') content.files = [...(content.files ?? []), ...splitFiles(value).map(parseFileReference)]
      else content[field] = [...(content[field] ?? []), ...splitItems(value)]
      continue
    }
    if (labelled && !/^https?$/i.test(labelled[1]!) && !(current && 'note' in current)) {
      const note = {label: labelled[1]!.trim(), text: labelled[2]!.trim()}
      notes.push(note)
      current = {note}
      continue
    }
    if (line.trim() === '') {
      if (current && 'field' in current && !current.section) current = undefined
      continue
    }
    if (current && 'note' in current) current.note.text += `${current.note.text ? '\n' : ''}${line.trim()}`
    else if (current && (current.section || /^\s+\S/.test(line))) addItem(current.field, line.trim())
    else {
      current = undefined
      free.push(line.trim())
    }
  }
  if (free.length > 0) notes.push({label: 'Notes', text: free.join('\n')})
  if (notes.length > 0) content.notes = notes
  return content
}

/** The ledger after a save: the fields the save mentions replace the old ones; notes are replaced by label. */
export function applySave(previous: Ledger | null, agent: AgentName, save: LedgerContent, updated: string): Ledger {
  const base: Ledger = previous ?? {agent, updated, completed: [], inProgress: [], nextSteps: [], keyDecisions: [], files: [], uncertain: [], notes: []}
  const notes = save.notes ? [...base.notes.filter((note) => !save.notes!.some((n) => n.label === note.label)), ...save.notes] : base.notes
  const currentTask = save.currentTask === undefined ? base.currentTask : save.currentTask === '' ? undefined : save.currentTask
  return compact({
    agent,
    updated,
    currentTask,
    completed: save.completed ?? base.completed,
    inProgress: save.inProgress ?? base.inProgress,
    nextSteps: save.nextSteps ?? base.nextSteps,
    keyDecisions: save.keyDecisions ?? base.keyDecisions,
    files: save.files ?? base.files,
    uncertain: save.uncertain ?? base.uncertain,
    notes,
    handoff: base.handoff,
    extra: base.extra,
  })
}

/** The ledger with one more item to verify (a ledger is made if there is none). */
export function addUncertain(previous: Ledger | null, agent: AgentName, item: string, updated: string): Ledger {
  const ledger = applySave(previous, agent, {}, updated)
  return ledger.uncertain.includes(item) ? ledger : {...ledger, uncertain: [...ledger.uncertain, item]}
}

/** The ledger's content fields as front matter (shared by the ledger and the handoff records). */
export function contentFields(content: LedgerContent): Record<string, Value | undefined> {
  const list = (items: string[] | undefined) => (items && items.length > 0 ? items : undefined)
  return {
    currentTask: content.currentTask,
    completed: list(content.completed),
    inProgress: list(content.inProgress),
    nextSteps: list(content.nextSteps),
    keyDecisions: list(content.keyDecisions),
    files: list(content.files?.map(renderFileReference)),
    uncertain: list(content.uncertain),
    notes: content.notes && content.notes.length > 0 ? content.notes.map((note) => ({label: note.label, text: note.text})) : undefined,
  }
}

/** Reads the content fields back (the inverse of contentFields). */
export function readContentFields(r: FieldReader): Required<Omit<LedgerContent, 'currentTask'>> & {currentTask?: string} {
  const notes = r.value('notes')
  return compact({
    currentTask: r.optionalString('currentTask'),
    completed: r.strings('completed'),
    inProgress: r.strings('inProgress'),
    nextSteps: r.strings('nextSteps'),
    keyDecisions: r.strings('keyDecisions'),
    files: r.strings('files').map(parseFileReference),
    uncertain: r.strings('uncertain'),
    notes: Array.isArray(notes)
      ? notes.map((note) => {
          const item = (note ?? {}) as Record<string, Value>
          return {label: String(item.label ?? 'Notes'), text: String(item.text ?? '')}
        })
      : [],
  })
}

/** The body every ledger-shaped record shows people: the fields as sections. */
export function contentBody(content: LedgerContent): string {
  const parts: string[] = []
  if (content.currentTask) parts.push(`## Current task\n\n${content.currentTask}`)
  for (const field of ['inProgress', 'nextSteps', 'completed', 'keyDecisions', 'uncertain'] as const) {
    const items = content[field]
    if (items && items.length > 0) parts.push(`## ${FIELD_TITLES[field]}\n\n${items.map((item) => `- ${oneLine(item)}`).join('\n')}`)
  }
  if (content.files && content.files.length > 0) parts.push(`## Files\n\n${content.files.map((file) => `- \`${renderFileReference(file)}\``).join('\n')}`)
  for (const note of content.notes ?? []) parts.push(`## ${oneLine(note.label)}\n\n${note.text}`)
  return parts.join('\n\n')
}

export function renderLedger(ledger: Ledger): string {
  return renderRecord(
    ledger,
    (l) => ({agent: l.agent, updated: l.updated, handoff: l.handoff, ...contentFields(l)}),
    (l) => `# Continuity ledger: ${l.agent}\n\nUpdated ${l.updated}.\n\n${contentBody(l)}\n`,
  )
}

export function parseLedger(text: string, path: string): Ledger {
  const r = FieldReader.fromDocument(text, path)
  return compact({
    agent: r.name('agent', parseAgentName),
    updated: r.string('updated'),
    handoff: r.optionalString('handoff'),
    ...readContentFields(r),
    extra: r.rest(),
  })
}
