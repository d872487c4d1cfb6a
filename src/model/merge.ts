import type {Ledger} from './ledger.js'
import type {Trajectory} from './trajectory.js'

// Merging by meaning (DESIGN.md section 4). Two clones can only both change the files that one owner writes
// (trajectory.md, a ledger, project.yaml) or write one file twice (a receipt); every other record has a unique
// name. Which rule each kind follows is declared in ./kinds.ts. Such a file changed on both sides is merged field by field against the common version: a field changed on one side takes that side; a
// field changed on both takes the later `updated` (a finished status beats `active` whatever the times); lists
// changed on both become their union. Never conflict markers.

type Fields = Record<string, unknown>

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b)
}

/** The items of `ours`, then those of `theirs` that `ours` lacks. */
function union(ours: readonly unknown[], theirs: readonly unknown[]): unknown[] {
  const seen = new Set(ours.map((item) => JSON.stringify(item)))
  return [...ours, ...theirs.filter((item) => !seen.has(JSON.stringify(item)))]
}

export interface MergeRules {
  /** Decides a field both sides changed, before the general rules; null to leave it to them. */
  prefer?: (key: string, ours: unknown, theirs: unknown) => 'ours' | 'theirs' | null
}

/**
 * Three-way merge of two versions of a record's fields against their common version (null when there is none).
 *
 * @example mergeFields({a: 1, updated: 't0'}, {a: 2, updated: 't1'}, {a: 1, b: 3, updated: 't2'})
 * // {a: 2, updated: 't2', b: 3}
 */
export function mergeFields<T extends object>(base: T | null, ours: T, theirs: T, rules: MergeRules = {}): T {
  const b = (base ?? {}) as Fields
  const o = ours as Fields
  const t = theirs as Fields
  const theirsIsLater = String(t.updated ?? '') > String(o.updated ?? '')
  const merged: Fields = {}
  for (const key of new Set([...Object.keys(o), ...Object.keys(t)])) {
    const [mine, other, was] = [o[key], t[key], b[key]]
    let value: unknown
    if (same(mine, other) || same(other, was)) value = mine
    else if (same(mine, was)) value = other
    else if (key === 'updated') value = theirsIsLater ? other : mine
    else {
      const preferred = rules.prefer?.(key, mine, other) ?? null
      if (preferred) value = preferred === 'ours' ? mine : other
      else if (Array.isArray(mine) && Array.isArray(other)) value = union(mine, other)
      else value = theirsIsLater ? other : mine
    }
    if (value !== undefined) merged[key] = value
  }
  return merged as T
}

const FINISHED = new Set(['completed', 'abandoned'])

/** A trajectory changed on two clones: a finished status beats `active`; the rest field by field. */
export function mergeTrajectory(base: Trajectory | null, ours: Trajectory, theirs: Trajectory): Trajectory {
  return mergeFields(base, ours, theirs, {
    prefer: (key, mine, other) => {
      if (key !== 'status') return null
      if (FINISHED.has(String(mine)) && !FINISHED.has(String(other))) return 'ours'
      if (FINISHED.has(String(other)) && !FINISHED.has(String(mine))) return 'theirs'
      return null
    },
  })
}

/** A ledger changed on two clones: field by field, lists united. */
export function mergeLedger(base: Ledger | null, ours: Ledger, theirs: Ledger): Ledger {
  return mergeFields(base, ours, theirs)
}
