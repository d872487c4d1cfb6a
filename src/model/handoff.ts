import {describeConfidence} from './confidence.js'
import type {Value} from './front-matter.js'
import {contentBody, contentFields, readContentFields, type LedgerContent} from './ledger.js'
import {parseAgentName, type AgentName} from './names.js'
import {compact, FieldReader, renderRecord, type Extensible} from './record.js'
import {oneLine} from './text.js'

// A handoff document: an immutable snapshot written by `relay continuity save --handoff`, for the next session
// (of this agent or another) to pick up from. It carries the ledger as it was, the items to verify, and the
// active trajectory with its decisions.

export interface HandoffDecision {
  title: string
  reasoning?: string
  confidence?: number
}

export interface Handoff extends LedgerContent, Extensible {
  id: string
  agent: AgentName
  created: string
  /** The agent's active trajectory when the handoff was written. */
  trajectory?: {id: string; title: string; decisions: HandoffDecision[]}
}

export function renderHandoff(handoff: Handoff): string {
  return renderRecord(
    handoff,
    (h) => ({
      id: h.id,
      agent: h.agent,
      created: h.created,
      trajectory: h.trajectory?.id,
      trajectoryTitle: h.trajectory?.title,
      decisions: h.trajectory && h.trajectory.decisions.length > 0 ? (h.trajectory.decisions.map((d) => compact({...d})) as unknown as Value[]) : undefined,
      ...contentFields(h),
    }),
    (h) => {
      const parts = [`# Handoff from ${h.agent}`, `Written ${h.created}.`, contentBody(h)]
      if (h.trajectory) {
        // A decision's confidence in brackets, named by no word a search would take for a field (../services/search-term.ts).
        const decisions = h.trajectory.decisions.map(
          (d) =>
            `- ${oneLine(d.title)}${d.reasoning ? `: ${oneLine(d.reasoning)}` : ''}${d.confidence === undefined ? '' : ` [${describeConfidence(d.confidence)}]`}`,
        )
        parts.push(`## Trajectory ${h.trajectory.id}: ${oneLine(h.trajectory.title)}${decisions.length > 0 ? `\n\n${decisions.join('\n')}` : ''}`)
      }
      return `${parts.filter(Boolean).join('\n\n')}\n`
    },
  )
}

export function parseHandoff(text: string, path: string): Handoff {
  const r = FieldReader.fromDocument(text, path)
  const trajectoryId = r.optionalString('trajectory')
  const decisions = r.value('decisions')
  return compact({
    id: r.string('id'),
    agent: r.name('agent', parseAgentName),
    created: r.string('created'),
    trajectory: trajectoryId
      ? {
          id: trajectoryId,
          title: r.optionalString('trajectoryTitle') ?? '',
          decisions: Array.isArray(decisions)
            ? decisions.map((d) => {
                const item = (d ?? {}) as Record<string, Value>
                return compact({
                  title: String(item.title ?? ''),
                  reasoning: typeof item.reasoning === 'string' ? item.reasoning : undefined,
                  confidence: typeof item.confidence === 'number' ? item.confidence : undefined,
                })
              })
            : [],
        }
      : undefined,
    ...readContentFields(r),
    extra: r.rest(),
  })
}
