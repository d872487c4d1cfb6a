import {closeSync, existsSync, fstatSync, openSync, readFileSync, readSync, writeFileSync, appendFileSync} from 'node:fs'
import {TrailError} from '../errors.js'
import type {HookAnswer, HookEvent} from '../integrations/hook-protocol.js'
import {agentRecordDir} from '../model/layout.js'
import {sessionAgentName, type AgentName, type AgentTool} from '../model/names.js'
import {redactText} from '../model/redact.js'
import {parseSummary} from '../model/session-records.js'
import {parseTitle} from '../model/trajectory.js'
import {OutputParser, type OutputEvent} from '../protocol/output-parser.js'
import {completeReminderMarkdown, hookAnswerMarkdown, sessionContextMarkdown, startedMarkdown, summarySaveText} from '../render/hook-answers.js'
import type {Context} from './context.js'
import {loadContext, readLedger, saveContinuity} from './continuity.js'
import {dayFolders} from './day-folders.js'
import {HookSessions, type HookSession} from './hook-sessions.js'
import {IngestRun, outboxBase, type Answer} from './ingest.js'
import {assistantTexts, ingestFile} from './ingest-input.js'
import {findActiveTrajectory, startTrajectory} from './trajectories.js'
import {clip, isBlank} from '../model/text.js'
import {editContext} from './edit-context.js'
import {preEditAnswer} from './pre-edit.js'

// What the lifecycle hooks of every agent tool do, once the tool's payload is read (../integrations/
// hook-protocol.ts): load the context at session start, start a trajectory from the first prompt, read what the
// agent printed and answer its requests, ask once for `trail complete` when it ends its work with a trajectory
// open, save the ledger before a compaction, and leave an open trajectory for the next session. A hook never
// breaks the agent: every failure becomes a warning (stderr) and an empty answer, and the exit code stays 0.

export interface HookResult {
  agent: AgentName | null
  answer: HookAnswer
  warnings: string[]
}

/** Tools whose shell commands get $AGENT_RELAY_NAME from a SessionStart hook (an env file the tool sources). */
function envFileOf(tool: AgentTool, env: Readonly<Record<string, string | undefined>>): string | undefined {
  if (tool === 'claude') return env.CLAUDE_ENV_FILE || undefined
  if (tool === 'codex') return env.CODEX_ENV_FILE || env.CLAUDE_ENV_FILE || undefined
  return undefined
}

/**
 * Runs one hook. Never throws: a problem (no repository, a broken store, a locked ref, a bad payload) is a
 * warning, and the answer is what could be done before it.
 *
 * @example const {answer} = await runAgentHook(ctx, parseHookEvent('claude', 'stop', stdin).event)
 */
export async function runAgentHook(ctx: Context, event: HookEvent): Promise<HookResult> {
  const warnings: string[] = []
  const warn = (message: string) => {
    warnings.push(message)
    ctx.warn(`relay hook ${event.tool} ${event.kind}: ${message}`)
  }
  let agent: AgentName | null = null
  try {
    agent = sessionAgentName(event.tool, event.sessionId, ctx.env)
    const hooks = new HookRunner(ctx, event, agent, warn)
    return {agent, answer: await hooks.run(), warnings}
  } catch (error) {
    warn(error instanceof TrailError ? `${error.message}${error.hint ? ` (${error.hint})` : ''}` : (error as Error).message)
    return {agent, answer: {}, warnings}
  }
}

class HookRunner {
  private sessions!: HookSessions
  private state!: HookSession

  constructor(
    private readonly ctx: Context,
    private readonly event: HookEvent,
    private readonly agent: AgentName,
    private readonly warn: (message: string) => void,
  ) {}

  /** Whether the agent's own commands carry its name without --agent. */
  private get carried(): boolean {
    const named = (this.ctx.env.AGENT_RELAY_NAME ?? '') !== '' || (this.ctx.env.TRAIL_AGENT ?? '') !== ''
    return (named && this.event.tool === 'claude') || envFileOf(this.event.tool, this.ctx.env) !== undefined
  }

  async run(): Promise<HookAnswer> {
    // Before every edit: the session file alone answers a file already shown, before any git process starts.
    if (this.event.kind === 'pre-edit') return this.preEdit()
    const store = await this.ctx.store()
    this.sessions = new HookSessions(store.repo.commonDir)
    this.state = this.sessions.touch(this.event.tool, this.agent, this.event.sessionId, this.ctx.now())
    try {
      switch (this.event.kind) {
        case 'session-start':
          return await this.sessionStart()
        case 'prompt':
          return await this.prompt()
        case 'response':
          await this.readOutput()
          return {}
        case 'stop':
          return await this.stop()
        case 'pre-compact':
          await this.readOutput()
          await this.saveLedgerFromSummary()
          return {}
        case 'session-end':
          await this.readOutput()
          this.state.ended = this.ctx.now().toISOString()
          return {}
      }
    } finally {
      this.sessions.write(this.state)
    }
  }

