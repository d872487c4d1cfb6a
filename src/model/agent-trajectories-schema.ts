// agent-trajectories' own schema of a trajectory file (its zod `TrajectorySchema`, version 0.6.1, with zod 3's
// string checks), rewritten as a plain function: `trail import` refuses what agent-trajectories itself would
// refuse to load, and says why in its words ("<path>: <message>"), without loading zod. A test runs both over the
// same files and requires the same verdict.

export type Json = null | boolean | number | string | Json[] | {[key: string]: Json}
export type JsonObject = {[key: string]: Json}

export type SchemaVerdict = {ok: true; trajectory: JsonObject} | {ok: false; problem: string}

const DATE =
  '((\\d\\d[2468][048]|\\d\\d[13579][26]|\\d\\d0[48]|[02468][048]00|[13579][26]00)-02-29|\\d{4}-((0[13578]|1[02])-(0[1-9]|[12]\\d|3[01])|(0[469]|11)-(0[1-9]|[12]\\d|30)|(02)-(0[1-9]|1\\d|2[0-8])))'
/** zod 3's `z.string().datetime()`: a date, a time with optional seconds and fraction, and `Z`. */
const DATETIME = new RegExp(`^${DATE}T([01]\\d|2[0-3]):[0-5]\\d(:[0-5]\\d(\\.\\d+)?)?(Z)$`)
const TRAJECTORY_ID = /^traj_[a-z0-9_]+$/
const STATUSES = ['active', 'completed', 'abandoned']
const SIGNIFICANCES = ['low', 'medium', 'high', 'critical']

class Invalid extends Error {}

/** Where a value is: its path, built only when it is reported (a valid file builds none). */
type Path = '' | {parent: Path; key: string | number}

/** A check of the value at `key` of the value at `parent` (the root: '' and no key). */
type Check = (value: Json | undefined, parent: Path, key?: string | number) => void

function pathText(path: Path): string {
  return path === '' ? '' : path.parent === '' ? String(path.key) : `${pathText(path.parent)}.${path.key}`
}

function fail(parent: Path, key: string | number | undefined, message: string): never {
  const path = key === undefined ? parent : {parent, key}
  throw new Invalid(`${path === '' ? 'root' : pathText(path)}: ${message}`)
}

function isObject(value: Json | undefined): value is JsonObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
}

/** The path of the value at `key` of `parent`, for the checks of its own keys or items. */
const at = (parent: Path, key: string | number | undefined): Path => (key === undefined ? parent : {parent, key})

function object(fields: Record<string, Check>): Check {
  const entries = Object.entries(fields)
  return (value, parent, key) => {
    if (!isObject(value)) fail(parent, key, value === undefined ? 'Required' : 'Expected object')
    const here = at(parent, key)
    for (const [field, check] of entries) check(Object.hasOwn(value, field) ? value[field] : undefined, here, field)
  }
}

function optional(check: Check): Check {
  return (value, parent, key) => {
    if (value !== undefined) check(value, parent, key)
  }
}

function string(options: {min?: [number, string]; max?: [number, string]; datetime?: boolean; url?: boolean; regex?: [RegExp, string]} = {}): Check {
  return (value, parent, key) => {
    if (typeof value !== 'string') fail(parent, key, value === undefined ? 'Required' : 'Expected string')
    if (options.min && value.length < options.min[0]) fail(parent, key, options.min[1])
    if (options.max && value.length > options.max[0]) fail(parent, key, options.max[1])
    if (options.regex && !options.regex[0].test(value)) fail(parent, key, options.regex[1])
    if (options.datetime && !DATETIME.test(value)) fail(parent, key, 'Invalid datetime')
    if (options.url) {
      try {
        new URL(value)
      } catch {
        fail(parent, key, 'Invalid url')
      }
    }
  }
}

function number(options: {int?: boolean; positive?: boolean; unit?: boolean} = {}): Check {
  return (value, parent, key) => {
    if (typeof value !== 'number') fail(parent, key, value === undefined ? 'Required' : 'Expected number')
    if (options.int && !Number.isInteger(value)) fail(parent, key, 'Expected integer, received float')
    if (options.positive && !(value > 0)) fail(parent, key, 'Number must be greater than 0')
    if (options.unit && (value < 0 || value > 1)) fail(parent, key, 'Confidence must be between 0 and 1')
  }
}

