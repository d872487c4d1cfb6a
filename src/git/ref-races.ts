// git's words for a ref update that lost a race, read in one place. Every compare-and-swap of a ref (a local
// `update-ref` or `fast-import`, and the remote's own when we push) fails with one of these when another process
// got there first; the caller re-reads and tries again. Anything else (permissions, a refs/trail/records/ folder
// in the way, a hook refusing a push) is not a race and is reported as it is: trying again would only repeat it.
// git prints these in English because every child gets LC_ALL=C (./process.ts).

/** Another writer moved the ref (or created it) since it was read: re-read, recompute, retry. */
const MOVED = [
  /Not updating /, // fast-import: "Not updating <ref> (new tip X does not contain Y)"
  /is at [0-9a-f]+ but expected [0-9a-f]+/, // "cannot lock ref '<ref>': is at X but expected Y"
  /reference already exists/, // created by another writer since we saw none
  /incorrect old value provided/, // a ref transaction's old value no longer holds (newer git)
  /unable to resolve reference/, // update-ref --stdin: deleted since it was read
]

/** git's lock file on the ref ("<ref>.lock") exists: another git process is updating it, or died doing so. */
const LOCKED = /Unable to create '([^']+\.lock)': File exists/

/** What a failed local ref update came to, read from git's stderr. */
export type RefUpdateFailure = {kind: 'moved'} | {kind: 'locked'; lockPath: string} | {kind: 'other'}

/**
 * Reads why a local ref update failed.
 *
 * @example readRefUpdateFailure("fatal: cannot lock ref 'refs/trail/records': reference already exists") // {kind: 'moved'}
 */
export function readRefUpdateFailure(stderr: string): RefUpdateFailure {
  const locked = LOCKED.exec(stderr)
  if (locked) return {kind: 'locked', lockPath: locked[1]!}
  return MOVED.some((pattern) => pattern.test(stderr)) ? {kind: 'moved'} : {kind: 'other'}
}

/**
 * Whether a failed push lost a race: the remote's ref moved since it was read (rejected as not a fast-forward,
 * "fetch first"), or moved during the push, so that the remote's own compare-and-swap failed ("[remote rejected]
 * (failed to update ref)" with "reference already exists" when two clones create it at the same moment, "is at X
 * but expected Y", or its lock held by the other push). A hook's refusal or a permission error is not a race.
 *
 * @example isPushRace('!\trefs/trail/records:refs/trail/records\t[rejected] (fetch first)') // true
 */
export function isPushRace(report: string): boolean {
  if (/\[rejected\]|\(fetch first\)|non-fast-forward|stale info/.test(report)) return true
  return /\[remote rejected\]/.test(report) && (MOVED.some((pattern) => pattern.test(report)) || LOCKED.test(report))
}
