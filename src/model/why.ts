import type {Handoff} from './handoff.js'
import type {TrajectoryDetail} from './results.js'

// What `trail why` finds (services/why.ts), for render/why.ts: the trajectories behind lines of a file (or behind
// the whole file), with the lines each explains, and the lines no trajectory explains.

/** A commit of the file that explains lines (or, without lines, that changed it). */
export interface WhyCommit {
  oid: string
  subject: string
  author: string
  /** The file's path in that commit (another one when it moved or was renamed). */
  path: string
  /** The lines of the file it gave (line mode); [] without lines. */
  lines: number[]
  /** How its trajectory was found: its own link, or the patch id of its change to the file (rebased, squashed). */
  match: 'commit' | 'file'
}

export interface WhyTrajectory {
  detail: TrajectoryDetail
  /** The store it came from: null for this project's, else a sibling's or a remote's name. */
  source: string | null
  /** The lines it explains (line mode), ascending. */
  lines: number[]
  commits: WhyCommit[]
  /** For each decision (by id), the lines of the commit it led to; absent when that is not known. */
  decisionLines: Record<string, number[]>
  handoffs: Handoff[]
}

export interface WhyResult {
  /** The path from the top of the work tree. */
  path: string
  /** The commit looked from. */
  rev: string
  /** The ranges asked for, or null for the whole file. */
  ranges: [number, number][] | null
  /** The file is binary: it has no lines to blame (the file's trajectories are still found). */
  binary: boolean
  /** Newest first. */
  trajectories: WhyTrajectory[]
  /** Lines (or, without lines, commits) whose commits have no trajectory. */
  unexplained: {lines: number; commits: {oid: string; subject: string; author: string; lines: number[]}[]}
  /**
   * The history read reached where a shallow clone's history stops: the lines (line mode; [] without lines) whose
   * history is not here. Null for a history read to its start.
   */
  shallow?: {lines: number[]} | null
  /** Without lines: the file has older commits than the newest this many, which were read; null when all were. */
  newestRead?: number | null
  /**
   * Trajectories that the `Trajectory:` trailers of the commits with no recorded reasoning name, which no store here
   * holds (another clone recorded them: `trail sync` brings its records), each with the commits naming it. Not
   * looked for in an agent's context.
   */
  notHere?: {trajectory: string; commits: string[]}[]
}
