import type {CommitLink} from './commit-link.js'
import type {Handoff} from './handoff.js'
import type {Message} from './message.js'
import type {AgentName} from './names.js'
import type {TrajectoryDetail} from './results.js'

// What `trail review <base>..<head>` finds (services/review.ts), for render/review.ts to turn into Markdown for a
// pull request, text for a terminal, or JSON: the commits of the range, the trajectories linked to them and how,
// what needs a reviewer's attention, and how much of the range is covered.

/** How a commit was found to belong to a trajectory, strongest first. */
export const MATCHES = ['trailer', 'commit', 'patch', 'files', 'branch'] as const
export type Match = (typeof MATCHES)[number]

/** A commit of the range and the trajectories it belongs to. */
export interface ReviewCommit {
  oid: string
  subject: string
  author: string
  date: string
  /** More than one parent: a merge commit. */
  merge: boolean
  links: {trajectory: string; match: Match; files?: string[]}[]
}

/** A decision whose commit is no longer in the range (a force-push dropped it). */
export interface StaleDecision {
  decision: string
  commit: string
  subject: string | null
}

export interface ReviewTrajectory {
  detail: TrajectoryDetail
  /** The store it was found in: null for this project's, else a remote's or a sibling's name. */
  source: string | null
  /** How it was found: every way, strongest first. */
  matches: Match[]
  /** The commits of the range linked to it, newest first. */
  commits: string[]
  /** Every commit link it has (in the range or not), oldest first. */
  links: CommitLink[]
  stale: StaleDecision[]
  /** The handoffs written while it was active. */
  handoffs: Handoff[]
  /** The threads its agent wrote in while it was active, with their messages (oldest first). */
  threads: {thread: string; messages: Message[]}[]
  /** Items to verify, from its agent's continuity ledger. */
  uncertain: string[]
}

export type AttentionKind = 'low-confidence' | 'abandoned' | 'uncertain' | 'stale'

/** Something a reviewer should look at first. */
export interface AttentionItem {
  kind: AttentionKind
  trajectory: string
  title: string
  /** What it is about: the confidence, the reason, the item to verify, the decision and its commit. */
  text: string
}

/** A file changed in the range, and the decisions whose commits changed it. */
export interface FileDecisions {
  path: string
  decisions: {trajectory: string; title: string; confidence: number | null}[]
}

export interface ReviewResult {
  /** As given ("main..HEAD"), or as worked out ("<merge base>..HEAD"). */
  range: string
  base: string
  head: string
  /** The branch reviewed, when known (trajectories started on it are linked too). */
  branch: string | null
  /** Every commit of the range, newest first. */
  commits: ReviewCommit[]
  /** The linked trajectories, oldest first. */
  trajectories: ReviewTrajectory[]
  attention: AttentionItem[]
  files: FileDecisions[]
  /** Trajectory ids named by a trailer that no store here holds. */
  unknown: string[]
}

// --- reading a review back from its JSON (the workflow renders the artifact of an untrusted job) -----------------

type Json = Record<string, unknown>

const object = (value: unknown): Json => (value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : {})
const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : [])
const text = (value: unknown, fallback = ''): string => (typeof value === 'string' ? value : typeof value === 'number' ? String(value) : fallback)
const optional = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined)
const number = (value: unknown): number | undefined => (typeof value === 'number' && Number.isFinite(value) ? value : undefined)
const strings = (value: unknown): string[] => list(value).map((item) => text(item))

/**
 * A review from the JSON `trail review --format json` printed, as render/review.ts takes it. The JSON may come from
 * anywhere (a pull request's job that its author can change): every field is checked for its type, and what is
 * missing or of another type becomes empty. Rendering escapes every string whatever it holds.
 *
 * @example const review = parseReviewJson(readFileSync('review.json', 'utf8'))
 */
