import {parse, TomlError} from 'smol-toml'
import {UsageError} from '../errors.js'

// Codex keeps its MCP servers (and its feature switches) in .codex/config.toml. The user's file is kept byte for
// byte: our part is a block between two comment markers, appended at the end (TOML allows a new table anywhere
// after the others), plus one tagged line in an existing [features] table when the file has one. The file is
// parsed before (a clear error when it is not TOML) and after the change (never write a file Codex cannot read).

const START = '# relay-trail:start (managed by trail init; edit outside these markers)'
const END = '# relay-trail:end'
const TAG = '# relay-trail'

export interface CodexTomlParts {
  /** The MCP server to register as [mcp_servers.<name>]: its command and arguments. */
  mcp: {name: string; command: string; args: string[]} | null
  /** Whether to switch hooks on ([features] codex_hooks = true) unless the user set it either way. */
  hooksFeature: boolean
}

function parseToml(text: string, path: string, command: string): Record<string, unknown> {
  try {
    return parse(text) as Record<string, unknown>
  } catch (error) {
    const where = error instanceof TomlError ? ` (line ${error.line}, column ${error.column})` : ''
    throw new UsageError(`${path} is not valid TOML${where}; it is left as it is`, `fix it (or move it aside), then run ${command} again`, 'E_SETTINGS')
  }
}

/** The text without our block and our tagged line. */
export function removeCodexToml(text: string): string {
  let out = text
  const start = out.indexOf(START)
  const end = out.indexOf(END)
  if (start >= 0 && end > start) out = out.slice(0, start).replace(/\n+$/, start > 0 ? '\n' : '') + out.slice(end + END.length).replace(/^\n/, '')
  return out.replace(new RegExp(`^codex_hooks = true ${TAG}\\n`, 'm'), '')
}

/**
 * The config.toml text with our parts in place (replacing an earlier install of them). An MCP server of that name
 * that the user wrote is kept, and ours is not added.
 *
 * @example mergeCodexToml('model = "o3"\n', {mcp: {name: 'relay-trail', command: 'node', args: ['relay.cjs', 'mcp']}, hooksFeature: true}, '.codex/config.toml', 'trail init --codex')
 */
export function mergeCodexToml(text: string, parts: CodexTomlParts, path: string, command: string): string {
  parseToml(text, path, command)
  const base = removeCodexToml(text)
  const config = parseToml(base, path, command)
  const servers = config.mcp_servers as Record<string, unknown> | undefined
  const features = config.features as Record<string, unknown> | undefined
  const lines: string[] = []
  let out = base
  if (parts.hooksFeature && features?.codex_hooks === undefined) {
    const header = /^\[features\][ \t]*(#.*)?$/m.exec(out)
    if (header) out = `${out.slice(0, header.index + header[0].length)}\ncodex_hooks = true ${TAG}${out.slice(header.index + header[0].length)}`
    else lines.push('[features]', 'codex_hooks = true', '')
  }
  // A server of that name with a command is the user's own (kept, ours not added); one without (the user's
  // [mcp_servers.relay-trail.env] beside our block, as the marker invites) still needs ours to run anything.
  if (parts.mcp && (servers?.[parts.mcp.name] as Record<string, unknown> | undefined)?.command === undefined) {
    lines.push(
      `[mcp_servers.${parts.mcp.name}]`,
      `command = ${JSON.stringify(parts.mcp.command)}`,
      `args = [${parts.mcp.args.map((arg) => JSON.stringify(arg)).join(', ')}]`,
    )
  }
  while (lines.at(-1) === '') lines.pop()
  if (lines.length > 0) out = `${out}${out === '' || out.endsWith('\n\n') ? '' : out.endsWith('\n') ? '\n' : '\n\n'}${START}\n${lines.join('\n')}\n${END}\n`
  try {
    parse(out)
  } catch {
    throw cannotMerge(base, lines, path, command)
  }
  return out
}

/**
 * Why our tables cannot go into the user's valid file: the user's line that closes the table they belong in (an
 * inline table, `mcp_servers = {...}`, or a table of ours the user wrote), so the error names the user's file and
 * line, not a line of the merged text.
 */
function cannotMerge(base: string, lines: readonly string[], path: string, command: string): UsageError {
  const tables = lines.filter((line) => line.startsWith('[')).map((line) => line.slice(1, -1))
  const userLines = base.split('\n')
  const closing = (table: string) =>
    userLines.findIndex((line) => {
      const trimmed = line.trim()
      return new RegExp(`^${table.split('.')[0]}\\s*=`).test(trimmed) || trimmed.replace(/\s+/g, '').startsWith(`[${table}]`)
    })
  const table = tables.find((each) => closing(each) >= 0) ?? tables.at(-1)!
  const at = closing(table)
  const where = at >= 0 ? ` (line ${at + 1}: ${userLines[at]!.trim().slice(0, 60)})` : ''
  return new UsageError(
    `${path} cannot take [${table}]: the file defines it already in a way a table cannot be added to${where}; it is left as it is`,
    `write it as tables ([${table}]) rather than an inline table, or add [${table}] by hand (see the README, "MCP"), then run ${command} again`,
    'E_SETTINGS',
  )
}

/** The MCP servers of a config.toml text (for trail doctor), or {} when it cannot be read. */
export function codexMcpServers(text: string): Record<string, {command?: unknown; args?: unknown}> {
  try {
    return ((parse(text) as Record<string, unknown>).mcp_servers ?? {}) as Record<string, {command?: unknown; args?: unknown}>
  } catch {
    return {}
  }
}
