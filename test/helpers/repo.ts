import {execFileSync} from 'node:child_process'
import {createHash} from 'node:crypto'
import {mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {dirname, join} from 'node:path'
import assert from 'node:assert/strict'
import {after} from 'node:test'

// Temporary repositories with real git, and the proof that the user's state is untouched: the porcelain status,
// the index file's bytes, HEAD, the branches, the stash and the config, before and after.

/**
 * How every folder the tests make in the temporary folder begins: `npm test` (scripts/test.mjs) fails a run that
 * leaves one behind. Make them with makeTempDir (and remove them) or useTempDirs (removed for you).
 */
export const TEMP_PREFIX = 'relay-trail-test-'

/** A new empty folder in the temporary folder, named relay-trail-test-<label>-XXXXXX, by its real path. */
export function makeTempDir(label: string): string {
  return realpathSync(mkdtempSync(join(tmpdir(), `${TEMP_PREFIX}${label}-`)))
}

/**
 * A maker of temporary folders, all removed after the tests of the file (called at the top of a file) or of the
 * suite (called in a describe) are done.
 */
export function useTempDirs(): (label: string) => string {
  const made: string[] = []
  after(() => {
    for (const dir of made) rmSync(dir, {recursive: true, force: true})
  })
  return (label) => {
    const dir = makeTempDir(label)
    made.push(dir)
    return dir
  }
}

/** A home folder with a git identity, shared by every test process (created once per process). */
const home = makeTempDir('home')
writeFileSync(join(home, '.gitconfig'), '[user]\n\tname = Test User\n\temail = test@example.com\n[init]\n\tdefaultBranch = main\n')
process.on('exit', () => rmSync(home, {recursive: true, force: true}))

/** The environment git and the CLI get in tests: no system config, a test identity, no agent name. */
export function testEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {...process.env, HOME: home, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: join(home, '.gitconfig')}
  for (const key of [
    'AGENT_RELAY_NAME',
    'TRAIL_AGENT',
    'RELAY_OUTBOX',
    'RELAY_TRAIL_TRACE',
    'NODE_EXTRA_CA_CERTS',
    'DEBUG',
    'NO_COLOR',
    'FORCE_COLOR',
    'PAGER',
    'TRAIL_PAGER',
    'LESS',
  ])
    delete env[key]
  for (const key of Object.keys(env)) if (key.startsWith('TRAJECTORIES_')) delete env[key]
  // The write server (bin/write-server.cjs) is off but where a test turns it on (test/cli/write-server.test.ts runs
  // every served command with and without it, and compares): a server started by the second command of each test
  // repository costs the suite more than it saves it. RELAY_TRAIL_TEST_SERVER=1 npm test runs every test with it.
  if (process.env.RELAY_TRAIL_TEST_SERVER === '1') delete env.RELAY_TRAIL_SERVER
  else env.RELAY_TRAIL_SERVER = '0'
  for (const [key, value] of Object.entries(extra)) {
    if (value === undefined) delete env[key]
    else env[key] = value
  }
  return env
}

export interface UserState {
  status: string
  index: string
  head: string
  refs: string
  stash: string
  config: string
}

export class TestRepo {
  constructor(readonly dir: string) {}

  /** Runs git in the repository and returns its stdout. */
  git(args: string[], options: {input?: string; cwd?: string} = {}): string {
    return execFileSync('git', args, {cwd: options.cwd ?? this.dir, env: testEnv(), input: options.input, encoding: 'utf8', maxBuffer: 1 << 28})
  }

  /** Runs git and returns its stdout, or '' when it exits non-zero (a ref that does not exist). */
  gitOrEmpty(args: string[]): string {
    try {
      return execFileSync('git', args, {cwd: this.dir, env: testEnv(), encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 1 << 28})
    } catch {
      return ''
    }
  }

