// The error classes every layer throws. Each names the problem in one line, carries a `hint` with the fix, and a
// stable `code` to branch on (never branch on wording). The exit code follows from the code, through the one table
// below (ERROR_CODES), which the README reproduces (test/readme.test.ts keeps the two equal).

import {clip} from './model/text.js'

/** Exit codes, one table for both executables. */
export const EXIT = {
  ok: 0,
  failure: 1,
  usage: 2,
  state: 3,
  conflict: 4,
  repository: 5,
} as const

export type ExitCode = (typeof EXIT)[keyof typeof EXIT]

/** What each exit code means, in the words the README uses. */
export const EXIT_MEANING: Record<ExitCode, string> = {
  [EXIT.ok]: 'success (also: nothing to show)',
  [EXIT.failure]: 'the operation failed (a git command failed, a file could not be written)',
  [EXIT.usage]: 'bad usage: an unknown flag, a missing argument, an invalid value or name, input that cannot be read',
  [EXIT.state]: 'the store is not in a state that allows it: nothing active, already active, no such record',
  [EXIT.conflict]: 'the store stayed busy: the write lost the compare-and-swap race too many times',
  [EXIT.repository]: 'not a git repository, an unsupported repository, or a record that cannot be read',
}

/**
 * Every error code, what it means, and the exit code it gives. A code is added here before it is thrown anywhere
 * (the type of TrailError's `code` is this table's keys).
 */
export const ERROR_CODES = {
  E_USAGE: {exit: EXIT.usage, meaning: 'a flag or an argument is wrong'},
  E_EMPTY: {exit: EXIT.usage, meaning: 'a title, a text or a message is empty'},
  E_TOO_LONG: {exit: EXIT.usage, meaning: 'a text or a file is over its size limit'},
  E_NAME: {exit: EXIT.usage, meaning: 'an agent, project, thread, sibling or outbox file name is not valid'},
  E_TARGET: {exit: EXIT.usage, meaning: 'a message target is not valid'},
  E_URL: {exit: EXIT.usage, meaning: 'a link is not a URL'},
  E_DATE: {exit: EXIT.usage, meaning: 'a date or a time span cannot be read'},
  E_CONFIDENCE: {exit: EXIT.usage, meaning: 'a confidence is not a number from 0 to 1'},
  E_REGEX: {exit: EXIT.usage, meaning: 'a regular expression is not valid'},
  E_REMOTE: {exit: EXIT.usage, meaning: 'a remote is neither a remote of this repository nor a repository'},
  E_SETTINGS: {exit: EXIT.usage, meaning: "a settings file of the user's cannot be read, and is left as it is"},
  E_OUTBOX: {exit: EXIT.usage, meaning: 'an outbox file or folder cannot be used, and is left in place'},
  E_INPUT: {exit: EXIT.usage, meaning: 'the input named cannot be read (no such file, not a regular file)'},
  E_PATH: {exit: EXIT.usage, meaning: 'a path the user gave cannot be written safely (inside .git, through a link)'},
  E_PHASE: {exit: EXIT.usage, meaning: 'a phase is not one of plan, design, execute, review, observe'},
  E_EVENT_TYPE: {exit: EXIT.usage, meaning: 'an event type is not a word (observation, tool_call, error)'},
  E_NOT_SUPPORTED: {exit: EXIT.usage, meaning: 'an agent-trajectories command or flag that relay-trail does not take; the message names what to use'},
  E_NOT_FOUND: {exit: EXIT.state, meaning: 'no record, sibling or message matches'},
  E_NO_ACTIVE: {exit: EXIT.state, meaning: 'the agent has no active trajectory'},
  E_ALREADY_ACTIVE: {exit: EXIT.state, meaning: 'the agent already has an active trajectory'},
  E_NOT_ACTIVE: {exit: EXIT.state, meaning: 'the trajectory named has ended, and cannot be resumed'},
  E_CONFLICT: {exit: EXIT.conflict, meaning: 'other writers kept moving the ref'},
  E_LOCKED: {exit: EXIT.conflict, meaning: 'a lock file left by a killed git process blocks writes to the ref'},
  E_REPOSITORY: {exit: EXIT.repository, meaning: 'the repository cannot be used'},
  E_NOT_A_REPO: {exit: EXIT.repository, meaning: 'not inside a git repository'},
  E_GIT_DIR: {exit: EXIT.repository, meaning: 'GIT_DIR names another repository than the current folder'},
  E_FORMAT: {exit: EXIT.repository, meaning: 'the store was written by a newer version'},
  E_RECORD: {exit: EXIT.repository, meaning: 'a record on the ref cannot be read'},
  E_GIT: {exit: EXIT.failure, meaning: 'a git command failed'},
  E_MERGE: {exit: EXIT.failure, meaning: 'a record changed on two clones cannot be merged'},
  E_TIMEOUT: {exit: EXIT.failure, meaning: 'a git command ran over its time limit and was stopped (a --regex search)'},
  E_TRAIL: {exit: EXIT.failure, meaning: 'the operation failed'},
  E_ASSETS: {exit: EXIT.failure, meaning: "the installation is incomplete: the dashboard's page was not built"},
  E_INTERNAL: {exit: EXIT.failure, meaning: 'a bug: please report it, with DEBUG=1 output'},
} as const satisfies Record<string, {exit: ExitCode; meaning: string}>

