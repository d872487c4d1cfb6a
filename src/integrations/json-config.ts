import {UsageError} from '../errors.js'
import {quoteInput} from '../model/text.js'

// Reading and writing the JSON settings files agent tools keep (Claude Code's .claude/settings.json and .mcp.json,
// Codex's .codex/hooks.json, Gemini CLI's .gemini/settings.json, Cursor's .cursor/hooks.json and mcp.json). What
// the user has is kept as it is; a file or a part of it that is not the shape the tool documents gets a clear
// error naming the place, and the file is left untouched.

export type JsonObject = Record<string, unknown>

export interface JsonFile {
  value: JsonObject
  /** The file started with a byte order mark (kept when the file is written back). */
  bom: boolean
}

/** Why a settings file cannot be merged into; the file is left as it is. */
export function settingsError(path: string, problem: string, command: string): UsageError {
  return new UsageError(`${path} ${problem}; it is left as it is`, `fix it (or move it aside), then run ${command} again`, 'E_SETTINGS')
}

/**
 * Parses a settings file. `jsonc`: the tool reads comments and trailing commas (Gemini CLI, Cursor): a file that
 * has them is still refused, since writing it back would drop the comments, but the error says so.
 *
 * @example parseJsonFile('{"model": "opus"}', '.claude/settings.json', {jsonc: false, command: 'trail init --claude'})
 */
export function parseJsonFile(text: string | null, path: string, options: {jsonc: boolean; command: string}): JsonFile {
  if (text === null) return {value: {}, bom: false}
  const bom = text.startsWith('\uFEFF')
  const body = bom ? text.slice(1) : text
  if (body.trim() === '') return {value: {}, bom}
  let value: unknown
  try {
    value = JSON.parse(body)
  } catch (error) {
    if (options.jsonc && canParse(stripJsonComments(body))) {
      throw new UsageError(
        `${path} has comments (or trailing commas), which trail init would drop by rewriting it; it is left as it is`,
        `add the entries by hand (see docs/agent-authors.md, "Agent hooks"), or remove the comments and run ${options.command} again`,
        'E_SETTINGS',
      )
    }
    const where = /position (\d+)/.exec((error as Error).message)?.[1]
    throw settingsError(path, `is not valid JSON${where ? ` (${lineAndColumn(body, Number(where))})` : ''}`, options.command)
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw settingsError(path, 'is not a JSON object', options.command)
  return {value: value as JsonObject, bom}
}

function canParse(text: string): boolean {
  try {
    JSON.parse(text)
    return true
  } catch {
    return false
  }
}

function lineAndColumn(text: string, offset: number): string {
  const before = text.slice(0, offset).split('\n')
  return `line ${before.length}, column ${before.at(-1)!.length + 1}`
}

/** JSON with `//` and `/* *\/` comments and trailing commas turned into plain JSON (strings left alone). */
export function stripJsonComments(text: string): string {
  let out = ''
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!
    if (c === '"') {
      const start = i
      for (i++; i < text.length && text[i] !== '"'; i++) if (text[i] === '\\') i++
      out += text.slice(start, i + 1)
    } else if (c === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') i++
      out += '\n'
    } else if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2)
      i = end < 0 ? text.length : end + 1
    } else {
      out += c
    }
  }
  return out.replace(/,(\s*[}\]])/g, '$1')
}

/** The file's text: two-space JSON and a final newline, with the byte order mark it had. */
export function renderJsonFile(file: JsonFile): string {
  return `${file.bom ? '\uFEFF' : ''}${JSON.stringify(file.value, null, 2)}\n`
}

function isObject(value: unknown): value is JsonObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
}

/**
 * The `hooks` object of a Claude Code, Codex or Gemini CLI settings file (`{Event: [{matcher?, hooks: [{type,
 * command}]}]}`), checked all through: an event that is not a list, a group without a `hooks` list, a command
 * hook whose command is not a string are errors naming the place.
 */
export function readGroupedHooks(settings: JsonObject, path: string, command: string): Record<string, JsonObject[]> {
  const hooks = settings.hooks
  if (hooks === undefined) return {}
  if (!isObject(hooks)) throw settingsError(path, `has a "hooks" that is not an object`, command)
  for (const [event, groups] of Object.entries(hooks)) {
    if (!Array.isArray(groups)) {
      // Gemini CLI keeps its hook switches (`enabled`, `disabled`) next to the events.
      if (event === 'enabled' || event === 'disabled' || event === 'notifications') continue
      throw settingsError(path, `has a "hooks.${event}" that is not a list`, command)
    }
    groups.forEach((group, index) => {
      const where = `hooks.${event}[${index}]`
      if (!isObject(group)) throw settingsError(path, `has a "${where}" that is not an object`, command)
      if (!Array.isArray(group.hooks)) throw settingsError(path, `has a "${where}" without a "hooks" list`, command)
      group.hooks.forEach((hook, h) => {
        if (!isObject(hook)) throw settingsError(path, `has a "${where}.hooks[${h}]" that is not an object`, command)
        if ((hook.type === undefined || hook.type === 'command') && typeof hook.command !== 'string') {
          throw settingsError(path, `has a "${where}.hooks[${h}].command" that is not a string`, command)
        }
      })
    })
  }
  return hooks as Record<string, JsonObject[]>
}

