import {clip} from './text.js'

// Records travel with the repository (plain `git push`), so a credential pasted by an agent into a summary would
// be published. Every record is passed through `redact` before it is rendered; the same happens to commit messages.
// The patterns are the common, recognisable shapes (vendor token prefixes, key blocks, credentials in URLs and
// headers, `password=...` assignments); a miss is possible, a false alarm on ordinary prose is kept rare on purpose.

interface Pattern {
  kind: string
  regex: RegExp
  /** Replaces the match; default: the whole match becomes the marker. */
  replace?: (marker: string, ...groups: string[]) => string
}

/** Not preceded by a letter or digit: a word start that, unlike \b, also holds after "_" ("DB_PASSWORD"). */
const START = '(?<![A-Za-z0-9])'
/** The names of settings that hold secrets, with an optional prefix ("DB_PASSWORD", "GITHUB_TOKEN", "aws_secret_access_key"). */
const SECRET_NAME = '(?:[A-Za-z0-9]+[_-])*(?:password|passwd|pwd|secret|secret[_-]?key|api[_-]?key|access[_-]?key|access[_-]?token|auth[_-]?token|token|client[_-]?secret|private[_-]?key|credentials?)'

const PATTERNS: Pattern[] = [
  {kind: 'private-key', regex: /-----BEGIN [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----[\s\S]*?(?:-----END [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----|$)/g},
  {kind: 'aws-access-key', regex: new RegExp(`${START}(?:AKIA|ASIA)[0-9A-Z]{16}(?![A-Za-z0-9])`, 'g')},
  {kind: 'github-token', regex: new RegExp(`${START}(?:gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{22,255})`, 'g')},
  {kind: 'gitlab-token', regex: new RegExp(`${START}glpat-[A-Za-z0-9_-]{20,}`, 'g')},
  {kind: 'slack-token', regex: new RegExp(`${START}xox[abposr]-[A-Za-z0-9-]{10,}`, 'g')},
  {kind: 'slack-webhook', regex: /https:\/\/hooks\.slack\.com\/services\/[A-Za-z0-9/_-]+/g},
  {kind: 'api-key', regex: new RegExp(`${START}sk-(?:ant-|proj-)?[A-Za-z0-9_-]{20,}`, 'g')},
  {kind: 'google-api-key', regex: new RegExp(`${START}AIza[0-9A-Za-z_-]{35}`, 'g')},
  {kind: 'stripe-key', regex: new RegExp(`${START}[rs]k_(?:live|test)_[0-9a-zA-Z]{16,}`, 'g')},
  {kind: 'npm-token', regex: new RegExp(`${START}npm_[A-Za-z0-9]{36}(?![A-Za-z0-9])`, 'g')},
  {kind: 'jwt', regex: new RegExp(`${START}eyJ[A-Za-z0-9_-]{5,}\\.eyJ[A-Za-z0-9_-]{5,}\\.[A-Za-z0-9_-]{10,}`, 'g')},
  {
    kind: 'authorization',
    regex: /\b(Authorization"?\s*[:=]\s*"?(?:Bearer|Basic|token)\s+)[A-Za-z0-9._~+/=-]{8,}/gi,
    replace: (marker, prefix) => `${prefix}${marker}`,
  },
  {
    kind: 'url-password',
    regex: /\b([a-z][a-z0-9+.-]*:\/\/[^\s:/@]+:)[^\s@/]+@/gi,
    replace: (marker, prefix) => `${prefix}${marker}@`,
  },
  {
    kind: 'secret',
    // `password=hunter2x`, `DB_PASSWORD=...`, `"api_key": "abc123..."`: the value must look like a secret (8+
    // characters, no spaces, a digit or a symbol), so prose such as "password: reset flow" is left alone.
    regex: new RegExp(`${START}(${SECRET_NAME}["']?\\s*[:=]\\s*)(["']?)((?=[^\\s"']*[0-9!#$%^&*+/=_-])[^\\s"',;]{8,})\\2`, 'gi'),
    replace: (marker, prefix, quoteMark) => `${prefix}${quoteMark}${marker}${quoteMark}`,
  },
]

/** Replaces credentials in one string with "[REDACTED:<kind>]". */
export function redactText(text: string): string {
  let out = text
  for (const {kind, regex, replace} of PATTERNS) {
    const marker = `[REDACTED:${kind}]`
    out = out.replace(regex, (...args: unknown[]) => {
      const groups = args.slice(1, -2).map((group) => (typeof group === 'string' ? group : ''))
      return replace ? replace(marker, ...groups) : marker
    })
  }
  return out
}

/**
 * Fields that name or date things (ids, agent and project names, statuses, times): never redacted, so a name
 * that happens to look like a token ("ghp_" and 36 letters is a valid agent name) stays a readable record.
 */
const STRUCTURAL_KEYS = new Set(['id', 'agent', 'from', 'project', 'thread', 'trajectory', 'handoff', 'status', 'kind', 'started', 'updated', 'ended', 'created', 'at'])

/** Redacts every string inside a plain value (records, lists, nested objects), but its structural fields. */
export function redact<T>(value: T): T {
  if (typeof value === 'string') return redactText(value) as T
  if (Array.isArray(value)) return value.map((item) => redact(item)) as T
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, STRUCTURAL_KEYS.has(key) ? item : redact(item)])) as T
  }
  return value
}

/** User text for a commit subject: redacted first (escaping would hide a token from the patterns), one line, quoted. */
export function subjectText(text: string, maxChars = 80): string {
  return JSON.stringify(clip(redactText(text).replace(/\s+/g, ' ').trim(), maxChars))
}
