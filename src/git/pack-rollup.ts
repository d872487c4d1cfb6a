import {spawn} from 'node:child_process'
import {closeSync, mkdirSync, openSync, readFileSync, readSync, renameSync, unlinkSync, writeSync} from 'node:fs'
import {join} from 'node:path'
import {type Env, gitEnv, gitExecutable, trace} from './process.js'

// Rolling the small packs every write leaves into fewer, off the write's path and at a cost that does not grow with
// the store. `git repack --geometric=2` walks every tree of the newest commit to order its objects (430 ms at
// 100,000 records, 1.5 s on a loaded machine), and so does `git pack-objects --stdin-packs` (0.7-0.9 s there: it
// walks the trees from the packs' commits to order their objects), so neither is used: the objects of the small
// packs are read from their index files here (a few KB each) and fed to `git pack-objects`, which packs exactly
// those.
//
// Which packs: a geometric progression, as git's own `repack --geometric=2` keeps, by object count. The packs are
// taken smallest first while the next one holds fewer than twice the objects taken so far; it and every larger one
// stay. So the pack a roll-up made is rolled up again only once as many objects have come after it: an object is
// packed again a logarithmic number of times, not once every SMALL_PACK_LIMIT writes until its pack reaches 1 MB.
// (Rolling every small pack each time packed the pack of every earlier roll-up again, and read its index into
// strings twice, until it reached 1 MB: at 100,000 records, a pack of 9,630 objects, 43 ms of `git pack-objects`.)
//
// In two steps, so no write ever waits for git's work:
// 1. start (a write that finds more than SMALL_PACK_LIMIT packs to roll up): the state file
//    <common dir>/trail/pack-rollup is created exclusively (one roll-up at a time) with the names of the input
//    packs; `git pack-objects` is started detached, unref'd, its stdin a file of their objects' names and its
//    stdout the state file, where it appends the new pack's name when the pack and its index are in place. The
//    write returns without waiting.
// 2. finish (a later write): once the new pack's index is there and holds every object of every input pack, the
//    input packs are deleted, index first, as git's own repack does. A roll-up that failed or was killed leaves no
//    name: after ROLLUP_STALE_MS its state file is removed and the packs are rolled up next time. Nothing is deleted
//    before its objects are known to be in another pack, so a crash at any point loses nothing: at worst some
//    objects are in two packs for a while.

/** How long a roll-up may run before its state file is taken for one that died (`git pack-objects` of a few small packs takes milliseconds). */
const ROLLUP_STALE_MS = 5 * 60_000
const HEADER = 'relay-trail pack roll-up'
const PACK_NAME = /^pack-(?:[0-9a-f]{40}|[0-9a-f]{64})\.pack$/
const PACK_HASH = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/

export interface RollupPlace {
  /** The repository's common directory (objects/, trail/). */
  commonDir: string
  /** Where git is run (a folder inside the repository). */
  cwd: string
  env: Env
  /** Bytes of an object name: 20 (sha1) or 32 (sha256). */
  hashBytes: number
}

/** What `finishRollup` found: no roll-up, one still running, one finished (inputs deleted), or one that failed. */
export type RollupState = 'none' | 'running' | 'finished' | 'failed'

function statePath(place: RollupPlace): string {
  return join(place.commonDir, 'trail', 'pack-rollup')
}

function packDir(place: RollupPlace): string {
  return join(place.commonDir, 'objects', 'pack')
}

const INDEX_HEADER = 8 + 256 * 4

/** The object count a version 2 pack index's header gives (its last fan-out entry), or null when it is not one. */
function headerCount(bytes: Buffer): number | null {
  if (bytes.length < INDEX_HEADER || bytes.readUInt32BE(0) !== 0xff744f63 || bytes.readUInt32BE(4) !== 2) return null
  return bytes.readUInt32BE(8 + 255 * 4)
}

/** A version 2 pack index's sorted table of object names (raw bytes) and their count, or null when it is not one. */
interface IndexTable {
  names: Buffer
  count: number
}

