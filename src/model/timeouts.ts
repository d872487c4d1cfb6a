import {UsageError} from '../errors.js'
import {quoteInput} from './text.js'

// Time limits given by people: `--timeout <seconds>` and the git config keys that set the defaults
// (relay.syncTimeout, relay.searchTimeout). Seconds, as git's own settings are; fractions allowed.

/** The longest time limit taken: a day. */
const MAX_SECONDS = 86_400

/**
 * Seconds (a positive number, at most a day) as milliseconds; `what` names where the value came from.
 *
 * @example parseTimeoutSeconds('60', '--timeout')   // 60000
 * @example parseTimeoutSeconds('0.5', 'git config relay.syncTimeout')   // 500
 */
export function parseTimeoutSeconds(raw: string, what: string): number {
  const text = raw.trim()
  const seconds = /^\d+(\.\d+)?$/.test(text) ? Number(text) : Number.NaN
  if (!(seconds > 0) || seconds > MAX_SECONDS) {
    throw new UsageError(`invalid time limit '${quoteInput(raw)}' in ${what}`, `give a number of seconds, more than 0 and at most ${MAX_SECONDS}: ${what} 30`)
  }
  return Math.round(seconds * 1000)
}
