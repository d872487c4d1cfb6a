import assert from 'node:assert/strict'
import {describe, it} from 'node:test'
import {dayPath, IdGenerator, idTime, isId, parseIdPrefix} from '../../src/model/ids.js'

const fixedRandom = (count: number) => new Uint8Array(count).fill(7)

describe('ids', () => {
  it('are the kind, an underscore and 26 characters, and carry their time', () => {
    const now = new Date('2026-11-21T10:20:30.456Z')
    const id = new IdGenerator(() => now, fixedRandom).next('traj')
    assert.match(id, /^traj_[0-9a-hjkmnp-tv-z]{26}$/)
    assert.ok(isId(id, 'traj'))
    assert.ok(!isId(id, 'ev'))
    assert.equal(idTime(id).toISOString(), now.toISOString())
  })

  it('sort by time as text, and increase within one millisecond', () => {
    let ms = Date.parse('2026-01-01T00:00:00Z')
    const ids = new IdGenerator(() => new Date(ms), fixedRandom)
    const made: string[] = []
    for (let i = 0; i < 100; i++) {
      if (i % 10 === 0) ms += 1
      made.push(ids.next('ev'))
    }
    assert.deepEqual([...made].sort(), made)
    assert.equal(new Set(made).size, made.length)
  })

  it('never go back when the clock does', () => {
    let ms = Date.parse('2026-01-01T00:00:01Z')
    const ids = new IdGenerator(() => new Date(ms), fixedRandom)
    const first = ids.next('ev')
    ms -= 1000
    assert.ok(ids.next('ev') > first)
  })

  it('can be made for a given time, which their day folder follows', () => {
    const ids = new IdGenerator(
      () => new Date('2026-11-21T10:20:30.456Z'),
      (count) => new Uint8Array(count).map(() => Math.floor(Math.random() * 256)),
    )
    const at = new Date('2024-02-29T23:59:59.999Z')
    const [a, b] = [ids.next('traj', at), ids.next('traj', at)]
    assert.equal(idTime(a).toISOString(), at.toISOString())
    assert.equal(dayPath(idTime(a)), '2024/02/29')
    assert.notEqual(a, b)
    assert.ok(ids.next('traj') > a, 'a later record made now still sorts after')
    assert.throws(() => ids.next('traj', new Date(Number.NaN)), /not a time/)
  })

  it('give the UTC day folder', () => {
    assert.equal(dayPath(new Date('2026-03-09T23:59:59Z')), '2026/03/09')
  })

  it('accept prefixes with or without the kind, and give their time range', () => {
    const id = new IdGenerator(() => new Date('2026-11-21T10:20:30.456Z'), fixedRandom).next('traj')
    const ulid = id.slice(5)
    const whole = parseIdPrefix(id, 'traj')
    assert.equal(whole.ulidPrefix, ulid)
    assert.equal(whole.from, whole.to)
    const short = parseIdPrefix(ulid.slice(0, 6).toUpperCase(), 'traj')
    assert.ok(short.from <= idTime(id).getTime() && idTime(id).getTime() <= short.to)
    assert.throws(() => parseIdPrefix('traj_!!', 'traj'), /not a traj id/)
    assert.throws(() => parseIdPrefix('', 'traj'), /not a traj id/)
  })
})
