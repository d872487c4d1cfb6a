import {clip} from './text.js'
import {hasAwsKeyId, marker, PRIVATE_KEY_SOURCE, redactAwsSecretCandidates, redactionRules, type Groups} from './redact-rules.js'

// Records travel with the repository (plain `git push`), so a credential pasted by an agent into a summary would
// be published. Redaction happens twice:
// 1. On the text as it arrived, before any parser splits it into fields or list items (a private key's body lines
//    would otherwise reach the record as list items of their own), where every path to a parser passes:
//    `redactText` on a save's content (saveContinuity: argument, stdin, ->continuity:save, outbox file), an outbox
//    file (parseOutboxFile), a transcript's message, `--alternatives`, raw output, an agent's [[SUMMARY]] /
//    [[SESSION_END]] JSON (`redactBlock`); and on commit subjects and trailers (commitMessage).
// 2. On every record as it is rendered (`redact`, from renderRecord): each string, and key blocks (or an AWS key
//    id and its secret) spread over the items of a list, whatever parser split them.
// The rules (./redact-rules.ts, ported from gitleaks and secretlint) replace each credential with
// "[REDACTED:<kind>]"; ordinary engineering prose is left as it is (test/fixtures/redaction measures both).

/** Texts shorter than this hold no credential the rules know (the shortest: a name, "=" and a character, "pwd=x"). */
const MIN_LENGTH = 5

/** Replaces credentials in one string with "[REDACTED:<kind>]". The same text redacted twice is unchanged. */
export function redactText(text: string): string {
  if (text.length < MIN_LENGTH) return text
  if (memo === undefined || text.length > MEMO_MAX_CHARS) return redactUncached(text)
  let out = memo.get(text)
  if (out === undefined) {
    out = redactUncached(text)
    if (memo.size >= MEMO_MAX_ENTRIES) memo.clear()
    memo.set(text, out)
  }
  return out
}

/**
 * A memo of redactText, on only while `run` runs (synchronously), so it is never state another caller sees: for
 * work that redacts the same short strings again and again (an import's agent names, statuses, titles). Exactly
 * equivalent: redactText is a pure function of its text (its rules hold no state between calls; every global
 * expression's lastIndex is reset before use). Bounded: strings of at most MEMO_MAX_CHARS, and the memo is
 * emptied when it reaches MEMO_MAX_ENTRIES.
 *
 * @example const memo = new Map<string, string>(); for (const r of records) texts.push(withRedactionMemo(memo, () => render(r)))
 */
export function withRedactionMemo<T>(cache: Map<string, string>, run: () => T): T {
  const previous = memo
  memo = cache
  try {
    return run()
  } finally {
    memo = previous
  }
}

let memo: Map<string, string> | undefined
const MEMO_MAX_CHARS = 512
const MEMO_MAX_ENTRIES = 100_000

function redactUncached(text: string): string {
  let lower: string | undefined
  let out = text
  for (const rule of redactionRules()) {
    if (rule.keywords.length > 0) {
      lower ??= text.toLowerCase()
      if (!rule.keywords.some((keyword) => lower!.includes(keyword))) continue
    }
    if (rule.apply) {
      out = rule.apply(out)
      continue
    }
    rule.regex.lastIndex = 0
    out = out.replace(rule.regex, (...args: unknown[]) => {
      const last = args[args.length - 1]
      const hasGroups = typeof last === 'object' && last !== null
      const groups = (hasGroups ? last : {}) as Groups
      const offset = args[args.length - (hasGroups ? 3 : 2)] as number
      const whole = args[args.length - (hasGroups ? 2 : 1)] as string
      const match = args[0] as string
      if (!rule.replace) return marker(rule.kind)
      return rule.replace(match, groups, offset, whole) ?? match
    })
  }
  return out
}

/**
 * Fields that name or date things (ids, agent and project names, statuses, times): never redacted, so a name
 * that happens to look like a token ("ghp_" and 36 letters is a valid agent name) stays a readable record. A
 * result may hold a whole record under such a name (`{trajectory, decision}`, `{ledger, handoff}`): an object
 * there is redacted as any other.
 */
const STRUCTURAL_KEYS = /* @__PURE__ */ new Set([
  'id',
  'agent',
  'from',
  'project',
  'thread',
  'trajectory',
  'handoff',
  'status',
  'kind',
  'started',
  'updated',
  'ended',
  'created',
  'at',
])

/**
 * Redacts every string inside a plain value (records, lists, nested objects), but its structural fields. A key
 * block whose lines became items of a list (a parser split it before redaction saw it) is removed whole: the item
 * where it starts keeps what comes before it and the marker, the items of its body go. An AWS key id and its
 * secret split into two items of a list go too.
 */
