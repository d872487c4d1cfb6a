import {continuityLoad} from '../cli/definitions/relay/continuity-load.js'
import {continuitySave} from '../cli/definitions/relay/continuity-save.js'
import {continuitySearch} from '../cli/definitions/relay/continuity-search.js'
import {continuityUncertain} from '../cli/definitions/relay/continuity-uncertain.js'
import {inbox} from '../cli/definitions/relay/inbox.js'
import {search} from '../cli/definitions/relay/search.js'
import {send} from '../cli/definitions/relay/send.js'
import {thread} from '../cli/definitions/relay/thread.js'
import {abandon} from '../cli/definitions/trail/abandon.js'
import {complete} from '../cli/definitions/trail/complete.js'
import {decision} from '../cli/definitions/trail/decision.js'
import {list} from '../cli/definitions/trail/list.js'
import {show} from '../cli/definitions/trail/show.js'
import {start} from '../cli/definitions/trail/start.js'
import {status} from '../cli/definitions/trail/status.js'
import {why} from '../cli/definitions/trail/why.js'
import type {AnyDefinition} from '../cli/hot.js'

// The MCP tools, one per command: each is the command's own declaration (src/cli/definitions/), so its parameters
// are the command's arguments and flags, its run is the command's run (the same parsing, validation and service
// call) and its output the command's text and JSON renderers. What is written here is only what a model needs on
// top: when to call the tool, and which parameters differ in type from the command line's strings.

export interface McpToolSpec {
  definition: AnyDefinition
  /** When to call the tool, for a model; the description sent is the command's summary, then this. */
  whenToCall: string
  /** Flags not offered through MCP: they only change how the CLI prints. */
  omit?: readonly string[]
  /** Flags that are numbers here (strings on the command line, parsed by the same function). */
  numbers?: readonly string[]
  /** Flags that are whole numbers here, with their least value (strings on the command line, parsed by the same function). */
  integers?: Readonly<Record<string, number>>
  /** Flags that are a number of seconds: a number, or the command line's string. */
  seconds?: readonly string[]
  /** Arguments required here though optional on the command line, where stdin stands in for them. */
  required?: readonly string[]
  /** For a variadic command: the parameter, a list, that carries the positional arguments after the declared ones. */
  rest?: {name: string; description: string}
  /** Whether `agent` says who is acting (and so defaults to the session's agent) rather than filtering. */
  acting: boolean
  /** Whether the tool only reads. */
  readOnly: boolean
  /** The property of the structured content that holds a result that is a list. */
  listKey?: string
}

const CONFIDENCE_RUBRIC =
  '0.9+ high (well-tested), 0.7-0.9 good (standard implementation), 0.5-0.7 some uncertainty (edge cases possible), below 0.5 needs review'