export function parseReviewJson(raw: string): ReviewResult {
  const value = object(JSON.parse(raw))
  const matches = (items: unknown) => strings(items).filter((item): item is Match => (MATCHES as readonly string[]).includes(item))
  return {
    range: text(value.range),
    base: text(value.base),
    head: text(value.head),
    branch: optional(value.branch) ?? null,
    commits: list(value.commits).map((item) => {
      const c = object(item)
      return {
        oid: text(c.oid),
        subject: text(c.subject),
        author: text(c.author),
        date: text(c.date),
        merge: c.merge === true,
        links: list(c.links).map((entry) => {
          const l = object(entry)
          const match = matches([l.match])[0] ?? 'commit'
          return {trajectory: text(l.trajectory), match, ...(Array.isArray(l.files) ? {files: strings(l.files)} : {})}
        }),
      }
    }),
    trajectories: list(value.trajectories).map((item) => {
      const t = object(item)
      const id = text(t.id)
      const agent = text(t.agent) as AgentName
      return {
        detail: {
          trajectory: {
            id,
            title: text(t.title),
            status: (['active', 'completed', 'abandoned'] as const).find((status) => status === t.status) ?? 'active',
            agent,
            started: text(t.started),
            updated: text(t.updated),
            ended: optional(t.ended),
            task: optional(t.task),
            source: optional(t.source),
            url: optional(t.url),
            branch: optional(t.branch),
            summary: optional(t.summary),
            confidence: number(t.confidence),
            approach: optional(t.approach),
            challenges: strings(t.challenges),
            learnings: strings(t.learnings),
            reason: optional(t.reason),
          },
          events: list(t.decisions).map((entry) => {
            const d = object(entry)
            return {
              id: text(d.id),
              kind: (['decision', 'note', 'reflection'] as const).find((kind) => kind === d.kind) ?? 'decision',
              trajectory: id,
              agent: text(d.agent) as AgentName,
              at: text(d.at),
              title: text(d.title),
              reasoning: optional(d.reasoning),
              alternatives: strings(d.alternatives),
              confidence: number(d.confidence),
            }
          }),
        },
        source: optional(t.store) ?? null,
        matches: matches(t.matches),
        commits: strings(t.commits),
        links: list(t.links).map((entry) => {
          const l = object(entry)
          return {
            commit: text(l.commit),
            trajectory: id,
            agent,
            at: text(l.at),
            branch: optional(l.branch),
            subject: optional(l.subject),
            patch: optional(l.patch),
            via: l.via === 'rewrite' ? 'rewrite' : 'commit',
            from: optional(l.from),
            files: list(l.files).map((file) => ({
              path: text(object(file).path),
              patch: optional(object(file).patch),
              combined: optional(object(file).combined),
            })),
          }
        }),
        stale: list(t.stale).map((entry) => {
          const s = object(entry)
          return {decision: text(s.decision), commit: text(s.commit), subject: optional(s.subject) ?? null}
        }),
        handoffs: list(t.handoffs).map((entry) => {
          const h = object(entry)
          return {
            id: text(h.id),
            agent: text(h.agent) as AgentName,
            created: text(h.created),
            currentTask: optional(h.currentTask),
            completed: [],
            inProgress: strings(h.inProgress),
            nextSteps: strings(h.nextSteps),
            keyDecisions: [],
            files: [],
            uncertain: strings(h.uncertain),
            notes: [],
          }
        }),
        threads: list(t.threads).map((entry) => {
          const th = object(entry)
          return {
            thread: text(th.thread),
            messages: list(th.messages).map((message) => {
              const m = object(message)
              return {id: text(m.id), from: text(m.from) as AgentName, to: text(m.to), created: text(m.created), body: text(m.body)}
            }),
          }
        }),
        uncertain: strings(t.uncertain),
      }
    }),
    attention: list(value.attention).map((item) => {
      const a = object(item)
      const kind = (['low-confidence', 'abandoned', 'uncertain', 'stale'] as const).find((k) => k === a.kind) ?? 'uncertain'
      return {kind, trajectory: text(a.trajectory), title: text(a.title), text: text(a.text)}
    }),
    files: list(value.files).map((item) => {
      const f = object(item)
      return {
        path: text(f.path),
        decisions: list(f.decisions).map((entry) => {
          const d = object(entry)
          return {trajectory: text(d.trajectory), title: text(d.title), confidence: number(d.confidence) ?? null}
        }),
      }
    }),
    unknown: strings(value.unknown),
  }
}
