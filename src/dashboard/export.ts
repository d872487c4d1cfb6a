import {closeSync, constants, lstatSync, mkdirSync, openSync, readdirSync, readFileSync, realpathSync, rmdirSync, unlinkSync, writeSync} from 'node:fs'
import {dirname, join, relative, resolve, sep} from 'node:path'
import {UsageError} from '../errors.js'
import type {GitRepo} from '../git/repo.js'
import {isId} from '../model/ids.js'
import {isValidName, type AgentName} from '../model/names.js'
import type {TrajectoryItemJson} from '../render/dashboard.js'
import {pageHtml, type PageAssets} from './assets.js'
import type {DashboardData} from './queries.js'

// `relay dashboard --export <dir>`: the same page as static files, reading JSON snapshots instead of the API (it
// sees <meta name="relay-mode" content="static">), for a CI artifact or GitHub Pages. Serve the folder over HTTP
// (browsers refuse fetch() on file:// pages).
//
// Written safely: never inside the git dir, never through a symbolic link (files are created with O_EXCL and
// O_NOFOLLOW, folders one at a time and checked), and never into a folder that holds anything but an earlier
// export (the manifest .relay-dashboard-export.json lists what an export wrote; exporting again removes exactly
// those files first and leaves anything else, such as a CNAME, alone).

export const MANIFEST = '.relay-dashboard-export.json'
/** The newest trajectories an export holds, each with its timeline. */
export const EXPORT_TRAJECTORIES = 1000
const HISTORY_ENTRIES = 50

export interface ExportResult {
  dir: string
  files: number
  trajectories: number
}

/**
 * Writes the snapshot into `dir`.
 *
 * @example await exportDashboard(data, assets, repo, 'site/dashboard')
 */
export async function exportDashboard(data: DashboardData, assets: PageAssets, repo: GitRepo, target: string, cwd: string): Promise<ExportResult> {
  const dir = resolve(cwd, target)
  refuseGitDir(dir, repo)
  const previous = prepareFolder(dir)
  // Everything is computed first; then the manifest names what is about to be written (so a failure half-way
  // leaves a folder the next export can clean), then the files are written.
  const files: [string, string | Buffer][] = []
  const json = (path: string, value: unknown) => void files.push([path, `${JSON.stringify(value)}\n`])
  files.push(['index.html', pageHtml(assets, 'static', '')], ['app.js', assets.js], ['app.css', assets.css])
  await data.index.ready()
  json('data/overview.json', data.overview())
  json('data/agents.json', {agents: await data.agents()})
  json('data/coordinator.json', await data.coordinator())
  json('data/messages.json', await data.messages({page: 1, limit: Number.MAX_SAFE_INTEGER}))
  const summaries = await data.summaries()
  json('data/summaries.json', {agents: summaries})
  for (const entry of summaries) {
    if (!isValidName(entry.project) || !isValidName(entry.agent)) continue
    json(`data/summaries/${entry.project}/${entry.agent}.json`, await data.history(entry.project, entry.agent as AgentName, 1, HISTORY_ENTRIES))
  }
  const list = await data.trajectories({page: 1, limit: EXPORT_TRAJECTORIES})
  json('data/trajectories.json', list.trajectories)
  // The views in batches (their reads are pipelined through one `git cat-file`), with every link read once.
  const prefetched = await data.prefetchLinks()
  const items = (list.trajectories as TrajectoryItemJson[]).filter((item) => isValidName(item.project) && isId(item.id, 'traj'))
  for (let start = 0; start < items.length; start += 50) {
    const views = await Promise.all(items.slice(start, start + 50).map((item) => data.trajectory(item.project, item.id, prefetched)))
    for (const view of views) json(`data/trajectory/${view.project}/${view.id}.json`, view)
  }
  // What was written last time goes first (only files the manifest names, and only regular files).
  removePrevious(dir, previous)
  writeNewFile(dir, MANIFEST, `${JSON.stringify({writtenBy: 'relay dashboard --export', files: files.map(([path]) => path)}, null, 1)}\n`, true)
  for (const [path, content] of files) writeNewFile(dir, path, content)
  return {dir, files: files.length, trajectories: list.trajectories.length}
}

