import {readFileSync} from 'node:fs'
import type {Oid} from '../git/objects.js'
import type {CommitInfo, GitRepo} from '../git/repo.js'
import type {PatchIds} from '../git/patch-ids.js'
import {linkKeys, MAX_KEYED_FILES, parseCommitLink, renderCommitLink, renderLinkKey, type CommitLink, type LinkedFile} from '../model/commit-link.js'
import {isId} from '../model/ids.js'
import {commitLinkPath, commitsDir, linkKeyDir, linkKeyPath, STORE_REF, trajectoryPath} from '../model/layout.js'
import {parseAgentName, type AgentName} from '../model/names.js'
import {Snapshot} from '../store/snapshot.js'
import type {Context} from './context.js'
import {readRecords} from './records.js'
import {findActive} from './trajectory-records.js'

// Linking commits to trajectories (DESIGN.md section 6): what the git hooks `trail init --hooks` installs do, and
// how a commit is found again from anything that identifies it. The hooks never fail a commit: their callers turn
// every error into a warning (../cli/definitions/trail/hook-git.ts).

/** The trailer a commit made during a trajectory carries. */
export const TRAJECTORY_TRAILER = 'Trajectory'

/**
 * The agent a git hook acts for: $AGENT_RELAY_NAME, else $TRAIL_AGENT, else nobody. Unlike the commands, a hook
 * never falls back to "default": a commit made by a person, in a shell no agent session named, is never
 * attributed to an agent's trajectory.
 */
export function gitHookAgent(env: Readonly<Record<string, string | undefined>>): AgentName | null {
  const raw = [env.AGENT_RELAY_NAME, env.TRAIL_AGENT].find((value) => value !== undefined && value !== '')
  return raw === undefined ? null : parseAgentName(raw)
}

/** What prepare-commit-msg did: the trajectory named in the message, or why nothing was added. */
export type TrailerOutcome = {added: string} | {skipped: 'no agent' | 'no active trajectory' | 'already carried'}

/**
 * prepare-commit-msg: adds `Trajectory: <id>` to the message when the committing agent has an active trajectory.
 * Nothing for a person's commit, nothing when the message already names the trajectory, and nothing on a merge or
 * squash message that already carries any Trajectory trailer (the squashed commits' own). Never a Co-Authored-By.
 *
 * @example await addTrajectoryTrailer(ctx, {messageFile: '.git/COMMIT_EDITMSG', source: 'message'})
 */
export async function addTrajectoryTrailer(ctx: Context, input: {messageFile: string; source?: string}): Promise<TrailerOutcome> {
  const agent = gitHookAgent(ctx.env)
  if (agent === null) return {skipped: 'no agent'}
  const store = await ctx.store()
  const trajectory = await findActive(await Snapshot.read(store.repo, store.ref), agent)
  if (!trajectory) return {skipped: 'no active trajectory'}
  const message = readFileSync(input.messageFile, 'utf8')
  const carried = new RegExp(`^${TRAJECTORY_TRAILER}:\\s*${trajectory.id}\\s*$`, 'm').test(message)
  // `git merge --squash` quotes the squashed commits' messages, indented: their trailers count as carried.
  const carriesAny = new RegExp(`^\\s*${TRAJECTORY_TRAILER}:`, 'm').test(message)
  if (carried || ((input.source === 'merge' || input.source === 'squash') && carriesAny)) return {skipped: 'already carried'}
  await store.repo.addTrailer(input.messageFile, TRAJECTORY_TRAILER, trajectory.id)
  return {added: trajectory.id}
}

/** What a link hook wrote: the commits linked, each with its trajectories. */
export interface LinkOutcome {
  linked: {commit: Oid; trajectory: string}[]
}

/**
 * post-commit: links HEAD to the committing agent's active trajectory, with its patch ids. Nothing for a person's
 * commit or an agent with nothing active.
 */
export async function linkHeadCommit(ctx: Context): Promise<LinkOutcome> {
  const agent = gitHookAgent(ctx.env)
  if (agent === null) return {linked: []}
  const store = await ctx.store()
  const repo = store.repo
  const [trajectory, [commit], branch] = await Promise.all([
    Snapshot.read(repo, store.ref).then((snapshot) => findActive(snapshot, agent)),
    repo.readCommits(['HEAD']),
    repo.currentBranch(),
  ])
  if (!trajectory || !commit) return {linked: []}
  return writeLinks(ctx, [{commit, trajectory: trajectory.id, agent, branch: branch ?? undefined, via: 'commit'}])
}

