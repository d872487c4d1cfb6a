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

const PATTERNS: Pattern[] = [
  {kind: 'private-key', regex: /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z0-9 ]*PRIVATE KEY-----|$)/g},
  {kind: 'aws-access-key', regex: /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/g},
  {kind: 'github-token', regex: /\b(?:gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{22,255})\b/g},
  {kind: 'gitlab-token', regex: /\bglpat-[A-Za-z0-9_-]{20,}/g},
  {kind: 'slack-token', regex: /\bxox[abposr]-[A-Za-z0-9-]{10,}/g},
  {kind: 'slack-webhook', regex: /https:\/\/hooks\.slack\.com\/services\/[A-Za-z0-9/_-]+/g},
  {kind: 'api-key', regex: /\bsk-(?:ant-|proj-)?[A-Za-z0-9_-]{20,}/g},
  {kind: 'google-api-key', regex: /\bAIza[0-9A-Za-z_-]{35}/g},
  {kind: 'stripe-key', regex: /\b[rs]k_(?:live|test)_[0-9a-zA-Z]{16,}/g},
  {kind: 'npm-token', regex: /\bnpm_[A-Za-z0-9]{36}\b/g},
  {kind: 'jwt', regex: /\beyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{10,}/g},
  {
    kind: 'authorization',
    regex: /\b(Authorization:\s*(?:Bearer|Basic|token)\s+)[A-Za-z0-9._~+/=-]{8,}/gi,
    replace: (marker, prefix) => `${prefix}${marker}`,
  },
  {
    kind: 'url-password',
    regex: /\b([a-z][a-z0-9+.-]*:\/\/[^\s:/@]+:)[^\s@/]+@/gi,
    replace: (marker, prefix) => `${prefix}${marker}@`,
  },
  {
    kind: 'secret',
    // `password=hunter2x`, `api_key: "abc123..."`: the value must look like a secret (8+ characters, no spaces,
    // a digit or a symbol), so prose such as "password: reset flow" is left alone.
    regex:
      /\b((?:password|passwd|secret|api[_-]?key|access[_-]?token|auth[_-]?token|client[_-]?secret|private[_-]?key)\s*[:=]\s*)(["']?)((?=[^\s"']*[0-9!#$%^&*+/=_-])[^\s"',;]{8,})\2/gi,
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

/** Redacts every string inside a plain value (records, lists, nested objects); other values pass through. */
export function redact<T>(value: T): T {
  if (typeof value === 'string') return redactText(value) as T
  if (Array.isArray(value)) return value.map((item) => redact(item)) as T
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, redact(item)])) as T
  }
  return value
}
