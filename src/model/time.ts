import {UsageError} from '../errors.js'
import {quoteInput} from './text.js'

const UNIT_MS: Record<string, number> = {m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000}
const UNIT_NAMES: Record<string, string> = {minute: 'm', hour: 'h', day: 'd', week: 'w'}

/**
 * Parses a `--since` value: an ISO date ("2026-11-01", midnight UTC) or time ("2026-11-01T09:30:00Z"), a span
 * back from now ("90m", "12h", "3d", "2w", "3 days ago"), "today" or "yesterday" (UTC).
 */
export function parseSince(raw: string, now: Date): Date {
  const text = raw.trim().toLowerCase()
  const startOfToday = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate())
  if (text === 'today') return new Date(startOfToday)
  if (text === 'yesterday') return new Date(startOfToday - UNIT_MS.d!)
  const span = /^(\d+)\s*(m|h|d|w)$/.exec(text) ?? /^(\d+)\s+(minute|hour|day|week)s?(?:\s+ago)?$/.exec(text)
  if (span) return new Date(now.getTime() - Number(span[1]) * UNIT_MS[UNIT_NAMES[span[2]!] ?? span[2]!]!)
  if (/^\d{4}-\d\d-\d\d([t ]\d\d:\d\d(:\d\d(\.\d+)?)?(z|[+-]\d\d:?\d\d)?)?$/.test(text)) {
    const date = new Date(text.length === 10 ? `${text}T00:00:00Z` : text.toUpperCase().replace(' ', 'T'))
    if (!Number.isNaN(date.getTime())) return date
  }
  throw new UsageError(
    `cannot read the date '${quoteInput(raw)}'`,
    'use a date (2026-11-01), a time (2026-11-01T09:30:00Z), or a span (3d, 12h, 2w, yesterday)',
    'E_DATE',
  )
}

/** Parses a count typed by a user (--limit, --page): a whole number of at least `min`. */
export function parseCount(raw: string, flag: string, min = 1): number {
  const value = /^\d+$/.test(raw.trim()) ? Number(raw.trim()) : Number.NaN
  if (!(value >= min) || !Number.isSafeInteger(value)) {
    throw new UsageError(`${flag} must be a whole number of at least ${min}, got '${quoteInput(raw)}'`, `for example ${flag} ${Math.max(min, 20)}`)
  }
  return value
}
