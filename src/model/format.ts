import {compact, FieldReader, renderYamlRecord, type Extensible} from './record.js'

// `.trail/format.yaml`: the file that marks a store and its format. The first commit of every store has it, and
// every read checks it (./kinds.ts, store/snapshot.ts): a store written in a newer format is refused, never misread.

/** The store format this version writes and reads. Bump only with a migration. */
export const FORMAT_VERSION = 1

export interface StoreFormat extends Extensible {
  format: number
}

export function renderFormat(value: StoreFormat): string {
  return renderYamlRecord(value, (v) => ({format: v.format}))
}

export function parseFormat(text: string, path: string): StoreFormat {
  const r = FieldReader.fromYaml(text, path)
  const format = Number(r.string('format'))
  return compact({format: Number.isInteger(format) && format > 0 ? format : Number.NaN, extra: r.rest()})
}