function readIndexTable(path: string, hashBytes: number): IndexTable | null {
  let bytes: Buffer
  try {
    bytes = readFileSync(path)
  } catch {
    return null
  }
  const count = headerCount(bytes)
  if (count === null || bytes.length < INDEX_HEADER + count * (hashBytes + 8) + 2 * hashBytes) return null
  return {names: bytes.subarray(INDEX_HEADER, INDEX_HEADER + count * hashBytes), count}
}

/**
 * The object names in a version 2 pack index (hex), or null when the file is missing or not one.
 *
 * @example readPackIndex('.git/objects/pack/pack-1a2b….idx', 20)   // ['3f0c…', …]
 */
export function readPackIndex(path: string, hashBytes: number): string[] | null {
  const table = readIndexTable(path, hashBytes)
  if (table === null) return null
  const names: string[] = []
  for (let i = 0; i < table.count; i++) names.push(table.names.toString('hex', i * hashBytes, (i + 1) * hashBytes))
  return names
}

/**
 * How many objects a pack holds, from its index's header alone (one read of 1 KB), or null when the index is
 * missing or not one.
 */
export function packObjectCount(indexPath: string): number | null {
  let fd: number
  try {
    fd = openSync(indexPath, 'r')
  } catch {
    return null
  }
  try {
    const header = Buffer.alloc(INDEX_HEADER)
    return readSync(fd, header, 0, INDEX_HEADER, 0) === INDEX_HEADER ? headerCount(header) : null
  } catch {
    return null
  } finally {
    closeSync(fd)
  }
}

/** Whether every name of `part` is in `whole` (both sorted tables of the same hash size): one merge walk, no strings. */
function holdsAll(whole: IndexTable, part: IndexTable, hashBytes: number): boolean {
  let at = 0
  for (let i = 0; i < part.count; i++) {
    const start = i * hashBytes
    let order = 1
    while (at < whole.count) {
      order = whole.names.compare(part.names, start, start + hashBytes, at * hashBytes, (at + 1) * hashBytes)
      if (order >= 0) break
      at++
    }
    if (order !== 0) return false
  }
  return true
}

/** A pack that may be rolled up: its file name in objects/pack and the objects its index counts. */
export interface SmallPack {
  name: string
  objects: number
}

/**
 * The packs to roll up into one (see above: smallest first, while the next holds fewer than twice the objects taken
 * so far), or [] while there are no more than `limit` of them.
 *
 * @example packsToRollUp([{name: 'pack-a.pack', objects: 9}, ...16 more of 9, {name: 'pack-r.pack', objects: 400}], 16)
 *          // the 17 small ones; the one of 400 objects stays
 */