  private async sessionStart(): Promise<HookAnswer> {
    const envFile = envFileOf(this.event.tool, this.ctx.env)
    if (envFile !== undefined && (this.ctx.env.AGENT_RELAY_NAME ?? '') === '') {
      const line = `export AGENT_RELAY_NAME=${this.agent}\n`
      const present = existsSync(envFile) ? readFileSync(envFile, 'utf8') : ''
      if (!present.includes(line)) (present === '' ? writeFileSync : appendFileSync)(envFile, line)
    }
    const previous = (this.ctx.env.AGENT_RELAY_NAME ?? '') === '' ? this.sessions.previous(this.event.tool, this.agent, this.ctx.now()) : null
    const [own, before] = await Promise.all([loadContext(this.ctx, this.agent), previous ? loadContext(this.ctx, previous.agent) : null])
    const context = sessionContextMarkdown({
      tool: this.event.tool,
      agent: this.agent,
      carried: this.carried,
      own,
      previous: previous && before ? {agent: previous.agent, ended: previous.ended, context: before} : null,
    })
    return {context, env: {AGENT_RELAY_NAME: this.agent}}
  }

  private async prompt(): Promise<HookAnswer> {
    const pending = this.takePending()
    const active = await findActiveTrajectory(this.ctx, this.agent)
    let started: string | null = null
    const title = this.event.prompt === undefined ? null : titleFromPrompt(this.event.prompt)
    if (!active && title !== null) {
      const trajectory = await startTrajectory(this.ctx, {agent: this.agent, title, task: taskFromPrompt(this.event.prompt!)})
      const previous = (this.ctx.env.AGENT_RELAY_NAME ?? '') === '' ? this.sessions.previous(this.event.tool, this.agent, this.ctx.now()) : null
      const left = previous ? await findActiveTrajectory(this.ctx, previous.agent) : null
      started = startedMarkdown(trajectory, this.agent, this.carried, left ? {id: left.id, agent: previous!.agent} : null)
    }
    const context = [...pending, ...(started ? [started] : [])].join('\n')
    return context === '' ? {} : {context}
  }

  /** Before every edit (./pre-edit.ts): the whole answer, explainLines where the fast one cannot tell. */
  private async preEdit(): Promise<HookAnswer> {
    return (await preEditAnswer(this.ctx, this.event, this.agent, (path, repo) => editContext(this.ctx, path, repo))) ?? {}
  }

  private takePending(): string[] {
    const pending = this.state.pending
    this.state.pending = []
    return pending
  }

  private async stop(): Promise<HookAnswer> {
    const {answers, sessionEnd} = await this.readOutput()
    const followUps = [...this.takePending(), ...answers]
    const ended = sessionEnd || this.state.endSignalled
    this.state.endSignalled = false
    if (ended) {
      const active = await findActiveTrajectory(this.ctx, this.agent)
      if (active && this.state.reminded !== active.id) {
        if (this.event.continued) this.state.pending.push(completeReminderMarkdown(active, this.agent))
        else followUps.push(completeReminderMarkdown(active, this.agent))
        this.state.reminded = active.id
      }
    }
    if (followUps.length === 0) return {}
    // The tool's loop guard: a stop that follows one a hook already continued is never continued again; what it
    // had to say waits for the agent's next prompt (or stop).
    if (this.event.continued) {
      this.state.pending.push(...followUps)
      return {}
    }
    return {followUp: followUps.join('\n')}
  }

