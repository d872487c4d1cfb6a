import {spawn} from 'node:child_process'
import {closeSync, mkdirSync, openSync, readFileSync, renameSync, unlinkSync, writeSync} from 'node:fs'
import {join} from 'node:path'
import {type Env, gitEnv, gitExecutable, trace} from './process.js'

// Rolling the small packs every write leaves into one, off the write's path and at a cost that does not grow with
// the store. `git repack --geometric=2` walks every tree of the newest commit to order its objects (430 ms at
// 100,000 records, 1.5 s on a loaded machine), so it is not used: the objects of the small packs are read from
// their index files here (a few KB each) and fed to `git pack-objects`, which packs exactly those.
//
// In two steps, so no write ever waits for git's work:
// 1. start (a write with more than SMALL_PACK_LIMIT small packs): the state file <common dir>/trail/pack-rollup is
//    created exclusively (one roll-up at a time) with the names of the input packs; `git pack-objects` is started
//    detached, unref'd, its stdin a file of object names and its stdout the state file, where it appends the new
//    pack's name when the pack and its index are in place. The write returns without waiting.
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

/**
 * The object names in a version 2 pack index (hex), or null when the file is missing or not one.
 *
 * @example readPackIndex('.git/objects/pack/pack-1a2b….idx', 20)   // ['3f0c…', …]
 */
export function readPackIndex(path: string, hashBytes: number): string[] | null {
  let bytes: Buffer
  try {
    bytes = readFileSync(path)
  } catch {
    return null
  }
  if (bytes.length < 8 + 1024 || bytes.readUInt32BE(0) !== 0xff744f63 || bytes.readUInt32BE(4) !== 2) return null
  const count = bytes.readUInt32BE(8 + 255 * 4)
  const start = 8 + 1024
  if (bytes.length < start + count * (hashBytes + 8) + 2 * hashBytes) return null
  const names: string[] = []
  for (let i = 0; i < count; i++) names.push(bytes.toString('hex', start + i * hashBytes, start + (i + 1) * hashBytes))
  return names
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
    const made = readPackIndex(join(dir, `pack-${current.result}.idx`), place.hashBytes)
    if (made === null) return 'failed'
    const inNewPack = new Set(made)
    for (const input of current.inputs) {
      if (input === `pack-${current.result}.pack`) continue
      const names = readPackIndex(join(dir, input.replace(/\.pack$/, '.idx')), place.hashBytes)
      // Gone already (another roll-up took it), or an object the new pack lacks: keep the pack.
      if (names === null || !names.every((name) => inNewPack.has(name))) continue
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
 * Starts rolling `packs` (names of small packs in objects/pack) into one with a detached `git pack-objects`, unless
 * a roll-up is under way. Returns whether it started one. Never waits for git.
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