export type ErrorCode = keyof typeof ERROR_CODES

export class TrailError extends Error {
  readonly exitCode: ExitCode

  constructor(
    message: string,
    readonly hint?: string,
    readonly code: ErrorCode = 'E_TRAIL',
  ) {
    super(message)
    this.name = new.target.name
    this.exitCode = ERROR_CODES[code].exit
  }
}

/** Bad flags, arguments, values or input: what the user (or the agent) gave is wrong. */
export class UsageError extends TrailError {
  constructor(message: string, hint?: string, code: ErrorCode = 'E_USAGE') {
    super(message, hint, code)
  }
}

/** The request is well-formed, but the store's state does not allow it. */
export class StateError extends TrailError {}

export class NotFoundError extends StateError {
  constructor(message: string, hint?: string) {
    super(message, hint, 'E_NOT_FOUND')
  }
}

export class NoActiveTrajectoryError extends StateError {
  constructor(agent: string) {
    super(`no active trajectory for agent '${agent}'`, 'start one with: trail start "<title>"', 'E_NO_ACTIVE')
  }
}

/** `trail start` while the agent has an active trajectory: names it and how to finish it. */
export class AlreadyActiveError extends StateError {
  constructor(trajectory: {id: string; agent: string; title: string}) {
    super(
      `agent '${trajectory.agent}' already has an active trajectory: ${trajectory.id} "${clip(trajectory.title.replace(/\s+/g, ' '), 60)}"`,
      'finish it first with: trail complete --summary "<what was done>"   or: trail abandon --reason "<why>"',
      'E_ALREADY_ACTIVE',
    )
  }
}

/** The compare-and-swap kept losing: other writers were faster every time. */
export class ConflictError extends TrailError {
  constructor(message: string, hint?: string) {
    super(message, hint, 'E_CONFLICT')
  }
}

/**
 * git's own lock file on the ref, left by a git process that was killed while updating it, blocks every write;
 * names the file and the command that removes it.
 */
export class LockedError extends TrailError {
  constructor(
    readonly lockPath: string,
    ageMs: number,
  ) {
    super(
      `${lockPath} is ${Math.round(ageMs / 1000)} s old: git holds that lock for milliseconds while it updates the ref, so a git process was killed and left it, and it blocks every write`,
      `if no git command is running in this repository, remove it: rm '${lockPath.replace(/'/g, `'\\''`)}'   (or: trail doctor --fix)`,
      'E_LOCKED',
    )
  }
}

/** Not a repository, an unsupported one, or a store this version cannot read. */
export class RepositoryError extends TrailError {
  constructor(message: string, hint?: string, code: ErrorCode = 'E_REPOSITORY') {
    super(message, hint, code)
  }
}

/** A record on the ref that cannot be parsed. Names the path so a person can look at it. */
export class RecordFormatError extends RepositoryError {
  constructor(
    readonly path: string,
    problem: string,
  ) {
    super(`cannot read record ${path}: ${problem}`, `inspect it with: git show refs/trail/records:${path}`, 'E_RECORD')
  }
}

/** A git command that failed: keeps git's own exit code and stderr. */
export class GitError extends TrailError {
  constructor(
    readonly args: readonly string[],
    readonly gitExitCode: number | null,
    readonly stderr: string,
    hint?: string,
  ) {
    const firstLine = stderr.split('\n').find((line) => line.trim() !== '') ?? `exit code ${gitExitCode}`
    super(`git ${args[0] ?? ''} failed: ${firstLine.replace(/^(fatal|error): /, '')}`, hint, 'E_GIT')
  }
}

/** A git command stopped because it ran over its time limit (a sibling's fetch, a --regex search). */
export class GitTimeoutError extends TrailError {
  constructor(
    readonly args: readonly string[],
    readonly timeoutMs: number,
    hint?: string,
  ) {
    super(`git ${args[0] ?? ''} ran over its time limit of ${formatSeconds(timeoutMs)} and was stopped`, hint, 'E_TIMEOUT')
  }
}

/** "60 s", "0.5 s": a time limit as the flags that set it take it. */
export function formatSeconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(3))} s`
}

/** Front matter that is not the YAML a record needs (model/front-matter.ts); a record's reader names the path. */
export class FrontMatterError extends Error {}

/** An outbox file that is not in the outbox format (protocol/outbox.ts); the caller names the file. */
export class OutboxFormatError extends Error {}

/** A .git file or folder that does not make a repository (git/discover.ts); the caller words the error. */
export class InvalidRepositoryError extends Error {}
