import {readdirSync, readFileSync, statSync} from 'node:fs'
import {join} from 'node:path'
import {isNothingThere} from '../files.js'
import {oidLength, type ObjectFormat, type Oid} from './objects.js'

// The refs under a prefix, read from git's own files as `git for-each-ref` reads them in the files backend: the
// loose refs (one file each under <common dir>/refs/...), which win over the lines of packed-refs. No process:
// a command that only wants to know which of a few refs exist (the stores `trail why` and the edit hook read)
// starts none for it. Anything this does not read the way git does (a reftable repository, a symbolic ref, a
// file that holds no object id) answers null, and the caller asks git.

/**
 * The refs whose names start with `prefix` ("refs/trail/"), sorted by name, or null when git must be asked.
 *
 * @example readRefFiles('/repo/.git', 'refs/trail/', 'sha1')   // [{name: 'refs/trail/records', oid: '...'}]
 */
export function readRefFiles(commonDir: string, prefix: string, format: ObjectFormat): {name: string; oid: Oid}[] | null {
  if (!prefix.startsWith('refs/') || !prefix.endsWith('/') || isPresent(join(commonDir, 'reftable'))) return null
  const oid = new RegExp(`^[0-9a-f]{${oidLength(format)}}$`)
  const packed = readPackedRefs(commonDir, format)
  if (packed === null) return null
  const refs = new Map([...packed].filter(([name]) => name.startsWith(prefix)))
  const walk = (dir: string): boolean => {
    let names: string[]
    try {
      names = readdirSync(join(commonDir, dir))
    } catch (error) {
      return isNothingThere(error)
    }
    for (const name of names) {
      // A ref being written: git renames the lock file into place, so the ref is the one already there (or none).
      if (name.endsWith('.lock')) continue
      const path = `${dir}${name}`
      let text: string
      try {
        if (statSync(join(commonDir, path)).isDirectory()) {
          if (!walk(`${path}/`)) return false
          continue
        }
        text = readFileSync(join(commonDir, path), 'utf8').trim()
      } catch (error) {
        // Deleted between the listing and the read: gone, as git would see it a moment later.
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue
        return false
      }
      if (!oid.test(text)) return false
      refs.set(path, text)
    }
    return true
  }
  if (!walk(prefix)) return null
  return [...refs].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([name, value]) => ({name, oid: value}))
}

function isPresent(path: string): boolean {
  try {
    statSync(path)
    return true
  } catch {
    return false
  }
}

/**
 * The refs of packed-refs, by name (none when there is no such file), or null when it cannot be read as git reads
 * it (unreadable, or a line that holds no object id): the caller then asks git.
 */
export function readPackedRefs(commonDir: string, format: ObjectFormat): Map<string, Oid> | null {
  const oid = new RegExp(`^[0-9a-f]{${oidLength(format)}}$`)
  const refs = new Map<string, Oid>()
  let packed = ''
  try {
    packed = readFileSync(join(commonDir, 'packed-refs'), 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') return null
  }
  for (const line of packed.split('\n')) {
    if (line === '' || line.startsWith('#') || line.startsWith('^')) continue
    const space = line.indexOf(' ')
    if (space < 0 || !oid.test(line.slice(0, space))) return null
    refs.set(line.slice(space + 1), line.slice(0, space))
  }
  return refs
}

/** A ref name under refs/trail/ that no part of could lead elsewhere or be a lock (git check-ref-format). */
const TRAIL_REF = /^refs\/trail(\/(?!\.)(?![\w.-]*\.lock(\/|$))(?![\w.-]*\.\.)[\w.-]+)+$/

/**
 * A ref under refs/trail/ as git's files hold it now, read at each call (its loose file, else its line in
 * packed-refs, a symbolic ref followed): its id; 'absent' when git has no such ref; null when git must be asked (a
 * name this does not read, reftable, a file that holds no id).
 *
 * What a long-running git process (the `git cat-file --batch` of relay mcp) says of a packed ref can be old: git
 * keeps packed-refs as it read it for as long as the file's stat data looks the same, and compares its ctime to the
 * second only (not at all with core.trustctime=false), so a tool that rewrites the file in place, at the same size
 * and with its mtime put back, goes unseen. Read here, a ref is always what the files say.
 *
 * @example readTrailRef('/repo/.git', 'refs/trail/records', 'sha1')   // '3f2a...' (or 'absent', or null)
 */
export function readTrailRef(commonDir: string, name: string, format: ObjectFormat): Oid | 'absent' | null {
  if (!TRAIL_REF.test(name)) return null
  const found = readRefFile(commonDir, name, format)
  return found === null || found === 'absent' ? found : found.oid
}

/** One ref as git's files hold it: its id, and the ref it points to when it is symbolic (origin/HEAD). */
export interface RefFile {
  oid: Oid
  /** The ref a symbolic ref ends at ("refs/remotes/origin/main"), else null. */
  symref: string | null
}

/**
 * One ref read from git's files, a symbolic one followed as git follows it (up to five levels): its id and target;
 * 'absent' when git has no such ref; null when git must be asked (reftable, content that is no id or "ref: ...", a
 * file that cannot be read). `packed` is packed-refs when the caller read it already.
 *
 * @example readRefFile('/repo/.git', 'refs/remotes/origin/HEAD', 'sha1')   // {oid: '...', symref: 'refs/remotes/origin/main'}
 */
export function readRefFile(commonDir: string, name: string, format: ObjectFormat, packed?: Map<string, Oid>): RefFile | 'absent' | null {
  if (!/^refs\/[\w./-]+$/.test(name) || name.includes('..') || isPresent(join(commonDir, 'reftable'))) return null
  const oid = new RegExp(`^[0-9a-f]{${oidLength(format)}}$`)
  let current = name
  let symref: string | null = null
  for (let depth = 0; depth < 6; depth++) {
    let text: string | null = null
    try {
      text = readFileSync(join(commonDir, current), 'utf8').trim()
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code
      if (code !== 'ENOENT' && code !== 'ENOTDIR' && code !== 'EISDIR') return null
    }
    if (text === null) {
      const lines = packed ?? readPackedRefs(commonDir, format)
      if (lines === null) return null
      const found = lines.get(current)
      return found === undefined ? 'absent' : {oid: found, symref}
    }
    if (oid.test(text)) return {oid: text, symref}
    const target = /^ref: (refs\/[\w./-]+)$/.exec(text)?.[1]
    if (target === undefined || target.includes('..')) return null
    symref = target // git names the last ref of a chain
    current = target
  }
  return null // a loop of symbolic refs: git says what it makes of it
}
