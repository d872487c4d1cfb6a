import {RecordFormatError} from '../errors.js'
import {FrontMatterError, parseDocument, parseYaml, renderDocument, type Fields, type Value} from './front-matter.js'
import {redact} from './redact.js'

// What every record type shares: rendering through redaction, and typed reading of front matter fields with
// errors that name the record's path.

/**
 * Renders a record as Markdown with front matter. The record is redacted first, so the front matter and the
 * body (built from the same redacted value) can never leak a credential. `parse(render(x))` equals `redact(x)`.
 */
export function renderRecord<T>(record: T, fieldsOf: (record: T) => Fields, bodyOf: (record: T) => string): string {
  const safe = redact(record)
  return renderDocument(fieldsOf(safe), bodyOf(safe))
}

/** Typed access to a record's front matter; every failure is a RecordFormatError naming the path. */
export class FieldReader {
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
    return this.fields[key] !== undefined && this.fields[key] !== null
  }

  string(key: string): string {
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
    const value = this.fields[key]
    if (value === undefined || value === null) return []
    if (typeof value === 'string') return [value]
    if (!Array.isArray(value)) throw new RecordFormatError(this.path, `field '${key}' is not a list`)
    return value.map((item) => (typeof item === 'string' ? item : JSON.stringify(item)))
  }

  value(key: string): Value | undefined {
    return this.fields[key]
  }
}

/** Drops undefined properties, so a parsed record deep-equals the one that was rendered. */
export function compact<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, item]) => item !== undefined)) as T
}

/** A line of text for a Markdown heading or list item: line breaks become spaces. */
export function oneLine(text: string): string {
  return text.replace(/\s*[\r\n]+\s*/g, ' ').trim()
}
