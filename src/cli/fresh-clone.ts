import type {Context} from '../services/context.js'
import {STORE_REF} from '../model/layout.js'

// A fresh clone has no records: `git clone` fetches refs/heads/* and tags, never refs/trail/*, so the first
// `trail list` in it would be a silent empty list though origin holds a year of records. Asking origin would cost a
// network round trip (`git ls-remote`) on a read, so it is not asked: when this clone has no store at all and has
// a remote (origin, or any other name: `git clone -o upstream`), the first reads (FIRST_READS) say on stderr, in
// one line, how to get the remote's records if it has any. Once `trail sync` (or any write) has made the store,
// the line is never printed again. When a plain `git fetch` brought a remote's records into its tracking ref (the
// refspec `trail init --push` adds) but they were not adopted yet, the line says so. The check costs one look-up in the `git cat-file` already running for the
// command and a read of .git/config: no process, no network.

/** The commands that say it: every read of records a person or an agent runs first in a clone. */
export const FIRST_READS: ReadonlySet<string> = new Set([
  'trail list',
  'trail status',
  'trail show',
  'trail export',
  'trail why',
  'trail review',
  'relay inbox',
  'relay search',
  'relay thread',
  'relay continuity load',
  'relay continuity search',
])

/** The line to print on stderr, or null (a store exists, no remote, or anything fails). */
export async function freshCloneNote(ctx: Context): Promise<string | null> {
  try {
    const {repo} = await ctx.store()
    // Through the `git cat-file --batch` every read has running already: no process is started for a store that exists.
    if ((await repo.resolveRef(STORE_REF)) !== null) return null
    // Every remote, whatever its name (`git clone -o upstream`), origin first.
    const remotes = repo
      .localConfig()
      .subsections('remote', 'url')
      .map(([name]) => name)
      .sort((a, b) => Number(b === 'origin') - Number(a === 'origin'))
    if (remotes.length === 0) return null
    for (const remote of remotes) {
      // A name that cannot be part of a ref is not looked up (it would be a line of its own to `git cat-file`).
      if (/^[\w.-]+(\/[\w.-]+)*$/.test(remote) && (await repo.resolveForeignRef(`refs/trail/remotes/${remote}/records`)) !== null) {
        return `note: ${remote}'s records were fetched but are not in this clone's store yet; get them with: ${syncCommand(remote)}`
      }
    }
    return `note: this clone has no records yet; if ${remotes.join(' or ')} has records, get them with: ${remotes.map(syncCommand).join(' or ')}`
  } catch {
    return null
  }
}

/** The command that brings a remote's records: `trail sync` for origin, its default. */
function syncCommand(remote: string): string {
  return remote === 'origin' ? 'trail sync' : `trail sync ${remote}`
}
