import {closeSync, mkdtempSync, openSync, rmSync, writeSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {benchEnv, markdownTable, mean, median, perRound, RELAY, ratioFigure, timeOnce, type Step} from './harness.js'
import {buildStore} from './stores.js'

// `relay ingest <file>`, the whole command (node start, reading, parsing, records, commits), on output where an
// event comes every 200 KB (issue 14: "dense output runs at least 100 MB/s"), and on output with no event at
// all. Every round reads the file from its start (the cursor is removed between rounds, untimed), into a store
// that grows by the round's records. Reported as MB/s and as a ratio to the goal, median and mean of the rounds,
// so a spike cannot hide in either; and a ratio to `cat file` into a pipe, the floor of reading it at all.

const EVENT_EVERY_BYTES = 200 * 1000
const GOAL_MB_PER_SECOND = 100

/** A log of `megabytes` MB: ordinary output lines, and a [[SUMMARY]] every EVENT_EVERY_BYTES when `dense`. */
function writeLog(path: string, megabytes: number, dense: boolean): number {
  const line = '  Compiling relay-trail v0.1.0 (/work/main): src/store/transaction.ts module 42 of 1000 ... ok\n'
  const filler = line.repeat(Math.ceil(EVENT_EVERY_BYTES / line.length))
  const fd = openSync(path, 'w')
  let events = 0
  try {
    for (let size = 0; size < megabytes * 1e6; size += filler.length) {
      writeSync(fd, filler)
      if (!dense) continue
      const block = `[[SUMMARY]]{"currentTask": "task ${events}", "completedTasks": ["a", "b"], "context": "dense output", "files": ["src/x.ts"]}[[/SUMMARY]]\n`
      writeSync(fd, block)
      size += block.length
      events++
    }
  } finally {
    closeSync(fd)
  }
  return events
}

export function benchIngest(megabytes: number, rounds: number): string {
  const repo = buildStore(0)
  const dir = mkdtempSync(join(tmpdir(), 'relay-trail-bench-ingest-'))
  try {
    const env = benchEnv({AGENT_RELAY_NAME: 'bench'})
    const inputs = [
      {name: `dense: an event every 200 KB`, path: join(dir, 'dense.log'), dense: true},
      {name: 'plain: no event', path: join(dir, 'plain.log'), dense: false},
    ].map((input) => ({...input, events: writeLog(input.path, megabytes, input.dense)}))
    const reset: Step = {name: 'reset', argv: ['rm', '-rf', join(repo, '.git', 'trail', 'ingest')], cwd: repo, timed: false}
    const samples = new Map<string, number[]>()
    const record = (name: string, ms: number) => samples.set(name, [...(samples.get(name) ?? []), ms])
    for (let round = 0; round < rounds + 1; round++) {
      for (const input of inputs) {
        timeOnce(reset)
        const ms = timeOnce({name: input.name, argv: [process.execPath, RELAY, 'ingest', input.path], cwd: repo, env})
        const cat = timeOnce({name: 'cat', argv: ['cat', input.path], cwd: repo})
        if (round === 0) continue // warm-up: the page cache, git's first objects
        record(input.name, ms)
        record(`${input.name} cat`, cat)
      }
    }
    const rows = inputs.map((input) => {
      const times = samples.get(input.name)!
      const cat = samples.get(`${input.name} cat`)!
      const speed = (ms: number) => megabytes / (ms / 1000)
      return [
        input.name,
        String(input.events),
        `${speed(median(times)).toFixed(0)} MB/s (${(speed(median(times)) / GOAL_MB_PER_SECOND).toFixed(2)}x goal)`,
        `${speed(mean(times)).toFixed(0)} MB/s (${(speed(mean(times)) / GOAL_MB_PER_SECOND).toFixed(2)}x goal)`,
        ratioFigure(perRound(times.length, (round) => times[round]! / cat[round]!)),
        `${GOAL_MB_PER_SECOND} MB/s`,
      ]
    })
    return [
      `### relay ingest <file>, ${megabytes} MB, the whole command (${rounds} rounds)`,
      '',
      markdownTable(['input', 'events', 'median', 'mean', 'vs cat (per-round ratio)', 'goal'], rows),
    ].join('\n')
  } finally {
    rmSync(dir, {recursive: true, force: true})
    rmSync(repo, {recursive: true, force: true})
  }
}
