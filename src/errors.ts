// The error classes every layer throws. Each names the problem in one line, carries a `hint` with the fix, a
// stable `code` to branch on (never branch on wording), and the process exit code from the table below, which the
// README reproduces (a test keeps the two equal).

/** Exit codes, one table for both executables. */
export const EXIT = {
  ok: 0,
  failure: 1,
  usage: 2,
  state: 3,
  conflict: 4,
  repository: 5,
} as const

/** What each exit code means, in the words the README uses. */
export const EXIT_MEANING: Record<number, string> = {
  [EXIT.ok]: 'success (also: nothing to show)',
  [EXIT.failure]: 'the operation failed (a git command failed, a file could not be written)',
  [EXIT.usage]: 'bad usage: an unknown flag, a missing argument, an invalid value or name',
  [EXIT.state]: 'the store is not in a state that allows it: nothing active, already active, no such record',
  [EXIT.conflict]: 'the store stayed busy: the write lost the compare-and-swap race too many times',
  [EXIT.repository]: 'not a git repository, an unsupported repository, or a record that cannot be read',
}

export class TrailError extends Error {
  constructor(
    message: string,
    readonly hint?: string,
    readonly code: string = 'E_TRAIL',
    readonly exitCode: number = EXIT.failure,
  ) {
    super(message)
    this.name = new.target.name
  }
}

/** Bad flags, arguments or values: what the user typed is wrong. */
export class UsageError extends TrailError {
  constructor(message: string, hint?: string, code = 'E_USAGE') {
    super(message, hint, code, EXIT.usage)
  }
}

/** The request is well-formed, but the store's state does not allow it. */
export class StateError extends TrailError {
  constructor(message: string, hint: string | undefined, code: string) {
    super(message, hint, code, EXIT.state)
  }
}

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

/** The compare-and-swap kept losing: other writers were faster every time. */
export class ConflictError extends TrailError {
  constructor(message: string, hint?: string) {
    super(message, hint, 'E_CONFLICT', EXIT.conflict)
  }
}

/** Not a repository, an unsupported one, or a store this version cannot read. */
export class RepositoryError extends TrailError {
  constructor(message: string, hint?: string, code = 'E_REPOSITORY') {
    super(message, hint, code, EXIT.repository)
  }
}

/** A record on the ref that cannot be parsed. Names the path so a person can look at it. */
export class RecordFormatError extends RepositoryError {
  constructor(readonly path: string, problem: string) {
    super(`cannot read record ${path}: ${problem}`, 'inspect it with: git show refs/trail/records:' + path, 'E_RECORD')
  }
}

/** A git command that failed: keeps git's own exit code and stderr. */
export class GitError extends TrailError {
  constructor(
    readonly args: readonly string[],
    readonly gitExitCode: number | null,
    readonly stderr: string,
  ) {
    const firstLine = stderr.split('\n').find((line) => line.trim() !== '') ?? `exit code ${gitExitCode}`
    super(`git ${args[0] ?? ''} failed: ${firstLine.replace(/^(fatal|error): /, '')}`, undefined, 'E_GIT', EXIT.failure)
  }
}
