import {FrontMatterError} from '../errors.js'
import {onFirstUse} from '../lazy-module.js'

const yaml = onFirstUse<typeof import('yaml')>('yaml')

// Records are Markdown with YAML front matter, written in one canonical form: fixed key order, LF, a trailing
// newline. The form is a small subset of YAML 1.2 that any YAML parser reads the same way:
//
//   key: plain words        strings of letters, digits, spaces and a few safe marks, starting with a letter
//   key: "JSON string"      anything else, with JSON escapes (YAML double-quoted strings are a superset)
//   key: 0.85 / true / null
//   key: []                 an empty list
//   key:                    a list, one item per line
//     - item
//   key: {"k": "v"}         a nested value, as one line of JSON (YAML flow style is a superset of JSON)
//
// Why not the `yaml` package for everything: importing it costs 12 ms bundled and 30 ms as shipped (measured,
// with hyperfine, importing it against not), which is half of the hot commands' whole budget (twice `node -e 0`). The canonical subset is
// parsed here in microseconds; anything outside it (a record a person edited by hand) falls back to `yaml`, loaded
// only then. A test feeds every rendered record to both parsers and requires the same value.

export type Value = string | number | boolean | null | readonly Value[] | {readonly [key: string]: Value}
/** Front matter fields in output order; undefined fields are left out. */
export type Fields = Readonly<Record<string, Value | undefined>>

