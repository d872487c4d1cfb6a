import type {Message} from '../model/message.js'
import type {InboxEntry, SiblingSyncReport} from '../model/results.js'
import {counted} from '../model/names.js'
import {alignColumns, formatTime, paint, printable, printableLine, type OutputStyle} from './style.js'
import {withoutCredentials} from '../model/redact.js'

// Messages, inboxes, threads and what `relay sync` brought.

export interface MessageJson {
  id: string
  from: string
  project: string | null
  to: string
  thread: string | null
  created: string
  body: string
}

export interface InboxEntryJson extends MessageJson {
  /** The sibling it came from, or null for this project. */
  sibling: string | null
  read: boolean
}

export function messageJson(message: Message): MessageJson {
  return {
    id: message.id,
    from: message.from,
    project: message.project ?? null,
    to: message.to,
    thread: message.thread ?? null,
    created: message.created,
    body: message.body,
  }
}

export function inboxEntryJson(entry: InboxEntry): InboxEntryJson {
  return {...messageJson(entry.message), project: entry.project, sibling: entry.sibling, read: entry.read}
}

export function sentText(message: Message, style: OutputStyle): string {
  return `Sent ${paint(style, 'bold', message.id)} from ${message.project ? `${message.project}:` : ''}${message.from} to ${printableLine(message.to)}${message.thread ? ` [thread:${message.thread}]` : ''}\n`
}

/**
 * An inbox or a thread: one block per message, oldest first; each block opens with the message's line (read or
 * new, id, sender and target, time, thread), in columns aligned across the messages.
 */
export function entriesText(entries: readonly InboxEntry[], style: OutputStyle, empty: string): string {
  if (entries.length === 0) return `${empty}\n`
  const headers = alignColumns(
    entries.map(({message: m, read, project}) => [
      read ? paint(style, 'dim', 'read') : paint(style, 'yellow', 'new'),
      paint(style, 'bold', m.id),
      `${project}:${m.from} → ${m.to}`,
      paint(style, 'dim', formatTime(m.created, style)),
      m.thread ? `[thread:${m.thread}]` : '',
    ]),
  )
  return entries
    .map(({message: m}, index) => {
      const body = printable(m.body)
        .split('\n')
        .map((line) => `    ${line}`)
        .join('\n')
      return `${headers[index]}\n${body}\n`
    })
    .join('\n')
}

export function markedText(ids: readonly string[]): string {
  return ids.length === 0
    ? 'Nothing to mark: no unread messages.\n'
    : `Marked ${counted(ids.length, 'message')} read: ${ids.map((id) => printableLine(id)).join(', ')}\n`
}

export function siblingSyncText(reports: readonly SiblingSyncReport[], style: OutputStyle): string {
  if (reports.length === 0) return 'No siblings yet. Add one with: relay bridge add <name> <path|url>\n'
  return reports
    .map((report) => {
      const head = `${paint(style, 'bold', report.name)} (${printableLine(withoutCredentials(report.url))}): `
      switch (report.status) {
        case 'failed':
          return `${head}${paint(style, 'red', 'failed')}: ${printableLine(report.error ?? '')}\n`
        case 'empty':
          return `${head}no records yet\n`
        case 'unchanged':
          return `${head}nothing new\n`
        default: {
          const messages = report.messages
            .map(
              (m) =>
                `    ${printableLine(m.id)} ${m.project ?? report.name}:${m.from} → ${printableLine(m.to)}${m.thread ? ` [thread:${m.thread}]` : ''}: ${printableLine(m.body, 100)}\n`,
            )
            .join('')
          return `${head}${counted(report.records, 'new record')}, ${counted(report.messages.length, 'message')} for this project\n${messages}`
        }
      }
    })
    .join('')
}

export interface SiblingSyncJson {
  name: string
  url: string
  status: string
  error: string | null
  tip: string | null
  records: number
  messages: MessageJson[]
}

export function siblingSyncJson(report: SiblingSyncReport): SiblingSyncJson {
  return {
    name: report.name,
    url: withoutCredentials(report.url),
    status: report.status,
    error: report.error ?? null,
    tip: report.tip,
    records: report.records,
    messages: report.messages.map(messageJson),
  }
}
