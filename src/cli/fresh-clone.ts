import type {Context} from '../services/context.js'
import {STORE_REF} from '../model/layout.js'

// A fresh clone has no records: `git clone` fetches refs/heads/* and tags, never refs/trail/*, so the first
// `trail list` in it would be a silent empty list though origin holds a year of records. Asking origin would cost a
// network round trip (`git ls-remote`) on a read, so it is not asked: when this clone has no store at all and has
// a remote named origin, the first reads (FIRST_READS) say on stderr, in one line, how to get origin's records if it
// has any. Once `trail sync` (or any write) has made the store, the line is never printed again. When a plain
// `git fetch` brought origin's records into the tracking ref (the refspec `trail init --push` adds) but they were
// not adopted yet, the line says so. The check costs one look-up in the `git cat-file` already running for the
// command and a read of .git/config: no process, no network.

/** The commands that say it: the reads a person runs first in a clone. */
export const FIRST_READS: ReadonlySet<string> = new Set(['trail list', 'trail status', 'trail show', 'relay inbox', 'relay search'])

/** The line to print on stderr, or null (a store exists, no origin, or anything fails). */
export async function freshCloneNote(ctx: Context): Promise<string | null> {
  try {
    const {repo} = await ctx.store()
    // Through the `git cat-file --batch` every read has running already: no process is started for a store that exists.
    if ((await repo.resolveRef(STORE_REF)) !== null) return null
    if (repo.localConfig().values('remote.origin.url').length === 0) return null
    if ((await repo.resolveForeignRef('refs/trail/remotes/origin/records')) !== null) {
      return "note: origin's records were fetched but are not in this clone's store yet; get them with: trail sync"
    }
    return 'note: this clone has no records yet; if origin has records, get them with: trail sync'
  } catch {
    return null
  }
}