export const MCP_TOOLS: readonly McpToolSpec[] = [
  {
    definition: start,
    whenToCall:
      'Call it BEFORE you begin implementing a task (when you pick up a task, a ticket or a request), so the whole ' +
      'journey is recorded, not only the end. You have at most one active trajectory: decisions, completion and ' +
      'abandonment apply to it; if one is already active, finish it first (trail_complete or trail_abandon).',
    omit: ['quiet'],
    acting: true,
    readOnly: false,
  },
  {
    definition: decision,
    whenToCall:
      'Call it when you choose between alternatives, make an architectural trade-off, or settle on an approach after ' +
      'investigating. Give the reasoning (why) unless the decision is minor, and the options not taken. Needs an ' +
      'active trajectory (trail_start).',
    numbers: ['confidence'],
    acting: true,
    readOnly: false,
  },
  {
    definition: complete,
    whenToCall: `Call it when the task is done, and always before you end the session. Confidence: ${CONFIDENCE_RUBRIC}.`,
    numbers: ['confidence'],
    acting: true,
    readOnly: false,
  },
  {
    definition: abandon,
    whenToCall: 'Call it when you stop work you will not finish (blocked, superseded, cancelled), with the reason.',
    acting: true,
    readOnly: false,
  },
  {
    definition: status,
    whenToCall: 'Call it when you resume work or are unsure whether you have an active trajectory. Reads only.',
    acting: true,
    readOnly: true,
  },
  {
    definition: list,
    whenToCall: 'Call it to find past trajectories (by status, agent or date) before reading one with trail_show. Reads only.',
    integers: {limit: 1, page: 1},
    acting: false,
    readOnly: true,
  },
  {
    definition: show,
    whenToCall: 'Call it to read why past work was done the way it was: every decision and the retrospective. Reads only.',
    acting: false,
    readOnly: true,
  },
  {
    definition: why,
    whenToCall:
      'Call it BEFORE you change code you did not write in this session, to learn why it is the way it is: the ' +
      'decisions (reasoning, alternatives, confidence) behind a file or some of its lines, newest first, and which ' +
      'lines have no recorded reasoning. The target is a path from the top of the repository, with an optional ' +
      'line or range (src/auth.ts:42, src/auth.ts:10-30). Reads only.',
    acting: false,
    readOnly: true,
  },
  {
    definition: continuitySave,
    whenToCall:
      "Call it so a later session (yours or another agent's) can pick up where you left off: before long-running " +
      'operations (builds, tests, deployments), before context-heavy work that might trigger compaction, when ' +
      'switching task areas, every 15-20 minutes of active work, and before ending the session. Set handoff to true ' +
      'at milestones and before long operations: it also writes a permanent handoff document. The text is free-form ' +
      'lines: "Current task:", "Completed:", "In progress:", "Next steps:", "Key decisions:", "Files:" ' +
      '(src/auth/jwt.ts:10-50), "Uncertain:", and "## Section" lists. What a save does not mention is kept.',
    required: ['text'],
    acting: true,
    readOnly: false,
  },
  {
    definition: continuityLoad,
    whenToCall:
      'It is loaded for you when a session starts; call it to reload your context after a compaction, or when you ' +
      'have lost track of what you were doing. Reads only.',
    integers: {'max-chars': 0},
    acting: true,
    readOnly: true,
  },
  {
    definition: continuitySearch,
    whenToCall:
      'Call it before starting something that may have been done or decided before in this project ' + '("authentication patterns", a file name). Reads only.',
    integers: {limit: 1},
    seconds: ['timeout'],
    acting: false,
    readOnly: true,
  },
  {
    definition: continuityUncertain,
    whenToCall:
      'Call it when something needs verifying in a future session: an assumption you could not check, a behaviour ' +
      'that is unclear. It stays in your startup context until a save replaces the "Uncertain:" list.',
    acting: true,
    readOnly: false,
  },
  {
    definition: send,
    whenToCall:
      'Call it to ask or tell another agent something: in this project ("agent"), or in a sibling project ' +
      '("project:agent", "project:lead", "project:*", "*:*"). Use a thread to keep a conversation together.',
    acting: true,
    readOnly: false,
  },
  {
    definition: inbox,
    whenToCall:
      'Call it at the start of work and when you are told you have messages. Once you have dealt with messages, call ' +
      'it with mark_read true (and their ids, or none for every unread one).',
    rest: {name: 'ids', description: 'with mark_read: the ids of the messages to mark read (default: every unread one)'},
    acting: true,
    readOnly: false,
    listKey: 'messages',
  },
  {
    definition: thread,
    whenToCall: 'Call it to read a whole conversation, across every project that has a part of it. Reads only.',
    acting: false,
    readOnly: true,
    listKey: 'messages',
  },
  {
    definition: search,
    whenToCall:
      'Call it to find how something was done or decided anywhere: every record (trajectories, decisions, handoffs, ' +
      'ledgers, messages, summaries, session ends) of this project and of every synced sibling project. Reads only.',
    integers: {limit: 1},
    seconds: ['timeout'],
    acting: false,
    readOnly: true,
  },
]

/** The tool's name: the command line with underscores ("trail start" → trail_start), so a hint naming a command names its tool. */
export function toolName(definition: AnyDefinition): string {
  return `${definition.bin}_${definition.name.replace(/ /g, '_')}`
}

/** A flag's or argument's name as a parameter: "max-chars" → max_chars. */
export function parameterName(name: string): string {
  return name.replace(/-/g, '_')
}
