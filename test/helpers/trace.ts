import {readFileSync, rmSync} from 'node:fs'
import {join} from 'node:path'
import {type BIN, type CliOptions, type CliResult, runCli} from './cli.js'
import {makeTempDir} from './repo.js'

// What a command read and which git processes it started, from the trace RELAY_TRAIL_TRACE=<file> makes
// (src/git/process.ts): the proof of the claims "without reading the store" is a count.

/** One line of the trace: the process that wrote it, what happened, and its fields. */
export interface TraceLine {
  pid: number
  kind: 'git' | 'git-exit' | 'read' | 'cached' | 'commit-read' | 'commit-cached' | 'write' | 'file' | 'commit' | 'commit-end'
  fields: string[]
}

/** An object read through the cat-file reader: its type ('missing' when absent) and the path asked for, if any. */
export interface TracedRead {
  type: string
  /** The whole name asked for: `<tree>:<path>`, an oid or a ref. */
  name: string
  /** The path inside the tree for `<tree>:<path>` (also `<ref>:<path>`); '' for a tree or commit read by name. */
  path: string
}

export class Trace {
  constructor(readonly lines: readonly TraceLine[]) {}

  static parse(text: string): Trace {
    const lines = text
      .split('\n')
      .filter(Boolean)
      .map((line) => {
        const [pid, kind, ...fields] = line.split('\t')
        return {pid: Number(pid), kind: kind as TraceLine['kind'], fields}
      })
    return new Trace(lines)
  }

  /** Reads the trace file a command wrote (an empty trace when it wrote none). */
  static read(file: string): Trace {
    let text = ''
    try {
      text = readFileSync(file, 'utf8')
    } catch {
      // no trace file: nothing was traced
    }
    return Trace.parse(text)
  }

  /** The subcommands of the git processes started ('cat-file', 'fast-import', 'grep', ...), in order. */
  get processes(): string[] {
    return this.lines.filter((line) => line.kind === 'git').map((line) => line.fields[0]!)
  }

  /** Every file and folder of the work-tree mirror read as a file (src/store/mirror-read.ts): "read <path>", "list <path>". */
  get files(): string[] {
    return this.lines.filter((line) => line.kind === 'file').map((line) => line.fields.join(' '))
  }

  /**
   * Every object the command read: through the cat-file reader, or from the objects the last write carried
   * (src/git/carried-objects.ts). Not the folders a commit made in the process looks at to change them.
   */
  get reads(): TracedRead[] {
    return this.lines
      .filter((line) => line.kind === 'read' || line.kind === 'cached')
      .map((line) => {
        const name = line.fields[1]!
        const colon = name.indexOf(':')
        return {type: line.fields[0]!, name, path: colon < 0 ? '' : name.slice(colon + 1)}
      })
  }

  /** The paths of the blobs read (files), in the order read. */
  get blobPaths(): string[] {
    return this.reads.filter((read) => read.type === 'blob').map((read) => read.path)
  }

  /** The paths of the trees read (folders listed), in the order read. */
  get treePaths(): string[] {
    return this.reads.filter((read) => read.type === 'tree').map((read) => read.path)
  }
}

/** The trajectory.md files among `paths`. */
export const trajectoryFiles = (paths: readonly string[]) => paths.filter((path) => /^\.trail\/trajectories\/.*\/trajectory\.md$/.test(path))
/** The event files among `paths`. */
export const eventFiles = (paths: readonly string[]) => paths.filter((path) => /^\.trail\/trajectories\/.*\/events\/ev_\w+\.md$/.test(path))
/** The day folders (.trail/trajectories/YYYY/MM/DD) among `paths`. */
export const dayFolders = (paths: readonly string[]) => paths.filter((path) => /^\.trail\/trajectories\/\d{4}\/\d\d\/\d\d$/.test(path))

/** Runs `trail ...` or `relay ...` as runCli does, with RELAY_TRAIL_TRACE set; returns its result and its trace. */
export async function runTraced(cwd: string, argv: [keyof typeof BIN, ...string[]], options: CliOptions = {}): Promise<CliResult & {trace: Trace}> {
  const dir = makeTempDir('trace')
  try {
    const file = join(dir, 'trace')
    const result = await runCli(cwd, argv, {...options, env: {...options.env, RELAY_TRAIL_TRACE: file}})
    return {...result, trace: Trace.read(file)}
  } finally {
    rmSync(dir, {recursive: true, force: true})
  }
}
