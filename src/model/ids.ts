import {UsageError} from '../errors.js'
import {quoteInput} from './text.js'

// Record ids are ULID-style: 10 characters of millisecond time and 16 of randomness in Crockford's base 32, lower
// case, after a kind prefix ("traj_01jd2k..."). They sort by time as text, so the newest record is the greatest
// name in its folder, and a record's folder (YYYY/MM/DD, in UTC) follows from its id alone: finding a record by id
// never needs a listing. Never derived from a title or content (DESIGN.md section 2).

export const ID_KINDS = ['traj', 'ev', 'ho', 'msg', 'sum', 'ses', 'raw'] as const
export type IdKind = (typeof ID_KINDS)[number]

const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz'
const TIME_LENGTH = 10
const RANDOM_LENGTH = 16
const ULID_PATTERN = /^[0-9a-hjkmnp-tv-z]{26}$/
const MAX_TIME = 2 ** 48 - 1

/**
 * Makes ids for one process: strictly increasing, even within one millisecond, for records made now. A record made
 * for another time (an import of older history) takes that time: `next(kind, at)`. Such ids are unique by their
 * randomness alone, as ULIDs are, and the record's day folder follows its time.
 */
export class IdGenerator {
  private lastTime = -1
  private lastRandom: number[] = []

  constructor(
    private readonly now: () => Date,
    /** Returns `count` random bytes; a seam so tests can make ids repeatable. */
    private readonly random: (count: number) => Uint8Array,
  ) {}

  next(kind: IdKind, at?: Date): string {
    if (at !== undefined) {
      const time = at.getTime()
      if (!(time >= 0 && time <= MAX_TIME)) throw new UsageError(`${at.toString()} is not a time an id can carry`, 'give a time between 1970 and 10889')
      return `${kind}_${encodeTime(time)}${[...this.random(RANDOM_LENGTH)].map((byte) => ALPHABET[byte & 31]).join('')}`
    }
    const time = Math.max(this.now().getTime(), this.lastTime)
    if (time === this.lastTime) {
      this.lastRandom = increment(this.lastRandom)
    } else {
      this.lastTime = time
      this.lastRandom = [...this.random(RANDOM_LENGTH)].map((byte) => byte & 31)
    }
    return `${kind}_${encodeTime(time)}${this.lastRandom.map((digit) => ALPHABET[digit]).join('')}`
  }
}

function increment(digits: number[]): number[] {
  const next = [...digits]
  for (let i = next.length - 1; i >= 0; i--) {
    if (next[i]! < 31) {
      next[i]!++
      return next
    }
    next[i] = 0
  }
  return next // 2^80 ids in one millisecond: wraps, as the ULID spec allows an implementation to choose
}

function encodeTime(ms: number): string {
  let out = ''
  let rest = ms
  for (let i = 0; i < TIME_LENGTH; i++) {
    out = ALPHABET[rest % 32] + out
    rest = Math.floor(rest / 32)
  }
  return out
}

function decodeTime(text: string): number {
  let ms = 0
  for (const char of text) ms = ms * 32 + ALPHABET.indexOf(char)
  return ms
}

/** True when `text` is a complete id of `kind`. */
export function isId(text: string, kind: IdKind): boolean {
  return text.startsWith(`${kind}_`) && ULID_PATTERN.test(text.slice(kind.length + 1))
}

/** The moment an id was made. */
export function idTime(id: string): Date {
  const ulid = id.slice(id.indexOf('_') + 1)
  return new Date(decodeTime(ulid.slice(0, TIME_LENGTH)))
}

/** "YYYY/MM/DD" in UTC: the folder of a record made at `date`. */
export function dayPath(date: Date): string {
  const iso = date.toISOString()
  return `${iso.slice(0, 4)}/${iso.slice(5, 7)}/${iso.slice(8, 10)}`
}

/**
 * What a user typed to name a record: a whole id or a prefix, with or without the kind prefix ("traj_01jd2",
 * "01jd2"). Returns the ULID part and the range of times that ids with that prefix can carry, so a lookup only
 * visits the day folders inside the range.
 */
export function parseIdPrefix(raw: string, kind: IdKind): {ulidPrefix: string; from: number; to: number} {
  const text = raw.trim().toLowerCase()
  const ulidPrefix = text.startsWith(`${kind}_`) ? text.slice(kind.length + 1) : text
  if (ulidPrefix.length === 0 || ulidPrefix.length > TIME_LENGTH + RANDOM_LENGTH || !/^[0-9a-hjkmnp-tv-z]+$/.test(ulidPrefix)) {
    throw new UsageError(
      `'${quoteInput(raw)}' is not a ${kind} id`,
      `ids look like ${kind}_01jd2k3m4n5p6q7r8s9t0v1w2x (a unique prefix is enough); list them with: trail list`,
    )
  }
  const timePart = ulidPrefix.slice(0, TIME_LENGTH)
  const from = decodeTime(timePart.padEnd(TIME_LENGTH, '0'))
  const to = Math.min(decodeTime(timePart.padEnd(TIME_LENGTH, 'z')), MAX_TIME)
  return {ulidPrefix, from, to}
}
