import {writeFileAtomic} from '../files.js'
import {closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, unlinkSync} from 'node:fs'
import {join} from 'node:path'
import type {AgentName, AgentTool} from '../model/names.js'

// What the hooks remember about the sessions of this clone, between one hook process and the next: one small
// JSON file per session agent in the common git dir (local state, like ingest cursors; never a record). It lets a
// new session find the one before it (to offer its open trajectory and ledger), keeps the "blocked once" guards,
// and holds answers a hook could not deliver yet.

export interface HookSession {
  tool: AgentTool
  agent: AgentName
  session: string | null
  started: string
  /** The last hook of this session, ISO time. */
  seen: string
  /** When its SessionEnd hook ran, or null while it may be live. */
  ended: string | null
  /** The trajectory the agent was already asked to complete (asked once). */
  reminded: string | null
  /** Answers (Markdown) that could not reach the agent yet: delivered at its next stop or prompt. */
  pending: string[]
  /** Requests answered from the Stop payload before the transcript held them: not answered again from it. */
  answeredEarly: string[]
  /** The agent printed [[SESSION_END]] and has not stopped since (Cursor reads responses apart from stops). */
  endSignalled: boolean
  /**
   * Files (from the top of the work tree) whose decisions the edit hook already showed, or found none for, as an
   * earlier version kept them. Read, never written: the files shown are marked one file each (HookSessions.markShown).
   */
  shownFiles?: string[]
}

/** A session silent this long is taken as gone (killed without its SessionEnd hook). */
export const SESSION_IDLE_MS = 2 * 60 * 60 * 1000
/** Sessions older than this are forgotten. */
const SESSION_KEEP_MS = 30 * 24 * 60 * 60 * 1000

export class HookSessions {
  private readonly dir: string

  constructor(commonDir: string) {
    this.dir = join(commonDir, 'trail', 'sessions')
  }

  read(agent: AgentName): HookSession | null {
    try {
      return JSON.parse(readFileSync(join(this.dir, `${agent}.json`), 'utf8')) as HookSession
    } catch {
      return null
    }
  }

  /** The session's state, created on first sight, with `seen` moved to now. */
  touch(tool: AgentTool, agent: AgentName, session: string | undefined, now: Date): HookSession {
    const known = this.read(agent)
    const at = now.toISOString()
    return {
      tool,
      agent,
      session: session ?? known?.session ?? null,
      started: known?.started ?? at,
      seen: at,
      ended: null,
      reminded: known?.reminded ?? null,
      pending: known?.pending ?? [],
      answeredEarly: known?.answeredEarly ?? [],
      endSignalled: known?.endSignalled ?? false,
      shownFiles: known?.shownFiles ?? [],
    }
  }

  /**
   * Marks the file at `path` (from the top of the work tree) shown in the session of `agent`: true when this call
   * marked it, false when it was marked already. The hooks of parallel tool calls run at the same time, and a
   * read-modify-write of the session file lost the marks of the others: each mark is a file of its own, made with
   * O_EXCL, so exactly one of the hooks that race for one file marks it, and none loses another's.
   *
   * @example if (!sessions.markShown(agent, 'src/app.js')) return {}  // shown already
   */
  markShown(agent: AgentName, path: string): boolean {
    const marker = join(this.dir, `${agent}.shown`, markerName(path))
    if (existsSync(marker)) return false // the common answer, without the cost of a failed open
    for (let attempt = 0; ; attempt++) {
      try {
        closeSync(openSync(marker, 'wx', 0o644))
        return true
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code
        if (code === 'EEXIST') return false
        if (code !== 'ENOENT' || attempt > 0) throw error
        mkdirSync(join(this.dir, `${agent}.shown`), {recursive: true})
      }
    }
  }

  /** Takes back markShown (the file's context could not be told here: the hook that can tell marks it again). */
  unmarkShown(agent: AgentName, path: string): void {
    try {
      unlinkSync(join(this.dir, `${agent}.shown`, markerName(path)))
    } catch {
      // not marked
    }
  }

  write(state: HookSession): void {
    writeFileAtomic(join(this.dir, `${state.agent}.json`), `${JSON.stringify(state)}\n`)
  }

  /** The newest session of `tool` that may be live (not ended, heard from within SESSION_IDLE_MS), or null. */
  live(tool: AgentTool, now: Date): HookSession | null {
    return newest(this.all().filter(({state}) => state.tool === tool && state.ended === null && now.getTime() - Date.parse(state.seen) <= SESSION_IDLE_MS))
  }

  /**
   * The latest earlier session of the same tool that is over (ended, or silent for SESSION_IDLE_MS), other than
   * `agent`; forgets sessions older than a month on the way.
   */
  previous(tool: AgentTool, agent: AgentName, now: Date): HookSession | null {
    const kept = this.all().filter(({name, state}) => {
      if (now.getTime() - Date.parse(state.seen) <= SESSION_KEEP_MS) return true
      try {
        unlinkSync(join(this.dir, name))
        rmSync(join(this.dir, name.replace(/\.json$/, '.shown')), {recursive: true, force: true})
      } catch {
        // another hook removed it
      }
      return false
    })
    return newest(
      kept.filter(
        ({state}) => state.tool === tool && state.agent !== agent && (state.ended !== null || now.getTime() - Date.parse(state.seen) > SESSION_IDLE_MS),
      ),
    )
  }

  /** Every session file that reads, with its name. */
  private all(): {name: string; state: HookSession}[] {
    let names: string[]
    try {
      names = readdirSync(this.dir).filter((name) => name.endsWith('.json'))
    } catch {
      return []
    }
    return names.flatMap((name) => {
      try {
        return [{name, state: JSON.parse(readFileSync(join(this.dir, name), 'utf8')) as HookSession}]
      } catch {
        return []
      }
    })
  }
}

/**
 * The file name that marks `path` shown: the path with every byte but lower-case letters, digits, '.', '-' and '_'
 * written %XX (so no two paths share a name, even on a file system blind to case); a path too long for one file
 * name (255 bytes) is named by its length and two 32-bit FNV-1a hashes instead.
 */
function markerName(path: string): string {
  const bytes = new TextEncoder().encode(path)
  const name = [...bytes]
    .map((byte) => (/[a-z0-9._-]/.test(String.fromCharCode(byte)) ? String.fromCharCode(byte) : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`))
    .join('')
  if (name.length <= 200 && name !== '.' && name !== '..') return name
  const hash = (seed: number) =>
    bytes
      .reduce((h, byte) => Math.imul(h ^ byte, 0x01000193) >>> 0, seed)
      .toString(16)
      .padStart(8, '0')
  return `~${bytes.length}-${hash(0x811c9dc5)}${hash(0x050c5d1f)}`
}

/** The session heard from last, or null. */
function newest(sessions: readonly {state: HookSession}[]): HookSession | null {
  let best: HookSession | null = null
  for (const {state} of sessions) if (best === null || state.seen > best.seen) best = state
  return best
}
