import {compact, FieldReader, renderYamlRecord, type Extensible} from './record.js'

// `.trail/format.yaml`: the file that marks a store and its format. The first commit of every store has it, and
// every read checks it (./kinds.ts, store/snapshot.ts): a store written in a newer format is refused, never misread.

/** The store format this version writes and reads. Bump only with a migration. */
export const FORMAT_VERSION = 1

/**
 * The first relay-trail version that reads each format. A version that bumps FORMAT_VERSION adds its line here and
 * writes that version into the store's format.yaml as `minVersion`, so an older version refusing the store can name
 * the version to install (`npm install -g relay-trail@<minVersion>`).
 */
export const FORMAT_FIRST_READ_BY: Readonly<Record<number, string>> = {1: '0.1.0'}

export interface StoreFormat extends Extensible {
  format: number
  /** The oldest relay-trail version that reads this format (absent in format 1: every version does). */
  minVersion?: string
}

export function renderFormat(value: StoreFormat): string {
  return renderYamlRecord(value, (v) => compact({format: v.format, minVersion: v.minVersion}))
}

/** A version as npm names one (1.2.3, 1.2.3-beta.1): only such a value from a store is shown or put in a command. */
const VERSION = /^\d{1,9}\.\d{1,9}\.\d{1,9}(?:-[0-9A-Za-z.-]{1,40})?$/

/**
 * The version to install to read a store of `format`: the one its format.yaml names, when it is a version;
 * otherwise `latest`.
 */
export function versionToRead(value: StoreFormat): string {
  const named = value.minVersion ?? FORMAT_FIRST_READ_BY[value.format]
  return named !== undefined && VERSION.test(named) ? named : 'latest'
}

export function parseFormat(text: string, path: string): StoreFormat {
  const r = FieldReader.fromYaml(text, path)
  const format = Number(r.string('format'))
  const raw = r.value('minVersion')
  // Read whatever its shape: a store this version cannot read must still get its clear refusal (versionToRead).
  const minVersion = typeof raw === 'string' ? raw : undefined
  return compact({format: Number.isInteger(format) && format > 0 ? format : Number.NaN, minVersion, extra: r.rest()})
}
