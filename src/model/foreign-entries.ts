import {kindOfPath, RECORD_KINDS} from './kinds.js'
import {MIRRORED_DIRS} from './layout.js'
import {quoteInput} from './text.js'

// What another store may bring into ours, and what we read from it. A remote's commits (trail sync) and a
// sibling's store (relay sync) are written by someone else: a broken clone, a newer version, or an attacker. Every
// entry they bring is checked here before it enters our ref, our work-tree mirror or our memory:
// - only regular files (100644, 100755): no symbolic link (the mirror would write through it), no submodule, no
//   tree where a record file belongs;
// - only under .trail/ and .relay/, at a path of a kind of record this version knows (./kinds.ts), with the keys in
//   its path valid (agent names, ids, day folders);
// - forward compatibility: a newer version may add kinds of records. A file in a folder no kind of ours owns (say
//   .trail/notes/x.md) is kept and passed on, when every name on its path is plain: letters, digits, ".", "_", "-",
//   never starting with "." or ending with "." (so no "..", ".git", control character, backslash or colon), at most
//   MAX_DEPTH folders deep, ending in .md, .yaml or .json. Inside a folder a kind owns (.relay/messages/...), only
//   that kind's paths: our readers list those folders and expect their records there. A newer version files its
//   new kinds in new folders;
// - at most a record size limit (recordByteLimit): a record is never read whole before its size is known.

/** Folders an unknown record may be nested in below .trail/ or .relay/. */
const MAX_DEPTH = 8
/** A path longer than this is not a record's, known or unknown. */
const MAX_PATH_CHARS = 300

/**
 * The default limit on one record from another store: 16 MiB. Above anything this version writes (a message's body
 * is at most 1 Mi characters, written twice, so about 4 MiB at most even in 4-byte characters), and far below what
 * Node cannot hold in one string (512 MiB: a 600 MB record used to fail every inbox with an internal error).
 */
export const DEFAULT_RECORD_BYTES = 16 * 1024 * 1024

/** The variable that sets the limit (bytes), for tests and for stores that need more. */
export const RECORD_BYTES_VARIABLE = 'RELAY_TRAIL_MAX_RECORD_BYTES'

/**
 * The limit on one record read from another store (a sibling's, a remote's): $RELAY_TRAIL_MAX_RECORD_BYTES when it
 * is a positive whole number, else DEFAULT_RECORD_BYTES.
 */
export function recordByteLimit(env: Readonly<Record<string, string | undefined>>): number {
  const raw = env[RECORD_BYTES_VARIABLE]?.trim()
  return raw && /^\d+$/.test(raw) && Number(raw) > 0 ? Number(raw) : DEFAULT_RECORD_BYTES
}

/** Everything read from other stores in one go is bounded too: this many records at the limit. */
export const RECORDS_PER_READ_AT_LIMIT = 16

/** "600.0 MiB", "2.0 KiB", "17 bytes". */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`
  const units = ['KiB', 'MiB', 'GiB', 'TiB']
  let value = bytes / 1024
  let unit = 0
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024
    unit++
  }
  return `${value.toFixed(1)} ${units[unit]}`
}

/** The folders kinds own (`.relay/messages/`), and the fixed paths of single records (`.trail/format.yaml`). */
const OWNED_FOLDERS = RECORD_KINDS.filter((kind) => kind.path.includes('{')).map((kind) =>
  kind.path.slice(0, kind.path.lastIndexOf('/', kind.path.indexOf('{')) + 1),
)
const FIXED_PATHS = RECORD_KINDS.filter((kind) => !kind.path.includes('{')).map((kind) => kind.path)

/** A name a file system and git treat as plain: no "." or ".." or ".git", nothing hidden, no control byte. */
const PLAIN_NAME = /^[A-Za-z0-9](?:[A-Za-z0-9._-]{0,98}[A-Za-z0-9_-])?$/

const MODES: Record<string, string> = {
  '120000': 'a symbolic link',
  '160000': 'a submodule (a commit of another repository)',
  '040000': 'a folder',
}

/**
 * Why an entry of another store's tree does not fit ours, or null when it does (see the top of this file).
 *
 * @example entryProblem('.relay/messages/../../x', '100644')   // 'a name that is not plain ("..", ".git", ...)'
 * @example entryProblem('.relay/ledger/alice.md', '120000')   // 'a symbolic link where a record file belongs'
 */
export function entryProblem(path: string, mode: string): string | null {
  if (mode !== '100644' && mode !== '100755') return `${MODES[mode] ?? `an entry of mode ${quoteInput(mode, 10)}`} where a record file belongs`
  // A known kind's path is checked by its own pattern (names by ./names.ts, ids, day folders): plain by construction.
  if (kindOfPath(path)) return null
  const names = path.split('/')
  if (!MIRRORED_DIRS.some((dir) => names[0] === dir) || names.length < 2) return 'outside .trail/ and .relay/'
  const odd = names.slice(1).find((name) => !PLAIN_NAME.test(name))
  if (odd !== undefined)
    return `a name that is not plain: '${quoteInput(odd, 40)}' (only letters, digits, ".", "_" and "-"; no "..", ".git" or control characters)`
  if (path.length > MAX_PATH_CHARS) return `a path longer than ${MAX_PATH_CHARS} characters`
  const fixed = FIXED_PATHS.find((fixedPath) => path.startsWith(`${fixedPath}/`))
  if (fixed !== undefined) return `a folder where the record ${fixed} belongs`
  const folder = OWNED_FOLDERS.find((owned) => path.startsWith(owned))
  if (folder !== undefined) return `in ${folder}, but not at the path of a record that folder holds`
  if (names.length - 2 > MAX_DEPTH) return `more than ${MAX_DEPTH} folders deep`
  if (!/\.(md|yaml|json)$/.test(path)) return 'not a .md, .yaml or .json file'
  return null
}

/** An entry of another store that was left out, and why: what warnings and `trail sync --json` report. */
export interface LeftOutEntry {
  path: string
  reason: string
}

/**
 * The entries left out, for a warning: at most `max` of them, each path escaped (a name may hold control bytes),
 * with how many more there are.
 *
 * @example describeLeftOut([{path: '.git/hooks/x', reason: 'outside .trail/ and .relay/'}])   // ".git/hooks/x (outside ...)"
 */
export function describeLeftOut(entries: readonly LeftOutEntry[], max = 5): string {
  const shown = entries.slice(0, max).map((entry) => `${quoteInput(entry.path, 120)} (${entry.reason})`)
  return `${shown.join('; ')}${entries.length > max ? `; and ${entries.length - max} more` : ''}`
}