  /**
   * Reads what the agent printed since the last hook and carries out every pattern in it. Claude Code: the new
   * part of its transcript, then the Stop payload's last message for the requests the transcript does not hold
   * yet (it can lag behind the hook); the writes in it wait for the transcript, so nothing is done twice. Other
   * tools: the message in the payload (their transcripts are not read).
   */
  private async readOutput(): Promise<{answers: string[]; sessionEnd: boolean}> {
    const answers: string[] = []
    let sessionEnd = false
    const early = new Set(this.state.answeredEarly)
    const run = new ObservedRun(
      this.ctx,
      this.agent,
      outboxBase(undefined, this.ctx.env),
      {
        answer: (answer) => {
          const key = answerKey(answer)
          if (early.delete(key)) return
          answers.push(hookAnswerMarkdown(answer))
        },
        warn: (message) => this.warn(message),
      },
      'transcript',
      (event) => {
        if (event.kind === 'session-end') sessionEnd = true
      },
    )
    const {transcriptPath, message} = this.event
    if (this.event.tool === 'claude' && transcriptPath !== undefined && existsSync(transcriptPath)) {
      await ingestFile(this.ctx, transcriptPath, run, {format: 'claude-jsonl'})
      if (message !== undefined && !transcriptHolds(transcriptPath, message)) {
        run.source = 'last_assistant_message'
        for (const event of parseMessage(message)) {
          if (event.kind === 'continuity' && (event.action === 'load' || event.action === 'search')) {
            await run.handle(event)
            early.add(event.action === 'load' ? 'load' : `search:${event.query}`)
          } else if (event.kind === 'session-end') {
            sessionEnd = true
          }
        }
      }
    } else if (this.event.tool !== 'claude' && message !== undefined) {
      run.source = this.event.kind === 'response' ? 'response' : 'last message'
      for (const event of parseMessage(message)) await run.handle(event)
    } else if (this.event.tool === 'claude' && transcriptPath !== undefined) {
      this.warn(`no transcript at ${transcriptPath}`)
    }
    await run.flush()
    this.state.answeredEarly = [...early]
    if (this.event.kind === 'response') {
      // Cursor reads responses apart from stops: what they asked for is answered at the next stop.
      this.state.pending.push(...answers)
      if (sessionEnd) this.state.endSignalled = true
      return {answers: [], sessionEnd: false}
    }
    return {answers, sessionEnd}
  }

  /** Before a compaction: the latest [[SUMMARY]] of this agent, when newer than its ledger, is saved into it. */
  private async saveLedgerFromSummary(): Promise<void> {
    const snapshot = await (await this.ctx.store()).snapshot()
    const [day] = await dayFolders(snapshot, agentRecordDir('summary', this.agent))
    if (day === undefined) return
    const names = (await snapshot.list(day))
      .map((entry) => entry.name)
      .filter((name) => name.endsWith('.md'))
      .sort()
    const newest = names.at(-1)
    if (newest === undefined) return
    const path = `${day}/${newest}`
    const summary = parseSummary((await snapshot.readText(path)) ?? '', path)
    const ledger = await readLedger(snapshot, this.agent)
    if (ledger !== null && ledger.updated >= summary.created) return
    const content = summarySaveText(summary)
    if (content !== '') await saveContinuity(this.ctx, {agent: this.agent, content, handoff: false})
  }
}

/** An ingest run that also tells which events it saw. */
class ObservedRun extends IngestRun {
  constructor(
    ctx: Context,
    agent: AgentName,
    outbox: string,
    io: ConstructorParameters<typeof IngestRun>[3],
    source: string,
    private readonly observe: (event: OutputEvent) => void,
  ) {
    super(ctx, agent, outbox, io, source)
  }

  override async handle(event: OutputEvent): Promise<void> {
    this.observe(event)
    await super.handle(event)
  }
}

function answerKey(answer: Answer): string {
  return answer.kind === 'context' ? 'load' : `search:${answer.query}`
}

function parseMessage(message: string): OutputEvent[] {
  const parser = new OutputParser()
  return [...parser.push(message.endsWith('\n') ? message : `${message}\n`), ...parser.end()]
}

/** How much of a transcript's end is read to find the last assistant message. */
const TAIL_BYTES = 256 * 1024

/** Whether the transcript's last assistant messages hold `message` (whitespace aside). */
function transcriptHolds(path: string, message: string): boolean {
  const fd = openSync(path, 'r')
  let tail: string
  try {
    const size = fstatSync(fd).size
    const length = Math.min(size, TAIL_BYTES)
    const buffer = Buffer.alloc(length)
    readSync(fd, buffer, 0, length, size - length)
    tail = buffer.toString('utf8')
  } finally {
    closeSync(fd)
  }
  const squash = (text: string) => text.replace(/\s+/g, '')
  const texts = tail.split('\n').flatMap((line) => assistantTexts(line))
  return squash(texts.join('')).includes(squash(message))
}

/** A trajectory title from a prompt: its first line that says something, redacted, at most 80 characters. */
export function titleFromPrompt(prompt: string): string | null {
  const line = prompt
    .split('\n')
    .map((text) => text.replace(/\s+/g, ' ').trim())
    .find((text) => !isBlank(text) && !/^```/.test(text))
  // A slash command is for the tool, not a task.
  if (line === undefined || /^\/[\w:-]+$/.test(line)) return null
  try {
    return parseTitle(clip(redactText(line), 80))
  } catch {
    return null
  }
}

/** A ticket a prompt names (`owner/repo#12`, `ABC-123`, `#42`), for --task; the first one found. */
export function taskFromPrompt(prompt: string): string | undefined {
  const patterns = [/\b[\w.-]+\/[\w.-]+#\d+\b/, /\b[A-Z][A-Z0-9]+-\d+\b/, /(?<![\w/&])#\d+\b/]
  for (const pattern of patterns) {
    const found = pattern.exec(prompt)?.[0]
    if (found) return found
  }
  return undefined
}