  /**
   * `git fsck` of what `rev` reaches; fails the test on any complaint. A repack started by a writer that was
   * killed can still be removing old packs while fsck lists them ("cannot be accessed"): that is retried, as it
   * is no damage.
   */
  async fsck(rev: string): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        this.git(['fsck', '--no-dangling', '--no-progress', rev])
        return
      } catch (error) {
        const transient = /cannot be accessed|index not opened/.test(String((error as {stderr?: unknown}).stderr ?? error))
        if (!transient || attempt >= 10) throw error
        await new Promise((resolve) => setTimeout(resolve, 200))
      }
    }
  }

  /**
   * Every file of `ref`'s tree with its blob's bytes: one `git ls-tree` and one `git cat-file --batch`, whatever the
   * number of files (a process per file took a minute for the 5,000 files of an import).
   */
  refFiles(ref = 'refs/trail/records'): Map<string, Buffer> {
    const entries = this.git(['ls-tree', '-r', '-z', ref])
      .split('\0')
      .filter(Boolean)
      .map((line) => {
        const tab = line.indexOf('\t')
        return {oid: line.slice(0, tab).split(' ')[2]!, path: line.slice(tab + 1)}
      })
    const output = execFileSync('git', ['cat-file', '--batch'], {
      cwd: this.dir,
      env: testEnv(),
      input: entries.map((entry) => `${entry.oid}\n`).join(''),
      maxBuffer: 1 << 30,
    })
    const files = new Map<string, Buffer>()
    let at = 0
    for (const entry of entries) {
      const end = output.indexOf(10, at)
      const size = Number(output.subarray(at, end).toString('latin1').split(' ')[2])
      files.set(entry.path, output.subarray(end + 1, end + 1 + size))
      at = end + 1 + size + 1
    }
    return files
  }

  write(path: string, content: string): void {
    mkdirSync(dirname(join(this.dir, path)), {recursive: true})
    writeFileSync(join(this.dir, path), content)
  }

  read(path: string): string {
    return readFileSync(join(this.dir, path), 'utf8')
  }

  /** What the user sees of their repository; records live elsewhere and must not change any of it. */
  userState(): UserState {
    const gitDir = this.git(['rev-parse', '--path-format=absolute', '--git-dir']).trim()
    const commonDir = this.git(['rev-parse', '--path-format=absolute', '--git-common-dir']).trim()
    const hash = (path: string) => {
      try {
        return createHash('sha1').update(readFileSync(path)).digest('hex')
      } catch {
        return 'absent'
      }
    }
    return {
      status: this.git(['status', '--porcelain=v1', '--untracked-files=all', '--ignored']),
      index: hash(join(gitDir, 'index')),
      head: readFileSync(join(gitDir, 'HEAD'), 'utf8') + this.gitOrEmpty(['rev-parse', '--verify', '--quiet', 'HEAD']).trim(),
      refs: this.git(['for-each-ref', '--format=%(refname) %(objectname)', 'refs/heads', 'refs/tags', 'refs/remotes']),
      stash: this.git(['stash', 'list']),
      config: hash(join(commonDir, 'config')),
    }
  }

  /** Asserts the user's state equals `before`, ignoring the mirror folders (which are ours, and excluded). */
  assertUserStateUnchanged(before: UserState): void {
    const after = this.userState()
    const withoutMirror = (state: UserState) => ({
      ...state,
      status: state.status
        .split('\n')
        .filter((line) => !/ \.(trail|relay)\//.test(line))
        .join('\n'),
    })
    assert.deepEqual(withoutMirror(after), withoutMirror(before))
    assert.doesNotMatch(after.status, /^\?\? \.(trail|relay)\//m, 'the mirror folders must not show as untracked')
  }

  remove(): void {
    // Retried: a roll-up of small packs a write started in the background (src/git/pack-rollup.ts) may be writing
    // its pack right now.
    rmSync(this.dir, {recursive: true, force: true, maxRetries: 10, retryDelay: 100})
  }
}

export interface RepoOptions {
  /** Leave staged and unstaged changes and an untracked file behind (default true). */
  dirty?: boolean
  /** Make no commit at all (an unborn branch). */
  empty?: boolean
  /** Extra arguments for git init (--object-format=sha256, --shared=group). */
  init?: string[]
}

/** A new repository in a temporary folder, with one commit on main and, by default, a dirty work tree. */
export function makeRepo(options: RepoOptions = {}): TestRepo {
  const repo = new TestRepo(makeTempDir('repo'))
  repo.git(['init', '--quiet', '--initial-branch=main', ...(options.init ?? [])])
  if (options.empty) return repo
  repo.write('src/app.js', 'console.log("hello")\n')
  repo.write('README.md', '# app\n')
  repo.git(['add', '.'])
  repo.git(['commit', '--quiet', '-m', 'initial'])
  if (options.dirty ?? true) {
    repo.write('src/app.js', 'console.log("hello, staged")\n')
    repo.git(['add', 'src/app.js'])
    repo.write('src/app.js', 'console.log("hello, staged and then edited")\n')
    repo.write('notes.txt', 'untracked\n')
  }
  return repo
}

/** A maker of repositories for one test file, all removed when its tests are done. */
export function useRepos(): (options?: RepoOptions) => TestRepo {
  const made: TestRepo[] = []
  after(() => {
    for (const repo of made) repo.remove()
  })
  return (options) => {
    const repo = makeRepo(options)
    made.push(repo)
    return repo
  }
}

/** A file to put on a ref by hand: its content, and its mode (a symlink is 120000). */
export interface RawFile {
  path: string
  content: string
  mode?: '100644' | '100755' | '120000'
}

/**
 * Commits files onto `ref` behind the tool's back, with git's own plumbing (as a broken clone, a hand edit or a
 * hostile sibling would): on top of the ref's tree when it exists. Returns the new commit.
 */
export function commitOnRef(repo: TestRepo, ref: string, files: readonly RawFile[], message = 'by hand'): string {
  const parent = repo.gitOrEmpty(['rev-parse', '--verify', '--quiet', ref]).trim()
  const lines = [`commit ${ref}`, 'committer Test User <test@example.com> 1700000000 +0000', `data ${Buffer.byteLength(message)}`, message]
  if (parent) lines.push(`from ${parent}`)
  const parts: Buffer[] = [Buffer.from(`${lines.join('\n')}\n`)]
  for (const file of files) {
    const bytes = Buffer.from(file.content)
    parts.push(Buffer.from(`M ${file.mode ?? '100644'} inline ${JSON.stringify(file.path)}\ndata ${bytes.length}\n`), bytes, Buffer.from('\n'))
  }
  parts.push(Buffer.from('done\n'))
  execFileSync('git', ['fast-import', '--quiet', '--done', '--force'], {cwd: repo.dir, env: testEnv(), input: Buffer.concat(parts)})
  return repo.git(['rev-parse', ref]).trim()
}
