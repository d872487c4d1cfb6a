import {idTime, type IdKind} from '../model/ids.js'
import {agentRecordPath, type AgentRecordKind} from '../model/layout.js'
import type {AgentName} from '../model/names.js'
import {redactBlock, redactText} from '../model/redact.js'
import {
  renderRaw,
  renderSessionEnd,
  renderSummary,
  sessionEndFromBlock,
  summaryFromBlock,
  type RawRecord,
  type SessionEndRecord,
  type SummaryRecord,
} from '../model/session-records.js'
import {stringifyJson} from '../protocol/json-text.js'
import type {Snapshot} from '../store/snapshot.js'
import type {Context} from './context.js'
import {activeIds} from './trajectory-records.js'

// Records of what an agent printed: [[SUMMARY]] snapshots, [[SESSION_END]] records, and unreadable output kept as
// raw text. Each is one new immutable file in the agent's folder under .relay/ledger/.

async function recordFor<T extends {id: string}>(
  ctx: Context,
  kind: IdKind,
  folder: AgentRecordKind,
  agent: AgentName,
  build: (base: {id: string; agent: AgentName; created: string}, snapshot: Snapshot) => Promise<T>,
  render: (record: T) => string,
  subject: (record: T) => string,
): Promise<T> {
  const store = await ctx.store()
  return store.transact(async (snapshot) => {
    const id = ctx.ids.next(kind)
    const record = await build({id, agent, created: idTime(id).toISOString()}, snapshot)
    return {
      writes: [{path: agentRecordPath(folder, agent, id), content: render(record)}],
      subject: subject(record),
      trailers: [
        ['Trail-Record', id],
        ['Trail-Agent', agent],
      ],
      result: record,
    }
  })
}

/**
 * Keeps a [[SUMMARY]] block; a block whose JSON could not be read is kept too, as its raw text with the warning.
 *
 * @example await recordSummary(ctx, agent, {currentTask: 'Auth'}, '{"currentTask": "Auth"}')
 */
export function recordSummary(ctx: Context, agent: AgentName, data: Record<string, unknown> | null, raw: string, warning?: string): Promise<SummaryRecord> {
  const safe = redactBlock(raw, data, (value) => flatFields(value, ['currentTask', 'context'], ['completedTasks', 'files']))
  return recordFor(
    ctx,
    'sum',
    'summary',
    agent,
    async (base) => summaryFromBlock(base, safe.data, safe.raw, warning),
    renderSummary,
    (s) => `summary ${s.id} from ${agent}`,
  )
}

/**
 * Keeps a [[SESSION_END]] block, linked to the agent's active trajectory (which it does not complete).
 */
export function recordSessionEnd(ctx: Context, agent: AgentName, data: Record<string, unknown>, raw: string): Promise<SessionEndRecord> {
  const safe = redactBlock(raw, data, (value) => flatFields(value, ['summary'], ['completedTasks']))
  return recordFor(
    ctx,
    'ses',
    'session',
    agent,
    async (base, snapshot) => sessionEndFromBlock(base, safe.data ?? {}, safe.raw, (await activeIds(snapshot, agent))[0]),
    renderSessionEnd,
    (s) => `session end ${s.id} of ${agent}`,
  )
}

/** Keeps output that looked like a pattern but could not be read, with the reason. */
export function recordRaw(ctx: Context, agent: AgentName, text: string, warning: string, source: string): Promise<RawRecord> {
  return recordFor(
    ctx,
    'raw',
    'raw',
    agent,
    async (base) => ({...base, source, warning, text: redactText(text)}),
    renderRaw,
    (r) => `unreadable output ${r.id} of ${agent}`,
  )
}

/**
 * The fields of a parsed block that a record keeps, with every nested value already JSON text: an agent's JSON
 * may nest 100,000 levels deep, and JSON.stringify (which the record model uses for a nested value) overflows the
 * stack a few thousand levels down. The block's whole text is kept in the record's `raw` field anyway.
 */
function flatFields(data: Record<string, unknown>, texts: readonly string[], lists: readonly string[]): Record<string, unknown> {
  const flat: Record<string, unknown> = {}
  for (const key of texts) flat[key] = asText(data[key])
  for (const key of lists) {
    const value = data[key]
    flat[key] = Array.isArray(value) ? value.map(asText) : asText(value)
  }
  return flat
}

function asText(value: unknown): unknown {
  return value !== null && typeof value === 'object' ? stringifyJson(value) : value
}
