import {paint, printableLine, type OutputStyle} from './style.js'
import type {SearchHit, SearchResult} from '../model/results.js'

// Search results: grouped by record, with the matching lines.

export interface SearchHitJson {
  /** The project whose store holds the record. */
  project: string
  kind: string
  id: string
  path: string
  title: string
  agent: string | null
  date: string | null
  score: number
  matches: {line: number; text: string}[]
}

export interface SearchJson {
  query: string
  total: number
  hits: SearchHitJson[]
}

export function searchJson(query: string, result: SearchResult): SearchJson {
  return {
    query,
    total: result.total,
    hits: result.hits.map((hit) => ({
      project: hit.project,
      kind: hit.kind,
      id: hit.id,
      path: hit.path,
      title: hit.title,
      agent: hit.agent,
      date: hit.date,
      score: Math.round(hit.score * 1000) / 1000,
      matches: hit.matches,
    })),
  }
}

/** Hits for people (and for an agent that asked with ->continuity:search): a header per record, then its lines. */
export function searchText(query: string, result: SearchResult, style: OutputStyle): string {
  if (result.hits.length === 0) return `No records match "${printableLine(query, 80)}".\n`
  const blocks = result.hits.map((hit) => hitText(hit, style))
  const more = result.total > result.hits.length ? `\n(${result.total - result.hits.length} more records match; raise --limit to see them)\n` : ''
  return `${blocks.join('\n')}${more}`
}

function hitText(hit: SearchHit, style: OutputStyle): string {
  const meta = printableLine([hit.project, hit.agent, hit.date?.slice(0, 10)].filter(Boolean).join(', '))
  const header = `${paint(style, 'cyan', hit.kind)} ${paint(style, 'bold', printableLine(hit.id))}${meta ? ` (${meta})` : ''}: ${printableLine(hit.title, 120)}`
  const lines = hit.matches.slice(0, 3).map((match) => `  ${String(match.line).padStart(4)}: ${printableLine(match.text, 160)}`)
  if (hit.matches.length > 3) lines.push(`        (${hit.matches.length - 3} more matching lines)`)
  return `${header}\n${lines.join('\n')}\n`
}
