import {chmodSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync} from 'node:fs'
import {dirname, join} from 'node:path'
import type {GitRepo} from '../git/repo.js'

// The files a running `relay dashboard` keeps in the repository's common git dir (shared by its worktrees):
// - trail/dashboard.json: {pid, url, started} while it runs, so `relay continuity load` can give agents the URL;
//   removed when it stops, and ignored when its process is gone;
// - trail/dashboard-access.json: the token and the port it last served on (mode 0600), so a restarted dashboard
//   has the same URL and an open page reconnects to it. `relay dashboard --new-token` replaces the token.

export interface RunningDashboard {
  pid: number
  url: string
  started: string
}

export interface DashboardAccess {
  token: string
  port: number | null
}

function statePath(repo: GitRepo): string {
  return join(repo.commonDir, 'trail', 'dashboard.json')
}

function accessPath(repo: GitRepo): string {
  return join(repo.commonDir, 'trail', 'dashboard-access.json')
}

/** Writes a file by renaming a temporary one over it (readers never see half of it), readable by the user only. */
function writePrivately(path: string, value: unknown): void {
  mkdirSync(dirname(path), {recursive: true})
  const temporary = `${path}.${process.pid}.tmp`
  writeFileSync(temporary, `${JSON.stringify(value)}\n`, {mode: 0o600})
  chmodSync(temporary, 0o600)
  renameSync(temporary, path)
}

function readJson(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8'))
  } catch {
    return null
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/**
 * The dashboard running for this repository, or null when none is (no state file, or its process is gone).
 *
 * @example const running = readRunningDashboard(repo)   // {pid, url: 'http://127.0.0.1:4711/?token=...', started}
 */
export function readRunningDashboard(repo: GitRepo): RunningDashboard | null {
  const state = readJson(statePath(repo)) as Partial<RunningDashboard> | null
  if (!state || typeof state.pid !== 'number' || typeof state.url !== 'string' || !/^https?:\/\//.test(state.url)) return null
  return isAlive(state.pid) ? {pid: state.pid, url: state.url, started: String(state.started ?? '')} : null
}

export function writeRunningDashboard(repo: GitRepo, state: RunningDashboard): void {
  writePrivately(statePath(repo), state)
}

/** Removes the state file if it is this process's (another dashboard started since keeps its own). */
export function removeRunningDashboard(repo: GitRepo, pid: number): void {
  const state = readJson(statePath(repo)) as Partial<RunningDashboard> | null
  if (state?.pid === pid) rmSync(statePath(repo), {force: true})
}

/** The token and last port, made (with `newToken`, or when there is none) from `randomToken`. */
export function readDashboardAccess(repo: GitRepo, options: {newToken: boolean; randomToken: () => string}): DashboardAccess {
  const saved = readJson(accessPath(repo)) as Partial<DashboardAccess> | null
  const token = !options.newToken && typeof saved?.token === 'string' && /^[A-Za-z0-9_-]{32,}$/.test(saved.token) ? saved.token : options.randomToken()
  const port = typeof saved?.port === 'number' && Number.isInteger(saved.port) && saved.port > 0 && saved.port < 65536 ? saved.port : null
  return {token, port}
}

export function writeDashboardAccess(repo: GitRepo, access: DashboardAccess): void {
  writePrivately(accessPath(repo), access)
}