export function packsToRollUp(packs: readonly SmallPack[], limit: number): string[] {
  const ascending = [...packs].sort((a, b) => a.objects - b.objects || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
  const taken: string[] = []
  let objects = 0
  for (const pack of ascending) {
    if (taken.length > 0 && pack.objects >= 2 * objects) break
    taken.push(pack.name)
    objects += pack.objects
  }
  return taken.length > limit ? taken : []
}

/** Removes a pack: its index first (a reader never finds an index without its pack), then the rest. */
function deletePack(dir: string, packName: string): void {
  const base = packName.replace(/\.pack$/, '')
  for (const extension of ['.idx', '.pack', '.rev', '.bitmap', '.mtimes', '.promisor']) {
    try {
      unlinkSync(join(dir, `${base}${extension}`))
    } catch {
      // not there
    }
  }
}

interface ParsedState {
  startedMs: number
  inputs: string[]
  result: string | null
}

function parseState(text: string): ParsedState | null {
  const lines = text.split('\n').filter(Boolean)
  if (lines[0] !== HEADER) return null
  const startedMs = Number(lines[1]?.replace(/^started /, ''))
  const inputs = lines.filter((line) => line.startsWith('input ')).map((line) => line.slice('input '.length))
  if (!Number.isFinite(startedMs) || inputs.length === 0 || !inputs.every((name) => PACK_NAME.test(name))) return null
  return {startedMs, inputs, result: lines.find((line) => PACK_HASH.test(line)) ?? null}
}

/**
 * Finishes a roll-up a previous write started, if there is one: deletes its input packs once the pack it made holds
 * their objects. Costs a read of the small state file when there is nothing to do.
 */
export function finishRollup(place: RollupPlace, now = Date.now()): RollupState {
  const path = statePath(place)
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch {
    return 'none'
  }
  const state = parseState(text)
  if (state !== null && state.result === null && now - state.startedMs < ROLLUP_STALE_MS && now >= state.startedMs) return 'running'
  // Claimed by a rename: of two writers finishing at once, one does it.
  const claimed = `${path}.${process.pid}`
  try {
    renameSync(path, claimed)
  } catch {
    return 'running'
  }
  try {
    const current = parseState(readFileSync(claimed, 'utf8'))
    if (current === null || current.result === null) return 'failed'
    const dir = packDir(place)
    const made = readIndexTable(join(dir, `pack-${current.result}.idx`), place.hashBytes)
    if (made === null) return 'failed'
    for (const input of current.inputs) {
      if (input === `pack-${current.result}.pack`) continue
      const table = readIndexTable(join(dir, input.replace(/\.pack$/, '.idx')), place.hashBytes)
      // Gone already (another roll-up took it), or an object the new pack lacks: keep the pack.
      if (table === null || !holdsAll(made, table, place.hashBytes)) continue
      deletePack(dir, input)
    }
    return 'finished'
  } finally {
    try {
      unlinkSync(claimed)
    } catch {
      // gone
    }
  }
}

/**
 * Starts rolling `packs` (names of packs in objects/pack, from packsToRollUp) into one with a detached `git
 * pack-objects` fed their objects' names, unless a roll-up is under way. Returns whether it started one. Never
 * waits for git.
 */
export function startRollup(place: RollupPlace, packs: readonly string[], now = Date.now()): boolean {
  const dir = packDir(place)
  const inputs: string[] = []
  const objects = new Set<string>()
  for (const pack of packs) {
    if (!PACK_NAME.test(pack)) continue
    const names = readPackIndex(join(dir, pack.replace(/\.pack$/, '.idx')), place.hashBytes)
    if (names === null) continue
    inputs.push(pack)
    for (const name of names) objects.add(name)
  }
  if (inputs.length < 2) return false
  const path = statePath(place)
  mkdirSync(join(place.commonDir, 'trail'), {recursive: true})
  let state: number
  try {
    // Exclusive: one roll-up at a time; never through a file (or a symbolic link) someone else put there.
    state = openSync(path, 'ax', 0o644)
  } catch {
    return false
  }
  const list = `${path}.objects.${process.pid}`
  let objectList: number | undefined
  try {
    writeSync(state, `${HEADER}\nstarted ${now}\n${inputs.map((pack) => `input ${pack}\n`).join('')}`)
    try {
      unlinkSync(list)
    } catch {
      // not there
    }
    const listWriter = openSync(list, 'wx', 0o600)
    try {
      writeSync(listWriter, `${[...objects].join('\n')}\n`)
    } finally {
      closeSync(listWriter)
    }
    objectList = openSync(list, 'r')
    const args = ['pack-objects', '--quiet', '--delta-base-offset', join(dir, 'pack')]
    // Its own session (setsid), no pipe to this process: it outlives the write, which exits without waiting.
    const env = gitEnv(place.env)
    const child = spawn(gitExecutable(env), args, {argv0: 'git', cwd: place.cwd, env, stdio: [objectList, state, 'ignore'], detached: true})
    child.on('error', () => {}) // no git: the state file names no pack, and is taken for a failed roll-up later
    child.unref()
    trace?.('git', 'pack-objects', `${args.join(' ')} (detached)`)
    return true
  } catch {
    try {
      unlinkSync(path)
    } catch {
      // gone
    }
    return false
  } finally {
    closeSync(state)
    if (objectList !== undefined) closeSync(objectList)
    try {
      unlinkSync(list) // git holds it open: its name is no longer needed
    } catch {
      // gone
    }
  }
}
