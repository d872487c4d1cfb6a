import {existsSync} from 'node:fs'
import {basename, dirname, isAbsolute, resolve} from 'node:path'
import {NotFoundError, UsageError} from '../errors.js'
import type {GitRepo} from '../git/repo.js'
import {PROJECT_PATH} from '../model/layout.js'
import {isValidName, type AgentName, type ProjectName} from '../model/names.js'

import {defaultProjectId, parseProject, renderProject, type Project} from '../model/project.js'
import type {Snapshot} from '../store/snapshot.js'
import type {ProjectInfo, Sibling} from '../model/results.js'
import type {Context} from './context.js'

// This project's identity (.relay/project.yaml) and its siblings (git config relay.sibling.<name>.url), whose
// stores `relay sync` fetches into refs/trail/siblings/<name>/records.

/** The folder a repository is named after: the main work tree's (shared by its worktrees), or the bare repository's. */
function repositoryFolder(repo: GitRepo): string {
  return basename(repo.commonDir) === '.git' ? dirname(repo.commonDir) : repo.commonDir
}

/**
 * The project a snapshot's store describes; when it has no project.yaml, `fallbackId` (a sibling's name), else
 * this repository's default.
 *
 * @example const {project} = await readProject(snapshot)   // {id: 'backend', lead: 'Architect'}
 */
export async function readProject(snapshot: Snapshot, fallbackId?: ProjectName): Promise<ProjectInfo> {
  const text = await snapshot.readText(PROJECT_PATH)
  if (text !== null) return {project: parseProject(text, PROJECT_PATH), isDefault: false}
  return {project: {id: fallbackId ?? defaultProjectId(repositoryFolder(snapshot.repo))}, isDefault: true}
}

/** This project's id and lead. */
export async function showProject(ctx: Context): Promise<ProjectInfo> {
  return readProject(await (await ctx.store()).snapshot())
}

/** Sets this project's id and/or lead, keeping what is not given. */
export async function setProject(ctx: Context, input: {id?: ProjectName; lead?: AgentName}): Promise<ProjectInfo> {
  const store = await ctx.store()
  return store.transact(async (snapshot) => {
    const {project} = await readProject(snapshot)
    const next: Project = {
      id: input.id ?? project.id,
      ...((input.lead ?? project.lead) ? {lead: input.lead ?? project.lead} : {}),
      updated: ctx.now().toISOString(),
    }
    return {
      writes: [{path: PROJECT_PATH, content: renderProject(next)}],
      subject: `project ${next.id}${next.lead ? `, lead ${next.lead}` : ''}`,
      result: {project: next, isDefault: false},
    }
  })
}

export function siblingRef(name: string): string {
  return `refs/trail/siblings/${name}/records`
}

/**
 * The siblings in this repository's configuration, by name. Read from .git/config directly (where `relay bridge
 * add` writes them): `relay continuity load`, a hot command, looks for their messages.
 */
export async function listSiblings(ctx: Context): Promise<Sibling[]> {
  const repo = (await ctx.store()).repo
  const config = repo.localConfig()
  const siblings = new Map<string, {url?: string; lead?: string}>()
  for (const variable of ['url', 'lead'] as const) {
    for (const [subsection, value] of config.subsections('relay', variable)) {
      if (!subsection.startsWith('sibling.')) continue
      const name = subsection.slice('sibling.'.length)
      siblings.set(name, {...siblings.get(name), [variable]: value})
    }
  }
  // A name edited by hand into the config that could not be a ref name component is skipped, as bridge add refuses it.
  const valid = [...siblings].filter(([name, entry]) => entry.url && isValidName(name))
  return Promise.all(
    valid
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(async ([name, entry]) => ({
        name: name as ProjectName,
        url: entry.url!,
        ...(entry.lead && isValidName(entry.lead) ? {lead: entry.lead as AgentName} : {}),
        ref: siblingRef(name),
        tip: await repo.resolveForeignRef(siblingRef(name)),
      })),
  )
}

/** The id a sibling goes by when its store names none: its folder's name, as it would call itself. */
export function siblingDefaultId(sibling: Sibling): ProjectName {
  return defaultProjectId(
    sibling.url
      .replace(/\/+$/, '')
      .replace(/\/\.git$/, '')
      .replace(/^.*[/:]/, ''),
  )
}

/**
 * A path or URL as stored: URLs and scp-like addresses as given, a local path made absolute. git's own rule: a
 * colon before the first slash makes an scp-like address (`host:repo.git`, `git@host:org/repo.git`); write
 * `./a:b` for a local folder with a colon in its name.
 */
export function normaliseLocation(location: string, cwd: string): string {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(location) || /^[^/]+:/.test(location)) return location
  return isAbsolute(location) ? location : resolve(cwd, location)
}

/**
 * Adds (or changes) a sibling project. Its store is fetched by `relay sync`, through git: a local path, a file://,
 * ssh or https URL all work. Returns the sibling and a warning when a local path holds no repository yet.
 */
export async function addSibling(
  ctx: Context,
  input: {name: ProjectName; location: string; lead?: AgentName},
): Promise<{sibling: Sibling; warning: string | null}> {
  const repo = (await ctx.store()).repo
  const url = normaliseLocation(input.location, ctx.cwd)
  const isLocal = url.startsWith('/')
  if (isLocal && resolve(url) === resolve(repositoryFolder(repo)))
    throw new UsageError('a project cannot be its own sibling', 'give the path of another repository')
  await repo.configSet(`relay.sibling.${input.name}.url`, url)
  if (input.lead) await repo.configSet(`relay.sibling.${input.name}.lead`, input.lead)
  const warning = isLocal && !existsSync(url) ? `${url} does not exist (yet): relay sync reports it until it does` : null
  const sibling = (await listSiblings(ctx)).find((s) => s.name === input.name)!
  return {sibling, warning}
}

/** Removes a sibling and the copy of its store. */
export async function removeSibling(ctx: Context, name: ProjectName): Promise<boolean> {
  const repo = (await ctx.store()).repo
  const removed = await repo.configRemoveSection(`relay.sibling.${name}`)
  if (!removed) throw new NotFoundError(`no sibling named '${name}'`, 'list them with: relay bridge list')
  await repo.deleteRef(siblingRef(name))
  return true
}
