import type {GitRepo} from '../git/repo.js'
import {recordByteLimit} from '../model/foreign-entries.js'
import {quoteInput} from '../model/text.js'
import {Snapshot, type ReadBound} from '../store/snapshot.js'
import type {Context} from './context.js'

// A sibling's store is someone else's: whatever it holds, nothing read from it can stop this project's agents.
// Every read of a sibling goes through a bounded snapshot (store/snapshot.ts ReadBound): a record over the size
// limit ($RELAY_TRAIL_MAX_RECORD_BYTES, 16 MiB by default) is never read whole, and is left out with a warning
// naming the sibling and the path, as an unreadable sibling is.

/** The bound every read of sibling `name` goes through; what it leaves out is said on stderr, once per path. */
export function siblingBound(ctx: Pick<Context, 'env' | 'warn'>, name: string): ReadBound {
  return {
    maxRecordBytes: recordByteLimit(ctx.env),
    leftOut: (path, reason) => ctx.warn(`sibling ${name}: ${quoteInput(path, 120)} is left out: ${reason}`),
  }
}

/**
 * A sibling's store at `revision` (its fetched ref, refs/trail/siblings/<name>/records, or one of its commits),
 * bounded. Throws RepositoryError when the store cannot be read at all (its commit or format file over the limit).
 *
 * @example const theirs = await readSiblingSnapshot(ctx, repo, 'backend', sibling.ref)
 */
export function readSiblingSnapshot(ctx: Pick<Context, 'env' | 'warn'>, repo: GitRepo, name: string, revision: string): Promise<Snapshot> {
  return Snapshot.read(repo, revision, siblingBound(ctx, name))
}