/**
 * post-rewrite (after `git commit --amend` and `git rebase`): every rewritten commit that was linked passes its
 * links on to the commit that replaced it (several squashed into one pass on all of theirs). Runs for anyone who
 * rewrites, person or agent: the link belongs to the change, not to who moved it.
 *
 * @example await carryRewrittenLinks(ctx, [['<old id>', '<new id>']])
 */
export async function carryRewrittenLinks(ctx: Context, pairs: readonly (readonly [Oid, Oid])[]): Promise<LinkOutcome> {
  if (pairs.length === 0) return {linked: []}
  const store = await ctx.store()
  const snapshot = await Snapshot.read(store.repo, store.ref)
  if (snapshot.tip === null) return {linked: []}
  const found = await trajectoriesByKey(
    [{name: null, ref: store.ref, snapshot}],
    pairs.map(([old]) => old),
  )
  const oldLinks = await readRecords(
    snapshot,
    'commitLink',
    pairs.flatMap(([old]) => (found.get(old) ?? []).map((hit) => commitLinkPath(hit.trajectory, old))),
  )
  const byOld = new Map<Oid, CommitLink[]>()
  for (const link of oldLinks) byOld.set(link.commit, [...(byOld.get(link.commit) ?? []), link])
  const newIds = [...new Set(pairs.map(([, next]) => next))]
  const commits = new Map((await store.repo.readCommits(newIds)).map((commit) => [commit.oid, commit]))
  const requests: LinkRequest[] = []
  const seen = new Set<string>()
  for (const [old, next] of pairs) {
    const commit = commits.get(next)
    if (!commit) continue
    for (const link of byOld.get(old) ?? []) {
      if (seen.has(`${next} ${link.trajectory}`)) continue
      seen.add(`${next} ${link.trajectory}`)
      requests.push({commit, trajectory: link.trajectory, agent: link.agent, branch: link.branch, via: 'rewrite', from: old})
    }
  }
  return writeLinks(ctx, requests)
}

interface LinkRequest {
  commit: CommitInfo
  trajectory: string
  agent: AgentName
  branch?: string
  via: CommitLink['via']
  from?: Oid
}

/**
 * Computes the links (patch ids of each commit, and for the newest commit of each trajectory the combined change of
 * every file the trajectory changed since the branch left the default branch) and writes them with their keys in
 * one transaction; links and keys already there are left as they are.
 */