/**
 * The hooks of a Cursor hooks.json (`{version: 1, hooks: {event: [{command}]}}`), checked the same way.
 */
export function readFlatHooks(settings: JsonObject, path: string, command: string): Record<string, JsonObject[]> {
  if (settings.version !== undefined && settings.version !== 1)
    throw settingsError(
      path,
      `has "version": ${typeof settings.version === 'string' ? `"${quoteInput(settings.version, 40)}"` : JSON.stringify(settings.version)}; trail init knows version 1`,
      command,
    )
  const hooks = settings.hooks
  if (hooks === undefined) return {}
  if (!isObject(hooks)) throw settingsError(path, `has a "hooks" that is not an object`, command)
  for (const [event, entries] of Object.entries(hooks)) {
    if (!Array.isArray(entries)) throw settingsError(path, `has a "hooks.${event}" that is not a list`, command)
    entries.forEach((entry, index) => {
      if (!isObject(entry)) throw settingsError(path, `has a "hooks.${event}[${index}]" that is not an object`, command)
      if ((entry.type === undefined || entry.type === 'command') && typeof entry.command !== 'string') {
        throw settingsError(path, `has a "hooks.${event}[${index}].command" that is not a string`, command)
      }
    })
  }
  return hooks as Record<string, JsonObject[]>
}

/** The `mcpServers` object of an MCP configuration (checked), or an empty one. */
export function readMcpServers(settings: JsonObject, path: string, command: string): Record<string, JsonObject> {
  const servers = settings.mcpServers
  if (servers === undefined) return {}
  if (!isObject(servers)) throw settingsError(path, `has an "mcpServers" that is not an object`, command)
  for (const [name, server] of Object.entries(servers)) {
    if (!isObject(server)) throw settingsError(path, `has an "mcpServers.${name}" that is not an object`, command)
  }
  return servers as Record<string, JsonObject>
}

/**
 * Grouped hooks with every hook `isOurs` recognises taken out (a group left empty by that goes too, other groups
 * and their order are kept), then `ours` added: one group per event, at the end.
 */
export function mergeGroupedHooks(
  existing: Record<string, JsonObject[]>,
  ours: Record<string, JsonObject[]>,
  isOurs: (command: string) => boolean,
): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const [event, groups] of Object.entries(existing)) {
    if (!Array.isArray(groups)) {
      out[event] = groups
      continue
    }
    const kept = groups.flatMap((group) => {
      const hooks = (group.hooks as JsonObject[]).filter((hook) => !(typeof hook.command === 'string' && isOurs(hook.command)))
      if (hooks.length === (group.hooks as JsonObject[]).length) return [group]
      return hooks.length === 0 ? [] : [{...group, hooks}]
    })
    if (kept.length > 0) out[event] = kept
  }
  for (const [event, groups] of Object.entries(ours)) out[event] = [...((out[event] as JsonObject[] | undefined) ?? []), ...groups]
  return out
}

/** Cursor's flat hooks: the same, one entry per event. */
export function mergeFlatHooks(
  existing: Record<string, JsonObject[]>,
  ours: Record<string, JsonObject[]>,
  isOurs: (command: string) => boolean,
): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const [event, entries] of Object.entries(existing)) {
    const kept = entries.filter((entry) => !(typeof entry.command === 'string' && isOurs(entry.command)))
    if (kept.length > 0) out[event] = kept
  }
  for (const [event, entries] of Object.entries(ours)) out[event] = [...((out[event] as JsonObject[] | undefined) ?? []), ...entries]
  return out
}

/** Every command string of grouped or flat hooks, with its event. */
export function hookCommands(hooks: Record<string, unknown>): {event: string; command: string}[] {
  const out: {event: string; command: string}[] = []
  for (const [event, list] of Object.entries(hooks)) {
    if (!Array.isArray(list)) continue
    for (const item of list as JsonObject[]) {
      const inner = Array.isArray(item.hooks) ? (item.hooks as JsonObject[]) : [item]
      for (const hook of inner) if (typeof hook.command === 'string') out.push({event, command: hook.command})
    }
  }
  return out
}
