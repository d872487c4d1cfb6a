import assert from 'node:assert/strict'
import {spawnSync} from 'node:child_process'
import {existsSync, mkdirSync, readFileSync, rmSync, utimesSync, writeFileSync} from 'node:fs'
import {hostname} from 'node:os'
import {join} from 'node:path'
import {describe, it} from 'node:test'
import {acquireWriterLock, lockPath, staleness} from '../../src/store/writer-lock.js'
import {useTempDirs} from '../helpers/repo.js'

// The writer lock: taken, waited for, taken over when stale (and only then), released only by its owner.

describe('the writer lock', () => {
  const tempDir = useTempDirs()
  /** A new git dir of its own for one test: where its lock goes, and a way to put a lock file there by hand. */
  const gitDir = () => {
    const dir = tempDir('lock')
    const path = lockPath(dir)
    const place = (text: string, ageMs = 0) => {
      mkdirSync(join(dir, 'trail'), {recursive: true})
      writeFileSync(path, text)
      const when = new Date(Date.now() - ageMs)
      utimesSync(path, when, when)
    }
    return {dir, path, place}
  }

  it('is taken, held against others, and released', async () => {
    const {dir, path} = gitDir()
    const lock = await acquireWriterLock(dir)
    assert.equal(lock.held, true)
    assert.match(readFileSync(path, 'utf8'), new RegExp(`^${process.pid} ${hostname()} `))
    const other = await acquireWriterLock(dir, 50)
    assert.equal(other.held, false, 'a live holder is waited for, then gone around')
    await lock.release()
    assert.ok(!existsSync(path))
  })

  it('is taken over from a dead process, from an empty file after 10 s, and from anyone after 10 minutes', async () => {
    const {dir, path, place} = gitDir()
    const dead = spawnSync(process.execPath, ['-e', '0']).pid!
    for (const [text, ageMs, reason] of [
      [`${dead} ${hostname()} 2026-01-01T00:00:00.000Z\n`, 0, /process \d+ on this host is gone/],
      ['', 20_000, /names no owner/],
      ['0 host 2026-01-01T00:00:00.000Z\n', 20_000, /names no owner/],
      [`1 another-host 2026-01-01T00:00:00.000Z\n`, 11 * 60_000, /minutes old/],
    ] as const) {
      place(text, ageMs)
      assert.match(staleness(path) ?? 'not stale', reason)
      const lock = await acquireWriterLock(dir, 1000)
      assert.equal(lock.held, true, text)
      await lock.release()
    }
  })

  it('is not taken over while fresh, even when empty', async () => {
    const {dir, path, place} = gitDir()
    place('')
    assert.equal(staleness(path), null)
    place(`1 another-host ${new Date().toISOString()}\n`)
    assert.equal(staleness(path), null)
    assert.equal((await acquireWriterLock(dir, 30)).held, false)
    rmSync(path)
  })

  it('is released only by the process that holds it', async () => {
    const {dir, path, place} = gitDir()
    const lock = await acquireWriterLock(dir)
    rmSync(path)
    place(`1 another-host ${new Date().toISOString()}\n`)
    await lock.release()
    assert.ok(existsSync(path), 'a lock taken over by another writer is not removed by the old owner')
    rmSync(path)
  })
})