export function redact<T>(value: T): T {
  if (typeof value === 'string') return redactText(value) as T
  if (Array.isArray(value)) return redactList(value) as T
  if (isPlainObject(value)) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, STRUCTURAL_KEYS.has(key) && !isPlainObject(item) ? item : redact(item)])) as T
  }
  return value // numbers, booleans, null, and objects that are not plain data (a Map, a Date) are left as they are
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false
  const prototype = Object.getPrototypeOf(value) as unknown
  return prototype === Object.prototype || prototype === null
}

let keyBlock: RegExp | undefined

function redactList(items: readonly unknown[]): unknown[] {
  const strings = items.filter((item): item is string => typeof item === 'string')
  if (strings.length >= 2 && strings.some(hasAwsKeyId)) {
    return redactKeyBlocks(items.map((item) => (typeof item === 'string' ? redactAwsSecretCandidates(item) : item)))
  }
  return redactKeyBlocks(items)
}

function redactKeyBlocks(items: readonly unknown[]): unknown[] {
  const strings = items.filter((item): item is string => typeof item === 'string')
  if (strings.length < 2 || !strings.some((item) => item.includes('-----BEGIN'))) return items.map((item) => redact(item))
  // The string items as the lines of one text; a key block in it covers a range of items.
  const starts: number[] = []
  let length = 0
  for (const item of strings) {
    starts.push(length)
    length += item.length + 1
  }
  const joined = strings.join('\n')
  const kept = strings.map((item) => ({text: item, dropped: false}))
  keyBlock ??= new RegExp(PRIVATE_KEY_SOURCE, 'g')
  for (const match of joined.matchAll(keyBlock)) {
    const from = match.index
    const to = from + match[0].length
    strings.forEach((item, index) => {
      const start = starts[index]!
      const end = start + item.length
      if (end < from || start >= to) return
      const head = from > start ? item.slice(0, from - start) : ''
      const tail = to < end ? item.slice(to - start) : ''
      if (from >= start) kept[index] = {text: `${head}${marker('private-key')}${tail}`, dropped: false}
      else kept[index] = {text: tail, dropped: tail.trim() === ''}
    })
  }
  let at = 0
  return items.flatMap((item) => {
    if (typeof item !== 'string') return [redact(item)]
    const {text, dropped} = kept[at++]!
    return dropped ? [] : [redactText(text)]
  })
}

/**
 * A parsed [[SUMMARY]] or [[SESSION_END]] block, redacted twice: its text as it arrived, and its fields as values
 * (a credential a JSON escape hid from the text pass, `\u0067hp_...`, is plain after parsing). When the fields catch
 * something the text missed, the raw text is written again from the redacted fields. `flatten` turns the parsed
 * value into the record's flat fields first (nested values as JSON text): an agent's JSON may nest 100,000 levels
 * deep, and no walk here may recurse into it.
 */
export function redactBlock<T extends Record<string, unknown>>(
  raw: string,
  data: Record<string, unknown> | null,
  flatten: (value: Record<string, unknown>) => T,
): {raw: string; data: T | null} {
  const safe = redactText(raw)
  if (data === null) return {raw: safe, data: null}
  let reread: unknown = null
  try {
    reread = JSON.parse(safe)
  } catch {
    // not JSON any more (or it never was): the fields one by one
  }
  if (reread === null || typeof reread !== 'object' || Array.isArray(reread)) return {raw: safe, data: redact(flatten(data))}
  const flat = flatten(reread as Record<string, unknown>)
  const fields = redact(flat)
  return {raw: JSON.stringify(fields) === JSON.stringify(flat) ? safe : JSON.stringify(fields, null, 2), data: fields}
}

/** User text for a commit subject: redacted first (escaping would hide a token from the patterns), one line, quoted. */
export function subjectText(text: string, maxChars = 80): string {
  return JSON.stringify(clip(redactText(text).replace(/\s+/g, ' ').trim(), maxChars))
}

/**
 * A text with the user name and password taken out of every URL in it ("https://user:ghp_...@host/repo" →
 * "https://host/repo"): for names made from a remote (a tracking ref) and for messages that show one. A token is
 * often given as the user name alone, so the whole user part goes.
 *
 * @example withoutCredentials('https://x-access-token:abc@github.com/o/r.git') // 'https://github.com/o/r.git'
 */
export function withoutCredentials(text: string): string {
  return text.replace(/(?<![A-Za-z0-9+.-])([A-Za-z][A-Za-z0-9+.-]{1,30}:\/\/)[^\s/?#'"<>]*@/g, '$1')
}
