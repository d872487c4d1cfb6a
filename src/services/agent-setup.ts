import {mkdirSync, readFileSync, writeFileSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {RepositoryError, UsageError} from '../errors.js'
import type {Context} from './context.js'

// `trail init --claude` and `--agents`: the Claude Code hooks (SessionStart loads the context; Stop and SessionEnd
// ingest the transcript) and the agent instructions, installed into the user's repository without clobbering what
// is already there. The only writes to the user's work tree outside the mirror folders, and only when asked.

const TEMPLATES = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'templates')
const BLOCK_START = '<!-- relay-trail:start (managed by trail init; edit outside these markers) -->'
const BLOCK_END = '<!-- relay-trail:end -->'

export interface InstalledFile {
  path: string
  action: 'created' | 'updated' | 'unchanged'
}

interface HookCommand {
  type: string
  command: string
  [key: string]: unknown
}

interface HookGroup {
  matcher?: string
  hooks: HookCommand[]
  [key: string]: unknown
}

type Settings = {hooks?: Record<string, HookGroup[]>; [key: string]: unknown}

/** Whether `command` runs relay's `what` ("continuity load", "ingest --format claude-jsonl"), whichever way. */
function runsRelay(command: string, what: string): boolean {
  return /(^|[\s/"])relay(\.cjs"?)?\s/.test(command) && command.trimEnd().endsWith(` ${what}`)
}

/**
 * Adds our hook commands to Claude Code settings. A hook that already runs the same relay command (by name, or
 * by path from an earlier install) is updated in place rather than added twice; everything else (other hooks,
 * other keys, their order) is kept as it is.
 *
 * @example mergeHooks({model: 'x'}, ours) // {model: 'x', hooks: {SessionStart: [...], ...}}
 */
export function mergeHooks(existing: Settings, ours: Settings): Settings {
  const hooks: Record<string, HookGroup[]> = {...(existing.hooks ?? {})}
  for (const [event, groups] of Object.entries(ours.hooks ?? {})) {
    for (const group of groups) {
      for (const hook of group.hooks) {
        const what = hook.command.replace(/^.*?relay(?:\.cjs")?\s+/, '')
        const present = (hooks[event] ?? []).find((g) => (g.hooks ?? []).some((h) => runsRelay(h.command, what)))
        if (present) {
          hooks[event] = (hooks[event] ?? []).map((g) => (g === present ? {...g, hooks: g.hooks.map((h) => (runsRelay(h.command, what) ? {...h, command: hook.command} : h))} : g))
        } else {
          hooks[event] = [...(hooks[event] ?? []), {...group, hooks: [hook]}]
        }
      }
    }
  }
  return {...existing, hooks}
}

/** Puts `block` between our markers in a Markdown text: replaced where the markers are, appended otherwise. */
export function placeBlock(text: string, block: string): string {
  const managed = `${BLOCK_START}\n${block.trimEnd()}\n${BLOCK_END}`
  const start = text.indexOf(BLOCK_START)
  const end = text.indexOf(BLOCK_END)
  if (start >= 0 && end > start) return `${text.slice(0, start)}${managed}${text.slice(end + BLOCK_END.length)}`
  return `${text}${text === '' ? '' : text.endsWith('\n\n') ? '' : text.endsWith('\n') ? '\n' : '\n\n'}${managed}\n`
}

function writeIfChanged(path: string, next: string, previous: string | null): InstalledFile['action'] {
  if (previous === next) return 'unchanged'
  mkdirSync(dirname(path), {recursive: true})
  writeFileSync(path, next)
  return previous === null ? 'created' : 'updated'
}

function readOptional(path: string): string | null {
  try {
    return readFileSync(path, 'utf8')
  } catch {
    return null
  }
}

async function workTreeOf(ctx: Context): Promise<string> {
  const workTree = (await ctx.store()).repo.workTree
  if (workTree === null) throw new RepositoryError('this is a bare repository: there is no work tree to install agent settings into', 'run trail init in a clone with a work tree')
  return workTree
}

/**
 * Installs the Claude Code hooks into .claude/settings.json and the agent instructions into CLAUDE.md.
 * `relay` is the command that starts relay here ("relay" when it is on PATH).
 */
export async function installClaude(ctx: Context, relay: string): Promise<InstalledFile[]> {
  const workTree = await workTreeOf(ctx)
  const settingsPath = join(workTree, '.claude', 'settings.json')
  const previous = readOptional(settingsPath)
  let existing: Settings = {}
  if (previous !== null && previous.trim() !== '') {
    try {
      existing = JSON.parse(previous) as Settings
    } catch {
      throw new UsageError(`${settingsPath} is not valid JSON; it is left as it is`, 'fix it (or move it aside), then run trail init --claude again', 'E_SETTINGS')
    }
    if (existing === null || typeof existing !== 'object' || Array.isArray(existing)) throw new UsageError(`${settingsPath} is not a JSON object`, 'fix it, then run trail init --claude again', 'E_SETTINGS')
  }
  const template = readFileSync(join(TEMPLATES, 'claude', 'settings.json'), 'utf8').replaceAll('"relay ', `${JSON.stringify(relay).slice(0, -1)} `)
  const settings = `${JSON.stringify(mergeHooks(existing, JSON.parse(template) as Settings), null, 2)}\n`
  return [
    {path: settingsPath, action: writeIfChanged(settingsPath, settings, previous)},
    await installInstructions(workTree, 'CLAUDE.md'),
  ]
}

/** Installs the agent instructions into AGENTS.md (read by Codex, Cursor, Gemini CLI and others). */
export async function installAgentsMd(ctx: Context): Promise<InstalledFile[]> {
  return [await installInstructions(await workTreeOf(ctx), 'AGENTS.md')]
}

async function installInstructions(workTree: string, file: string): Promise<InstalledFile> {
  const path = join(workTree, file)
  const previous = readOptional(path)
  const block = readFileSync(join(TEMPLATES, 'agents', 'relay-trail.md'), 'utf8')
  return {path, action: writeIfChanged(path, placeBlock(previous ?? '', block), previous)}
}
