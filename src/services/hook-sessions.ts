import {writeFileAtomic} from '../files.js'
import {readdirSync, readFileSync, unlinkSync} from 'node:fs'
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
  /** Files (from the top of the work tree) whose decisions the edit hook already showed, or found none for. */
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

/** The session heard from last, or null. */
function newest(sessions: readonly {state: HookSession}[]): HookSession | null {
  let best: HookSession | null = null
  for (const {state} of sessions) if (best === null || state.seen > best.seen) best = state
  return best
}
