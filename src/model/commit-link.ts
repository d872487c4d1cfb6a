import {RecordFormatError} from '../errors.js'
import type {Value} from './front-matter.js'
import {isId} from './ids.js'
import {parseAgentName, type AgentName} from './names.js'
import {compact, FieldReader, renderYamlRecord, type Extensible} from './record.js'

// The link between a commit of the user's repository and a trajectory (DESIGN.md section 6), written by the git
// hooks (`trail init --hooks`): post-commit links a commit made while an agent had an active trajectory;
// post-rewrite carries the links of amended and rebased commits over to their new ids. Each link is its own
// immutable file in the trajectory's folder, named by the commit, so concurrent commits never touch the same file.
//
// Beside it, a link key per thing that identifies the commit's change, so a commit can be found from the outside
// without reading the store: its id, its patch id (the same change on another parent: a rebase, a cherry-pick),
// the patch id of each file's change, and the patch id of each file's change since the branch left the default
// branch (what a squash merge of the branch carries for that file). A key is a file whose path is the key itself
// (.trail/links/ab/cd/<key>/<trajectory>.yaml), so "which trajectories have this key" is one read of a folder,
// for any number of keys in one round trip, whatever the size of the store.

/** A hex commit or patch id: 40 characters (SHA-1) or 64 (SHA-256). */
const HEX_ID = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/

export function isHexId(text: string): boolean {
  return HEX_ID.test(text)
}

/** One file of a linked commit: its path and the patch ids of its change. */
export interface LinkedFile {
  path: string
  /** The patch id of this commit's change to the file (absent for a file this commit did not change). */
  patch?: string
  /**
   * The patch id of the file's change from the link's `base` to this commit: what a squash merge of the branch up to
   * here carries for the file. Recorded for every file the trajectory changed on the branch so far, so the newest
   * link of a trajectory knows its whole change. Absent when it equals `patch`.
   */
  combined?: string
}

export interface CommitLink extends Extensible {
  commit: string
  trajectory: string
  /** The agent that made the commit; for a carried-over link, the agent of the link it came from. */
  agent: AgentName
  /** When the link was recorded (ISO 8601, UTC). */
  at: string
  /** The branch the commit was made on (absent on a detached HEAD). */
  branch?: string
  /** The commit's subject, for readers that no longer have the commit (after a force-push). */
  subject?: string
  /** The patch id of the whole commit; absent for a change with no diff. */
  patch?: string
  /** Where the combined per-file patch ids are measured from: the merge base with the default branch. */
  base?: string
  files: LinkedFile[]
  /** How the link was made: by the commit's own hook, or carried over from `from` by a rebase or an amend. */
  via: 'commit' | 'rewrite'
  /** The commit this one was rewritten from (via: rewrite). */
  from?: string
}

export function renderCommitLink(link: CommitLink): string {
  return renderYamlRecord(link, (l) => ({
    commit: l.commit,
    trajectory: l.trajectory,
    agent: l.agent,
    at: l.at,
    branch: l.branch,
    subject: l.subject,
    patch: l.patch,
    base: l.base,
    via: l.via,
    from: l.from,
    files: l.files.length > 0 ? (l.files.map((file) => compact({...file})) as unknown as Value[]) : undefined,
  }))
}

export function parseCommitLink(text: string, path: string): CommitLink {
  const r = FieldReader.fromYaml(text, path)
  const commit = r.string('commit')
  if (!isHexId(commit)) throw new RecordFormatError(path, `field 'commit' is not a commit id`)
  const files = r.value('files')
  return compact({
    commit,
    trajectory: r.string('trajectory'),
    agent: r.name('agent', parseAgentName),
    at: r.string('at'),
    branch: r.optionalString('branch'),
    subject: r.optionalString('subject'),
    patch: r.optionalString('patch'),
    base: r.optionalString('base'),
    via: r.oneOf('via', ['commit', 'rewrite'] as const),
    from: r.optionalString('from'),
    files: Array.isArray(files)
      ? files.flatMap((item) => {
          const file = (item ?? {}) as Record<string, Value>
          if (typeof file.path !== 'string') return []
          const text = (value: Value | undefined) => (typeof value === 'string' ? value : undefined)
          return [compact({path: file.path, patch: text(file.patch), combined: text(file.combined)})]
        })
      : [],
    extra: r.rest(),
  })
}

/** A link key: "the change identified by `key` belongs to `trajectory`". Its content follows from its path alone. */
export interface LinkKey extends Extensible {
  key: string
  trajectory: string
}

export function renderLinkKey(entry: LinkKey): string {
  return renderYamlRecord(entry, (e) => ({key: e.key, trajectory: e.trajectory}))
}

export function parseLinkKey(text: string, path: string): LinkKey {
  const r = FieldReader.fromYaml(text, path)
  const key = r.string('key')
  const trajectory = r.string('trajectory')
  if (!isHexId(key)) throw new RecordFormatError(path, `field 'key' is not a commit or patch id`)
  if (!isId(trajectory, 'traj')) throw new RecordFormatError(path, `field 'trajectory' is not a trajectory id`)
  return compact({key, trajectory, extra: r.rest()})
}

/** At most this many files of a commit get keys of their own (a generated change of thousands of files gets none past it). */
export const MAX_KEYED_FILES = 100

/**
 * Every key a link is found by: the commit id, the whole patch id, and each file's patch ids (own and combined),
 * for the first MAX_KEYED_FILES files.
 */
export function linkKeys(link: CommitLink): string[] {
  const keys = [link.commit, link.patch, ...link.files.slice(0, MAX_KEYED_FILES).flatMap((file) => [file.patch, file.combined])]
  return [...new Set(keys.filter((key): key is string => key !== undefined))]
}