function oneOf(values: readonly string[]): Check {
  return (value, parent, key) => {
    if (typeof value !== 'string' || !values.includes(value))
      fail(parent, key, value === undefined ? 'Required' : `Invalid enum value. Expected ${values.map((v) => `'${v}'`).join(' | ')}`)
  }
}

function array(item: Check): Check {
  return (value, parent, key) => {
    if (!Array.isArray(value)) fail(parent, key, value === undefined ? 'Required' : 'Expected array')
    const here = at(parent, key)
    value.forEach((element, index) => {
      item(element, here, index)
    })
  }
}

/** `.default([])`: absent is fine, anything else must be the array. */
function defaultArray(item: Check): Check {
  return optional(array(item))
}

function either(...checks: Check[]): Check {
  return (value, parent, key) => {
    const problems: string[] = []
    for (const check of checks) {
      try {
        check(value, parent, key)
        return
      } catch (error) {
        if (!(error instanceof Invalid)) throw error
        problems.push(error.message)
      }
    }
    fail(parent, key, 'Invalid input')
  }
}

const literalOne: Check = (value, parent, key) => {
  if (value !== 1) fail(parent, key, value === undefined ? 'Required' : 'Invalid literal value, expected 1')
}

const unknownValue: Check = () => {}

const confidence = number({unit: true})
const event = object({
  ts: number({int: true, positive: true}),
  type: string(),
  content: string({min: [1, 'Event content is required']}),
  raw: unknownValue,
  significance: optional(oneOf(SIGNIFICANCES)),
  tags: optional(array(string())),
  confidence: optional(confidence),
})
const decision = object({
  question: string({min: [1, 'Decision question is required']}),
  chosen: string({min: [1, 'Chosen option is required']}),
  alternatives: array(either(string(), object({option: string({min: [1, 'Alternative option is required']}), reason: optional(string())}))),
  reasoning: string({min: [1, 'Decision reasoning is required']}),
  confidence: optional(confidence),
})

const trajectory = object({
  id: string({regex: [TRAJECTORY_ID, 'Invalid trajectory ID format']}),
  version: literalOne,
  task: object({
    title: string({min: [1, 'Trajectory title is required'], max: [500, 'Trajectory title must be 500 characters or less']}),
    description: optional(string()),
    source: optional(object({system: string(), id: string({min: [1, 'Task ID is required']}), url: optional(string({url: true}))})),
  }),
  status: oneOf(STATUSES),
  startedAt: string({datetime: true}),
  completedAt: optional(string({datetime: true})),
  agents: array(
    object({
      name: string({min: [1, 'Agent name is required']}),
      role: string({min: [1, 'Agent role is required']}),
      joinedAt: string({datetime: true}),
      leftAt: optional(string({datetime: true})),
    }),
  ),
  chapters: array(
    object({
      id: string({min: [1, 'String must contain at least 1 character(s)']}),
      title: string({min: [1, 'Chapter title is required']}),
      agentName: string({min: [1, 'Agent name is required']}),
      startedAt: string({datetime: true}),
      endedAt: optional(string({datetime: true})),
      events: array(event),
    }),
  ),
  retrospective: optional(
    object({
      summary: string({min: [1, 'Retrospective summary is required']}),
      approach: string({min: [1, 'Approach description is required']}),
      decisions: optional(array(decision)),
      challenges: optional(array(string())),
      learnings: optional(array(string())),
      suggestions: optional(array(string())),
      confidence,
      timeSpent: optional(string()),
    }),
  ),
  commits: defaultArray(string()),
  filesChanged: defaultArray(string()),
  projectId: optional(string()),
  workflowId: optional(string()),
  tags: defaultArray(string()),
  _trace: optional(object({startRef: string({min: [1, 'Start ref is required']}), endRef: optional(string()), traceId: optional(string())})),
})

/**
 * Whether parsed JSON is a trajectory agent-trajectories 0.6.1 would load; the problem, in its words, when not.
 *
 * @example validateAgentTrajectory(JSON.parse(text))   // {ok: false, problem: 'task.title: Required'}
 */
export function validateAgentTrajectory(data: unknown): SchemaVerdict {
  try {
    trajectory(data as Json, '')
    return {ok: true, trajectory: data as JsonObject}
  } catch (error) {
    if (error instanceof Invalid) return {ok: false, problem: error.message}
    throw error
  }
}
