import {FrontMatterError, RecordFormatError} from '../errors.js'
import {parseDocument, parseYaml, renderDocument, renderYaml, type Fields, type Value} from './front-matter.js'
import {redact} from './redact.js'

// What every record type shares: rendering through redaction, typed reading of front matter fields with errors
// that name the record's path, and the fields a record does not know, kept.

/**
 * What every record may carry besides its own fields: front matter fields this version does not know (written by
 * a newer version, another tool or a person). They are read into `extra` and written back after the known fields,
 * so a read-modify-write by this version loses nothing.
 */
export interface Extensible {
  extra?: Readonly<Record<string, Value>>
}

/**
 * Renders a record as Markdown with front matter. The record is redacted first, so the front matter and the
 * body (built from the same redacted value) can never leak a credential. `parse(render(x))` equals `redact(x)`.
 */
export function renderRecord<T extends Extensible>(record: T, fieldsOf: (record: T) => Fields, bodyOf: (record: T) => string): string {
  const safe = redact(record)
  return renderDocument(withExtra(fieldsOf(safe), safe.extra), bodyOf(safe))
}

/** Renders a record kept as plain YAML (project.yaml, receipts, markers), redacted like every record. */
export function renderYamlRecord<T extends Extensible>(record: T, fieldsOf: (record: T) => Fields): string {
  const safe = redact(record)
  return renderYaml(withExtra(fieldsOf(safe), safe.extra))
}

/** The known fields, then the unknown ones that do not clash with them (a known field always wins). */
function withExtra(fields: Fields, extra: Extensible['extra']): Fields {
  if (!extra) return fields
  const out: Record<string, Value | undefined> = {...fields}
  for (const [key, value] of Object.entries(extra)) if (!(key in fields)) out[key] = value
  return out
}

/** Typed access to a record's front matter; every failure is a RecordFormatError naming the path. */
export class FieldReader {
  /** The keys a parser asked for; the others are the record's `extra`. */
  private readonly asked = new Set<string>()

  constructor(
    readonly path: string,
    private readonly fields: Record<string, Value>,
  ) {}

  /** Reads a Markdown record's front matter. */
  static fromDocument(text: string, path: string): FieldReader {
    return FieldReader.parsing(path, () => parseDocument(text).fields)
  }

  /** Reads a plain YAML record (format.yaml, project.yaml, markers). */
  static fromYaml(text: string, path: string): FieldReader {
    return FieldReader.parsing(path, () => parseYaml(text))
  }

  private static parsing(path: string, parse: () => Record<string, Value>): FieldReader {
    try {
      return new FieldReader(path, parse())
    } catch (error) {
      if (error instanceof FrontMatterError) throw new RecordFormatError(path, error.message)
      throw error
    }
  }

  has(key: string): boolean {
    this.asked.add(key)
    return this.fields[key] !== undefined && this.fields[key] !== null
  }

  /**
   * The fields no accessor asked for, for the record's `extra` (undefined when there are none). Call it last.
   *
   * @example const r = FieldReader.fromDocument(text, path); const record = {id: r.string('id'), extra: r.rest()}
   */
  rest(): Record<string, Value> | undefined {
    const rest = Object.entries(this.fields).filter(([key]) => !this.asked.has(key))
    return rest.length === 0 ? undefined : Object.fromEntries(rest)
  }

  string(key: string): string {
    this.asked.add(key)
    const value = this.fields[key]
    if (typeof value === 'string') return value
    if (typeof value === 'number' || typeof value === 'boolean') return String(value)
    throw new RecordFormatError(this.path, `field '${key}' is ${value === undefined ? 'missing' : 'not text'}`)
  }

  /** A name field (agent, project, thread), checked by `parse`; a bad one is this record's format error. */
  name<T>(key: string, parse: (raw: string) => T): T {
    const raw = this.string(key)
    try {
      return parse(raw)
    } catch (error) {
      throw new RecordFormatError(this.path, `field '${key}' is not a valid name: ${(error as Error).message}`)
    }
  }

  optionalString(key: string): string | undefined {
    return this.has(key) ? this.string(key) : undefined
  }

  optionalNumber(key: string): number | undefined {
    if (!this.has(key)) return undefined
    const value = this.fields[key]
    if (typeof value !== 'number') throw new RecordFormatError(this.path, `field '${key}' is not a number`)
    return value
  }

  oneOf<T extends string>(key: string, allowed: readonly T[]): T {
    const value = this.string(key)
    if (!allowed.includes(value as T)) {
      throw new RecordFormatError(this.path, `field '${key}' is '${value}', expected one of ${allowed.join(', ')}`)
    }
    return value as T
  }

  /** A list of strings; a missing field is an empty list, a single string a list of one. */
  strings(key: string): string[] {
    this.asked.add(key)
    const value = this.fields[key]
    if (value === undefined || value === null) return []
    if (typeof value === 'string') return [value]
    if (!Array.isArray(value)) throw new RecordFormatError(this.path, `field '${key}' is not a list`)
    return value.map((item) => (typeof item === 'string' ? item : JSON.stringify(item)))
  }

  value(key: string): Value | undefined {
    this.asked.add(key)
    return this.fields[key]
  }
}

/** Drops undefined properties, so a parsed record deep-equals the one that was rendered. */
export function compact<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, item]) => item !== undefined)) as T
}
