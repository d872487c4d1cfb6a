import {RecordFormatError} from '../errors.js'
import {KINDS, type KindName, type RecordOf} from '../model/kinds.js'
import type {Snapshot} from '../store/snapshot.js'

// The one loop that turns record files into records: read many in one round trip, parse each by its kind, and
// leave out what is missing. A record that cannot be read is thrown, or, when the caller can go on without it (a
// list, a sibling's store), skipped and reported through `skip`: `trail doctor` lists every such record.

/** Told about each record left out because it cannot be read. */
export type SkipRecord = (error: RecordFormatError) => void

/**
 * Parses texts (null: missing) as records of `kind`, in order.
 *
 * @example parseRecords('message', texts, paths, (error) => ctx.warn(error.message))
 */
export function parseRecords<K extends KindName>(kind: K, texts: readonly (string | null)[], paths: readonly string[], skip?: SkipRecord): RecordOf<K>[] {
  const parse = KINDS[kind].parse as (text: string, path: string) => RecordOf<K>
  return texts.flatMap((text, index) => {
    if (text === null) return []
    try {
      return [parse(text, paths[index]!)]
    } catch (error) {
      if (skip && error instanceof RecordFormatError) {
        skip(error)
        return []
      }
      throw error
    }
  })
}

/**
 * Reads records of `kind` at `paths` from a snapshot, in one round trip, in order (see parseRecords).
 *
 * @example const trajectories = await readRecords(snapshot, 'trajectory', paths, skip)
 */
export async function readRecords<K extends KindName>(snapshot: Snapshot, kind: K, paths: readonly string[], skip?: SkipRecord): Promise<RecordOf<K>[]> {
  return parseRecords(kind, await snapshot.readTexts(paths), paths, skip)
}
