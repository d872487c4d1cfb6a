import assert from 'node:assert/strict'
import {mkdirSync, readFileSync, renameSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, it} from 'node:test'
import {RefWatcher, type Tips} from '../../src/mcp/ref-watcher.js'
import {useTempDirs} from '../helpers/repo.js'

// The MCP server's ref watcher, on a git dir's ref files as git writes them (a `<ref>.lock` renamed onto the ref):
// this store's ref, packed-refs, and a sibling's ref in a folder that did not exist when the watch began.

const tempDir = useTempDirs()

const REFS = ['refs/trail/records', 'refs/trail/siblings/web/records', 'refs/trail/siblings/api/records']

function readTipsOf(commonDir: string): () => Promise<Tips> {
  return async () => {
    const tips = new Map<string, string | null>()
    for (const ref of REFS) {
      let tip: string | null = null
      try {
        tip = readFileSync(join(commonDir, ref), 'utf8').trim()
      } catch {
        const packed = (() => {
          try {
            return readFileSync(join(commonDir, 'packed-refs'), 'utf8')
          } catch {
            return ''
          }
        })()
        tip = new RegExp(`^([0-9a-f]{40}) ${ref}$`, 'm').exec(packed)?.[1] ?? null
      }
      tips.set(ref, tip)
    }
    return tips
  }
}

/** Moves a ref as git does: the new value into `<ref>.lock`, renamed onto the ref. */
function moveRef(commonDir: string, ref: string, oid: string): void {
  const path = join(commonDir, ref)
  mkdirSync(join(path, '..'), {recursive: true})
  writeFileSync(`${path}.lock`, `${oid}\n`)
  renameSync(`${path}.lock`, path)
}

const oid = (digit: string) => digit.repeat(40)

/** A watcher on `commonDir` and the moves it reports, as "<ref> <from>><to>" (first digit of each oid, - for none). */
async function watching(commonDir: string, pollMs: number) {
  const seen: string[] = []
  let wake: () => void = () => {}
  const watcher = new RefWatcher({
    commonDir,
    readTips: readTipsOf(commonDir),
    onMove: async (moves) => {
      for (const move of moves) seen.push(`${move.ref} ${move.from?.[0] ?? '-'}>${move.to?.[0] ?? '-'}`)
      wake()
    },
    pollMs,
    settleMs: 5,
  })
  await watcher.start()
  const moved = (expected: string) =>
    new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`not reported: ${expected} (saw ${JSON.stringify(seen)})`)), 10_000)
      wake = () => {
        if (seen.includes(expected)) {
          clearTimeout(timer)
          resolve()
        }
      }
      wake()
    })
  return {watcher, seen, moved}
}

describe('the ref watcher of relay mcp', () => {
  it("sees this store's ref, a sibling's and packed-refs move through file events alone (no poll)", async () => {
    const commonDir = tempDir('watched-git-dir')
    moveRef(commonDir, 'refs/trail/records', oid('1'))
    moveRef(commonDir, 'refs/trail/siblings/web/records', oid('3'))
    const {watcher, seen, moved} = await watching(commonDir, 3_600_000)
    try {
      moveRef(commonDir, 'refs/trail/records', oid('2'))
      await moved('refs/trail/records 1>2')
      moveRef(commonDir, 'refs/trail/siblings/web/records', oid('4'))
      await moved('refs/trail/siblings/web/records 3>4')
      // git pack-refs: packed-refs rewritten by a rename.
      writeFileSync(join(commonDir, 'packed-refs.lock'), `# pack-refs with: peeled fully-peeled sorted\n${oid('5')} refs/trail/siblings/api/records\n`)
      renameSync(join(commonDir, 'packed-refs.lock'), join(commonDir, 'packed-refs'))
      await moved('refs/trail/siblings/api/records ->5')
      await watcher.idle()
      assert.equal(seen.filter((line) => line === 'refs/trail/records 1>2').length, 1, 'each move is reported once')
    } finally {
      watcher.stop()
    }
  })

  it('sees a sibling synced after the start (a new folder), then watches that folder too', async () => {
    const commonDir = tempDir('watched-git-dir')
    mkdirSync(join(commonDir, 'refs', 'trail'), {recursive: true})
    const {watcher, moved} = await watching(commonDir, 200)
    try {
      moveRef(commonDir, 'refs/trail/siblings/web/records', oid('3'))
      await moved('refs/trail/siblings/web/records ->3')
      moveRef(commonDir, 'refs/trail/siblings/web/records', oid('4'))
      await moved('refs/trail/siblings/web/records 3>4')
    } finally {
      watcher.stop()
    }
  })
})
