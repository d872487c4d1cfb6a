import {spawnSync} from 'node:child_process'
import {chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {basename, dirname, join, relative} from 'node:path'
import {after} from 'node:test'
import {BIN, ROOT} from '../helpers/cli.js'
import {testEnv} from '../helpers/repo.js'

// The incumbent `trail` (agent-trajectories 0.6.1, a devDependency) and helpers to write history with it. Its
// package also installs node_modules/.bin/trail: these tests never call `trail` by name, except through a PATH
// that starts with a folder of ours (`ourTrailOnPath`), exactly as agent-relay finds it.

export const INCUMBENT_CLI = join(ROOT, 'node_modules', 'agent-trajectories', 'dist', 'cli', 'index.js')

/** Runs agent-trajectories' own CLI; fails the test unless it exits 0. */
export function incumbent(cwd: string, args: string[], env: Record<string, string | undefined> = {}): string {
  const result = spawnSync(process.execPath, [INCUMBENT_CLI, ...args], {cwd, env: testEnv(env), encoding: 'utf8'})
  if (result.status !== 0) throw new Error(`agent-trajectories ${args.join(' ')} exited ${result.status}: ${result.stderr}`)
  return result.stdout
}

/** A folder with an executable `trail` that runs our built CLI, removed after the file's tests. */
export function ourTrailOnPath(): string {
  const dir = mkdtempSync(join(tmpdir(), 'relay-trail-path-'))
  after(() => rmSync(dir, {recursive: true, force: true}))
  writeFileSync(join(dir, 'trail'), `#!/bin/sh\nexec "${process.execPath}" "${BIN.trail}" "$@"\n`)
  chmodSync(join(dir, 'trail'), 0o755)
  return dir
}

/** Every file under `dir`, relative to it, sorted. */
export function filesUnder(dir: string): string[] {
  const out: string[] = []
  const walk = (path: string) => {
    for (const name of readdirSync(path)) {
      const child = join(path, name)
      if (statSync(child).isDirectory()) walk(child)
      else out.push(relative(dir, child))
    }
  }
  walk(dir)
  return out.sort()
}

/** The trajectory files of an agent-trajectories data folder (either layout), parsed, by id. */
export function trajectoryFiles(dir: string): Map<string, Record<string, unknown>> {
  const out = new Map<string, Record<string, unknown>>()
  for (const file of filesUnder(dir)) {
    if (!file.endsWith('.json') || file.endsWith('.trace.json') || basename(file) === 'index.json' || basename(file) === 'compaction.json') continue
    if (!file.startsWith('active/') && !file.startsWith('completed/')) continue
    const json = JSON.parse(readFileSync(join(dir, file), 'utf8')) as Record<string, unknown>
    out.set(String(json.id), json)
  }
  return out
}

/**
 * Rewrites an agent-trajectories 0.6 folder (active/<id>/trajectory.json, completed/YYYY-MM/<id>/trajectory.json)
 * into the layout of its 0.5 versions, as they wrote it: index.json with absolute paths, active/<id>.json,
 * completed/YYYY-MM/<id>.json beside <id>.md and <id>.trace.json. The file contents are the 0.6 CLI's.
 */
export function toLegacyLayout(from: string, to: string): void {
  const index: Record<string, unknown> = {}
  for (const file of filesUnder(from)) {
    const source = join(from, file)
    if (file.endsWith('.trace.json')) {
      mkdirSync(join(to, dirname(file)), {recursive: true})
      writeFileSync(join(to, file), readFileSync(source))
      continue
    }
    if (basename(file) !== 'trajectory.json') continue
    const json = JSON.parse(readFileSync(source, 'utf8')) as Record<string, string | Record<string, string>>
    const id = String(json.id)
    const month = dirname(dirname(file))
    const target = file.startsWith('active/') ? join(to, 'active', `${id}.json`) : join(to, month, `${id}.json`)
    mkdirSync(dirname(target), {recursive: true})
    writeFileSync(target, readFileSync(source))
    if (!file.startsWith('active/')) writeFileSync(target.replace(/\.json$/, '.md'), readFileSync(join(dirname(source), 'summary.md')))
    index[id] = {
      title: (json.task as Record<string, string>).title,
      status: json.status,
      startedAt: json.startedAt,
      completedAt: json.completedAt,
      path: target,
    }
  }
  writeFileSync(join(to, 'index.json'), JSON.stringify({version: 1, lastUpdated: new Date().toISOString(), trajectories: index}, null, 2))
}

/** JSON values equal field by field (key order aside); the first difference, as a path, or null. */
export function firstDifference(a: unknown, b: unknown, path = ''): string | null {
  if (a === b) return null
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null || Array.isArray(a) !== Array.isArray(b))
    return `${path || '.'}: ${JSON.stringify(a)} ≠ ${JSON.stringify(b)}`
  const keys = new Set([...Object.keys(a), ...Object.keys(b)])
  for (const key of keys) {
    const difference = firstDifference((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key], `${path}.${key}`)
    if (difference) return difference
  }
  return null
}