const KEY = /^[a-z][A-Za-z0-9_]*$/
const PLAIN_ASCII = /^[A-Za-z_](?:[A-Za-z0-9_ .,()/+@'-]*[A-Za-z0-9_.)])?$/
/** Letters of any script may be plain too; this Unicode pattern is compiled only when a non-ASCII string needs it. */
let plainUnicode: RegExp | undefined
const NUMBER = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/
/** Words YAML 1.1 or 1.2 read as booleans or null: always quoted, so every YAML reader sees a string. */
const RESERVED = new Set(['true', 'false', 'null', 'yes', 'no', 'on', 'off', 'y', 'n'])
/**
 * Characters a YAML double-quoted scalar must not hold raw: C0 and C1 controls, DEL, NEL, the Unicode line and
 * paragraph separators (line breaks to YAML 1.1 readers), the BOM, non-characters and lone surrogates. They are
 * written as \uXXXX, which JSON and YAML decode alike.
 */
const NEEDS_ESCAPE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\ufeff\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g

/**
 * Whether a string can be written without quotes and read back as the same string by any YAML reader, 1.1 or
 * 1.2. Times are quoted: YAML 1.1 readers (PyYAML, js-yaml by default) would turn an unquoted one into a date.
 */
function isPlain(text: string): boolean {
  const shaped = /^[\x00-\x7f]*$/.test(text) ? PLAIN_ASCII.test(text) : plainUnicodePattern().test(text)
  return shaped && !RESERVED.has(text.toLowerCase()) && !text.includes('  ')
}

/** The pattern for strings outside ASCII, made on first use: making it (its letter classes) costs a millisecond. */
function plainUnicodePattern(): RegExp {
  plainUnicode ??= /^[\p{L}_](?:[\p{L}\p{N}_ .,()/+@'-]*[\p{L}\p{N}_.)])?$/u
  return plainUnicode
}

/** A string as a YAML double-quoted scalar that is also a JSON string. */
export function quote(text: string): string {
  return JSON.stringify(text).replace(NEEDS_ESCAPE, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`)
}

function renderScalar(value: Value): string {
  if (value === null) return 'null'
  if (typeof value === 'boolean') return String(value)
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError(`cannot store ${value} in a record`)
    // "1e-7" is a string to YAML 1.1, which wants a dot in a float: "1.0e-7" is a float to both versions.
    const text = String(value)
    return text.includes('e') && !text.includes('.') ? text.replace('e', '.0e') : text
  }
  if (typeof value === 'string') return isPlain(value) ? value : quote(value)
  return renderFlow(value)
}

/** One line of JSON, with strings quoted by `quote` so the line is valid YAML too. */
function renderFlow(value: Value): string {
  if (typeof value === 'string') return quote(value)
  if (value === null || typeof value !== 'object') return renderScalar(value)
  if (Array.isArray(value)) return `[${value.map(renderFlow).join(', ')}]`
  const entries = Object.entries(value as Record<string, Value>)
  return `{${entries.map(([key, item]) => `${quote(key)}: ${renderFlow(item)}`).join(', ')}}`
}

/** Renders fields as canonical YAML lines (no document markers). */
export function renderYaml(fields: Fields): string {
  let out = ''
  for (const [key, value] of Object.entries(fields)) {
    if (value === undefined) continue
    if (!KEY.test(key) || RESERVED.has(key.toLowerCase())) throw new TypeError(`invalid record key ${key}`)
    if (Array.isArray(value)) {
      out += value.length === 0 ? `${key}: []\n` : `${key}:\n${value.map((item) => `  - ${renderScalar(item)}\n`).join('')}`
    } else {
      out += `${key}: ${renderScalar(value as Value)}\n`
    }
  }
  return out
}

/**
 * What a NUL in a text is shown as in a record's body (SYMBOL FOR NULL): git takes a blob with a NUL byte for a
 * binary file, which `git grep -I` (relay search) passes over, so one NUL in a reasoning would hide the whole record
 * from search. The front matter keeps the text exactly (as \u0000), and a record is read from its front matter.
 */
const NUL_SYMBOL = '\u2400'

/** Renders a whole record: front matter between "---" lines, then the Markdown body. */
export function renderDocument(fields: Fields, body: string): string {
  const text = `---\n${renderYaml(fields)}---\n${body === '' ? '' : `\n${body.replace(/\0/g, NUL_SYMBOL)}`}`
  return text.endsWith('\n') ? text : `${text}\n`
}

/** Parses YAML written by renderYaml, or any YAML mapping (through the `yaml` package). */
export function parseYaml(text: string): Record<string, Value> {
  return parseCanonical(text) ?? parseWithLibrary(text)
}

/**
 * Splits a record into its front matter fields and its body. Throws FrontMatterError naming the problem when
 * there is no front matter or it is not a YAML mapping.
 */
export function parseDocument(text: string): {fields: Record<string, Value>; body: string} {
  const normalised = text.replace(/\r\n/g, '\n')
  if (!normalised.startsWith('---\n')) throw new FrontMatterError('no front matter (the file must start with "---")')
  const end = normalised.indexOf('\n---\n', 3)
  const close = end >= 0 ? end : normalised.endsWith('\n---') ? normalised.length - 4 : -1
  if (close < 0) throw new FrontMatterError('front matter is not closed by a "---" line')
  const yaml = normalised.slice(4, close + 1)
  const rest = normalised.slice(close + 5)
  return {fields: parseYaml(yaml), body: rest.startsWith('\n') ? rest.slice(1) : rest}
}

/** The fast parser: returns undefined for anything renderYaml would not have written. */
function parseCanonical(text: string): Record<string, Value> | undefined {
  const fields: Record<string, Value> = {}
  const lines = text.split('\n')
  if (lines.at(-1) === '') lines.pop()
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!
    const colon = line.indexOf(':')
    const key = line.slice(0, colon)
    if (colon <= 0 || !KEY.test(key) || key in fields) return undefined
    if (line.length === colon + 1) {
      const items: Value[] = []
      while (lines[i + 1]?.startsWith('  - ')) {
        const item = parseInline(lines[++i]!.slice(4))
        if (item === undefined) return undefined
        items.push(item)
      }
      if (items.length === 0) return undefined
      fields[key] = items
      continue
    }
    if (line[colon + 1] !== ' ') return undefined
    const value = parseInline(line.slice(colon + 2))
    if (value === undefined) return undefined
    fields[key] = value
  }
  return fields
}

function parseInline(text: string): Value | undefined {
  const first = text[0]
  if (first === '"' || first === '[' || first === '{') {
    try {
      return JSON.parse(text) as Value
    } catch {
      return undefined
    }
  }
  if (text === 'null') return null
  if (text === 'true') return true
  if (text === 'false') return false
  if (NUMBER.test(text)) return Number(text)
  return isPlain(text) ? text : undefined
}

function parseWithLibrary(text: string): Record<string, Value> {
  const {parse} = yaml()
  let value: unknown
  try {
    value = parse(text, {schema: 'core', uniqueKeys: true})
  } catch (error) {
    throw new FrontMatterError(`invalid YAML: ${(error as Error).message.split('\n')[0]}`)
  }
  if (value === null || value === undefined) return {}
  if (typeof value !== 'object' || Array.isArray(value)) throw new FrontMatterError('front matter is not a mapping of keys to values')
  return value as Record<string, Value>
}