async function writeLinks(ctx: Context, requests: readonly LinkRequest[]): Promise<LinkOutcome> {
  if (requests.length === 0) return {linked: []}
  const store = await ctx.store()
  const repo = store.repo
  const [patchIds, defaultBranch, snapshot] = await Promise.all([
    repo.commitPatchIds(requests.map((request) => request.commit.oid)),
    repo.defaultBranch(),
    Snapshot.read(repo, store.ref),
  ])
  const at = ctx.now().toISOString()
  const links: CommitLink[] = []
  // The newest request of each trajectory (requests come oldest first: a rebase lists its commits in order).
  const newest = new Map<string, LinkRequest>()
  for (const request of requests) newest.set(request.trajectory, request)
  for (const request of requests) {
    const ids = patchIds.get(request.commit.oid) ?? {patch: null, files: new Map()}
    const files: LinkedFile[] = [...ids.files].map(([path, patch]) => ({path, patch}))
    const link: CommitLink = {
      commit: request.commit.oid,
      trajectory: request.trajectory,
      agent: request.agent,
      at,
      ...(request.branch ? {branch: request.branch} : {}),
      subject: request.commit.subject,
      ...(ids.patch ? {patch: ids.patch} : {}),
      files,
      via: request.via,
      ...(request.from ? {from: request.from} : {}),
    }
    if (newest.get(request.trajectory) === request) await addCombined(repo, snapshot, link, ids, request.commit, defaultBranch?.oid ?? null)
    links.push(link)
  }
  return store.transact(async (current) => {
    const paths = links.map((link) => commitLinkPath(link.trajectory, link.commit))
    const keyPaths = links.map((link) => linkKeys(link).map((key) => ({key, path: linkKeyPath(key, link.trajectory)})))
    const present = await current.readTexts([...paths, ...keyPaths.flat().map((entry) => entry.path)])
    const writes: {path: string; content: string}[] = []
    let index = 0
    for (const link of links) {
      const path = commitLinkPath(link.trajectory, link.commit)
      const text = present[index++]
      if (text === null || text === undefined) writes.push({path, content: renderCommitLink(link)})
      else if (link.from) {
        // An amend made with the hooks: post-commit linked the new commit first, not knowing what it replaced. The
        // rewrite adds that, or trail why cannot follow the trajectory's decisions from the old commit to this one.
        const existing = parsedOrNull(() => parseCommitLink(text, path))
        if (existing !== null && !existing.from) writes.push({path, content: renderCommitLink({...existing, from: link.from})})
      }
    }
    links.forEach((link, linkIndex) => {
      for (const {key, path} of keyPaths[linkIndex]!) {
        if (present[index++] === null && !writes.some((write) => write.path === path))
          writes.push({path, content: renderLinkKey({key, trajectory: link.trajectory})})
      }
    })
    const first = links[0]!
    return {
      writes,
      subject: links.length === 1 ? `link ${first.commit.slice(0, 12)} to ${first.trajectory}` : `link ${links.length} rewritten commits`,
      trailers: links.slice(0, 20).flatMap((link) => [['Trail-Commit', link.commit] as const, ['Trail-Trajectory', link.trajectory] as const]),
      result: {linked: links.map((link) => ({commit: link.commit, trajectory: link.trajectory}))},
    }
  })
}

/**
 * Adds to `link` the combined patch id of every file the trajectory changed on this branch (this commit's files and
 * those of its earlier links), measured from where the branch left the default branch: what a squash merge of the
 * branch will carry, file by file. Nothing when the commit is on the default branch itself.
 */
async function addCombined(repo: GitRepo, snapshot: Snapshot, link: CommitLink, ids: PatchIds, commit: CommitInfo, defaultTip: Oid | null): Promise<void> {
  if (defaultTip === null) return
  const base = await repo.mergeBase(defaultTip, commit.oid)
  if (base === null || base === commit.oid) return
  const earlier = await readLinks(snapshot, link.trajectory)
  const paths = new Set(ids.files.keys())
  for (const other of earlier) {
    if (other.base === base || other.branch === link.branch) for (const file of other.files) paths.add(file.path)
  }
  const wanted = [...paths].slice(0, MAX_KEYED_FILES)
  if (wanted.length === 0) return
  const combined = await repo.diffPatchIds(base, commit.oid, wanted)
  link.base = base
  for (const [path, patch] of combined.files) {
    const file = link.files.find((entry) => entry.path === path)
    if (file) {
      if (file.patch !== patch) file.combined = patch
    } else link.files.push({path, combined: patch})
  }
}

/** A trajectory's commit links, oldest first. */
export async function readLinks(snapshot: Snapshot, trajectoryId: string): Promise<CommitLink[]> {
  const dir = commitsDir(trajectoryId)
  const names = (await snapshot.list(dir)).map((entry) => entry.name).filter((name) => name.endsWith('.yaml'))
  return (
    await readRecords(
      snapshot,
      'commitLink',
      names.map((name) => `${dir}/${name}`),
      () => {},
    )
  ).sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0))
}

/** A store whose links are read: this project's, a remote's copy, or a sibling's. */
export interface LinkSource {
  /** null for this project's own store; else the sibling or remote it came from. */
  name: string | null
  ref: string
  snapshot: Snapshot
}

/**
 * Every store whose records may link commits of this repository: this project's, then remotes' copies
 * (refs/trail/remotes/<remote>/records: a pull request from a fork brings its own), then synced siblings'
 * (refs/trail/siblings/<name>/records: a sibling's agent may commit here). Stores at a tip already listed are
 * left out.
 */