/** Refuses a folder in (or holding) the repository's git dir: the export never writes there. */
function refuseGitDir(dir: string, repo: GitRepo): void {
  const real = realpathOfNearest(dir)
  for (const gitDir of new Set([repo.gitDir, repo.commonDir].map(realpathOfNearest))) {
    const inside = real === gitDir || real.startsWith(`${gitDir}${sep}`) || gitDir.startsWith(`${real}${sep}`)
    if (inside)
      throw new UsageError(
        `will not export into ${dir}: it is ${real === gitDir || real.startsWith(`${gitDir}${sep}`) ? 'inside' : 'around'} the git dir`,
        'choose a folder outside .git, for example: relay dashboard --export site/dashboard',
      )
  }
}

/** The real path of `path`, or of its nearest existing ancestor with the rest appended. */
function realpathOfNearest(path: string): string {
  const rest: string[] = []
  let at = resolve(path)
  for (;;) {
    try {
      return join(realpathSync(at), ...rest.reverse())
    } catch {
      const parent = dirname(at)
      if (parent === at) return resolve(path)
      rest.push(at.slice(parent.length).replace(/^\//, ''))
      at = parent
    }
  }
}

/** Makes the folder (or checks it): a real folder, empty or an earlier export. Returns the earlier export's files. */
function prepareFolder(dir: string): string[] {
  let info: import('node:fs').Stats
  try {
    info = lstatSync(dir)
  } catch {
    mkdirSync(dir, {recursive: true})
    return []
  }
  if (info.isSymbolicLink()) throw new UsageError(`will not export into ${dir}: it is a symbolic link`, 'give the real folder instead')
  if (!info.isDirectory()) throw new UsageError(`will not export into ${dir}: it is not a folder`, 'give a folder (made if missing)')
  const names = readdirSync(dir)
  if (names.length === 0) return []
  if (!names.includes(MANIFEST)) {
    throw new UsageError(
      `will not export into ${dir}: it is not empty, and no earlier export wrote it`,
      'give an empty or new folder, or one an earlier relay dashboard --export wrote',
    )
  }
  try {
    const manifest = JSON.parse(readFileSync(join(dir, MANIFEST), 'utf8')) as {files?: unknown}
    return Array.isArray(manifest.files) ? manifest.files.filter((file): file is string => typeof file === 'string') : []
  } catch {
    throw new UsageError(`will not export into ${dir}: its ${MANIFEST} cannot be read`, 'remove the folder, or give another one')
  }
}

function removePrevious(dir: string, files: readonly string[]): void {
  const folders = new Set<string>()
  for (const file of files) {
    const path = resolve(dir, file)
    // Only paths inside the folder, only regular files (a symbolic link put there is left alone).
    if (relative(dir, path).startsWith('..') || !isSafeRelative(file)) continue
    try {
      if (lstatSync(path).isFile()) unlinkSync(path)
    } catch {
      // already gone
    }
    for (let parent = dirname(file); parent !== '.' && parent !== ''; parent = dirname(parent)) folders.add(parent)
  }
  // Emptied folders go, deepest first; a folder with anything else in it stays.
  for (const folder of [...folders].sort((a, b) => b.length - a.length)) {
    try {
      rmdirSync(join(dir, folder))
    } catch {
      // not empty, or not there
    }
  }
}

function isSafeRelative(path: string): boolean {
  return path.split('/').every((part) => part !== '' && part !== '.' && part !== '..')
}

/**
 * Writes a file that must not exist yet (O_EXCL), without following a link (O_NOFOLLOW), making its folders one at
 * a time and refusing any that is not a real folder. `replace`: the manifest, which is rewritten in place.
 */
function writeNewFile(dir: string, path: string, content: string | Buffer, replace = false): void {
  const parts = path.split('/')
  let at = dir
  for (const part of parts.slice(0, -1)) {
    at = join(at, part)
    try {
      mkdirSync(at)
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
    }
    if (!lstatSync(at).isDirectory())
      throw new UsageError(`will not export: ${at} is not a folder (a symbolic link?)`, 'remove it, or export into another folder')
  }
  const file = join(dir, path)
  if (replace) {
    try {
      if (lstatSync(file).isFile()) unlinkSync(file)
    } catch {
      // not there
    }
  }
  let fd: number
  try {
    fd = openSync(file, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o644)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST')
      throw new UsageError(`will not export: ${file} is there already, and an earlier export did not write it`, 'move it away, or export into another folder')
    throw error
  }
  try {
    const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : content
    let offset = 0
    while (offset < bytes.length) offset += writeSync(fd, bytes, offset)
  } finally {
    closeSync(fd)
  }
}
