// Outbox files (docs/spec/relay-protocol-outbox-and-trail.md): an agent writes a file into its outbox folder and
// prints `->relay-file:<name>`. The file is "KEY: value" headers, a blank line, then a body; CRLF line ends are
// accepted. Pure: the caller reads the file and decides what to do with the command. Credentials in it are redacted.

import {OutboxFormatError} from '../errors.js'
import {redactText} from '../model/redact.js'
import {isBlank} from '../model/text.js'

export type OutboxCommand =
  | {kind: 'continuity'; action: 'save'; handoff: boolean; content: string}
  | {kind: 'continuity'; action: 'load'}
  | {kind: 'continuity'; action: 'search'; query: string}
  | {kind: 'continuity'; action: 'uncertain'; text: string}
  | {kind: 'message'; to: string; thread: string | null; body: string}

const ACTIONS = ['save', 'load', 'uncertain', 'search', 'handoff']

/**
 * Reads an outbox file's text. Throws OutboxFormatError naming the problem.
 *
 * @example parseOutboxFile('KIND: continuity\nACTION: load\n') // {kind: 'continuity', action: 'load'}
 */
export function parseOutboxFile(text: string): OutboxCommand {
  // Redacted as it arrived, before its lines are split into headers and body.
  const lines = redactText(text)
    .replace(/^\uFEFF/, '')
    .replace(/\r\n?/g, '\n')
    .split('\n')
  const headers = new Map<string, string>()
  let at = 0
  for (; at < lines.length; at++) {
    const line = lines[at]!
    if (line.trim() === '') {
      at++
      break
    }
    const header = /^([A-Za-z][A-Za-z_-]*)\s*:\s*(.*)$/.exec(line)
    if (!header) break
    headers.set(header[1]!.toUpperCase(), header[2]!.trim())
  }
  const body = lines.slice(at).join('\n').replace(/\n+$/, '')
  const kind = (headers.get('KIND') ?? (headers.has('TO') ? 'message' : '')).toLowerCase()
  if (kind === 'message') {
    const to = headers.get('TO')
    if (!to) throw new OutboxFormatError('a message needs a TO: header (TO: project:agent)')
    if (isBlank(body)) throw new OutboxFormatError(`the message to ${to} has no text after the blank line`)
    return {kind: 'message', to, thread: headers.get('THREAD') || null, body}
  }
  if (kind !== 'continuity') {
    throw new OutboxFormatError(
      kind === '' ? 'no KIND: header (KIND: continuity) and no TO: header' : `unknown KIND '${kind}': use continuity, or TO: for a message`,
    )
  }
  const action = (headers.get('ACTION') ?? '').toLowerCase()
  switch (action) {
    case 'save':
    case 'handoff':
      return {kind: 'continuity', action: 'save', handoff: action === 'handoff' || /^(true|yes|1)$/i.test(headers.get('HANDOFF') ?? ''), content: body}
    case 'load':
      return {kind: 'continuity', action: 'load'}
    case 'search': {
      const query = (headers.get('QUERY') ?? body).trim()
      if (query === '') throw new OutboxFormatError('a search needs a query: QUERY: <words>, or the words after the blank line')
      return {kind: 'continuity', action: 'search', query}
    }
    case 'uncertain':
      if (isBlank(body)) throw new OutboxFormatError('an uncertain item needs its text after the blank line')
      return {kind: 'continuity', action: 'uncertain', text: body.trim()}
    default:
      throw new OutboxFormatError(`${action === '' ? 'no ACTION: header' : `unknown ACTION '${action}'`}: use ${ACTIONS.join(', ')}`)
  }
}