export async function linkSources(ctx: Context): Promise<LinkSource[]> {
  const store = await ctx.store()
  const [own, refs] = await Promise.all([store.snapshot(), store.repo.listRefs('refs/trail/')])
  const sources: LinkSource[] = [{name: null, ref: STORE_REF, snapshot: own}]
  const tips = new Set([own.tip])
  const others = refs.filter(({name}) => /^refs\/trail\/(remotes|siblings)\/[^/]+\/records$/.test(name)).sort((a, b) => (a.name < b.name ? -1 : 1))
  for (const {name, oid} of others) {
    if (tips.has(oid)) continue
    tips.add(oid)
    try {
      sources.push({name: name.split('/')[3]!, ref: name, snapshot: await Snapshot.read(store.repo, name)})
    } catch (error) {
      ctx.warn(`${name} cannot be read: ${(error as Error).message}; left out`)
    }
  }
  return sources
}

/**
 * The trajectories the `Trajectory:` trailers of a commit's message name.
 *
 * @example trailerTrajectories({trailers: [['Trajectory', 'traj_01...']]}) // ['traj_01...']
 */
export function trailerTrajectories(commit: Pick<CommitInfo, 'trailers'>): string[] {
  return commit.trailers
    .filter(([key, value]) => key.toLowerCase() === TRAJECTORY_TRAILER.toLowerCase() && isId(value.trim(), 'traj'))
    .map(([, value]) => value.trim())
}

/** A trajectory commits name in their trailers, that no store here holds. */
export interface TrajectoryNotHere {
  trajectory: string
  /** The commits naming it, in the order given. */
  commits: Oid[]
}

/**
 * The trajectories the `Trajectory:` trailers of `commits` name that no store in `sources` holds: recorded in
 * another clone (whose records `trail sync` brings), or in a store that is gone. One `git log` for the messages.
 *
 * @example const missing = await trajectoriesNotHere(repo, await linkSources(ctx), [oid])   // [{trajectory: 'traj_01...', commits: [oid]}]
 */
export async function trajectoriesNotHere(
  repo: GitRepo,
  sources: readonly LinkSource[],
  commits: readonly Oid[],
  signal?: AbortSignal,
): Promise<TrajectoryNotHere[]> {
  if (commits.length === 0) return []
  const named = new Map<string, Oid[]>()
  for (const commit of await repo.readCommits(commits, signal)) {
    for (const id of trailerTrajectories(commit)) named.set(id, [...new Set([...(named.get(id) ?? []), commit.oid])])
  }
  const held = await Promise.all(
    [...named.keys()].map(async (id) =>
      (await Promise.all(sources.map((source) => source.snapshot.readText(trajectoryPath(id))))).some((text) => text !== null),
    ),
  )
  return [...named].filter((_, index) => !held[index]).map(([trajectory, oids]) => ({trajectory, commits: oids}))
}

/** One trajectory a key leads to, in one store. */
export interface KeyHit {
  source: LinkSource
  trajectory: string
}

/**
 * The trajectories each key (a commit id, a patch id, a file's patch id) leads to, in every source: one read of a
 * folder per key and source, all in one round trip.
 *
 * @example const hits = await trajectoriesByKey(sources, [commitId])
 */
export async function trajectoriesByKey(sources: readonly LinkSource[], keys: readonly string[]): Promise<Map<string, KeyHit[]>> {
  const unique = [...new Set(keys)]
  const found = new Map<string, KeyHit[]>()
  await Promise.all(
    sources.flatMap((source) =>
      unique.map(async (key) => {
        const entries = await source.snapshot.list(linkKeyDir(key))
        for (const entry of entries) {
          const trajectory = entry.name.replace(/\.yaml$/, '')
          if (!isId(trajectory, 'traj')) continue
          const hits = found.get(key) ?? []
          if (!hits.some((hit) => hit.trajectory === trajectory)) hits.push({source, trajectory})
          found.set(key, hits)
        }
      }),
    ),
  )
  return found
}

/** What `parse` gives, or null when the record cannot be read (it is then left as it is). */
function parsedOrNull<T>(parse: () => T): T | null {
  try {
    return parse()
  } catch {
    return null
  }
}

/** Reads a link by trajectory and commit from a snapshot, or null. */
export async function readLink(snapshot: Snapshot, trajectoryId: string, commit: Oid): Promise<CommitLink | null> {
  const path = commitLinkPath(trajectoryId, commit)
  const text = await snapshot.readText(path)
  return text === null ? null : parseCommitLink(text, path)
}
