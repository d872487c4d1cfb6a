import assert from 'node:assert/strict'
import {chmodSync, existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, it} from 'node:test'
import {GitError} from '../../src/errors.js'
import {findExecutable, gitExecutable, runGit} from '../../src/git/process.js'
import {runCli} from '../helpers/cli.js'
import {testEnv, useRepos, useTempDirs} from '../helpers/repo.js'

// Every git process is spawned by the absolute path of the git PATH names first (src/git/process.ts), found as
// execvp finds it: only an executable regular file, in PATH's order.

const tempDir = useTempDirs()
const newRepo = useRepos()

/** The real git, as this machine's PATH finds it. */
const realGit = findExecutable('git', process.env.PATH ?? '')

/** A folder with a `git` that writes `marker` and then runs the real git. */
function wrapperFolder(marker: string): string {
  const dir = tempDir('git-wrapper')
  writeFileSync(join(dir, 'git'), `#!/bin/sh\necho "$@" >> '${marker}'\nexec '${realGit}' "$@"\n`)
  chmodSync(join(dir, 'git'), 0o755)
  return dir
}

/** Folders that hold something named git that is not one: a folder, a file without the execute bit. */
function decoys(): string[] {
  const folder = tempDir('git-is-a-folder')
  mkdirSync(join(folder, 'git'))
  const plain = tempDir('git-not-executable')
  writeFileSync(join(plain, 'git'), '#!/bin/sh\nexit 0\n')
  chmodSync(join(plain, 'git'), 0o644)
  return [folder, plain]
}

describe('git is run by the path PATH finds it at', () => {
  it('the real git is on this machine’s PATH (the other tests rely on it)', () => {
    assert.ok(realGit?.startsWith('/'), String(realGit))
  })

  it("picks PATH's first executable git, past a folder named git, a file without the execute bit and a missing folder", () => {
    const marker = join(tempDir('marker'), 'calls')
    const wrapper = wrapperFolder(marker)
    const [folder, plain] = decoys()
    const path = [join(folder!, 'nothing-here'), folder, plain, wrapper, '/usr/bin', '/bin'].join(':')
    assert.equal(findExecutable('git', path), join(wrapper, 'git'))
    assert.equal(gitExecutable({PATH: path}), join(wrapper, 'git'))
  })

  it('follows a symbolic link to git, and skips one that leads nowhere', () => {
    const broken = tempDir('broken-link')
    symlinkSync(join(broken, 'no-such-git'), join(broken, 'git'))
    const linked = tempDir('linked')
    symlinkSync(realGit!, join(linked, 'git'))
    assert.equal(findExecutable('git', `${broken}:${linked}`), join(linked, 'git'))
  })

  it('leaves the search to execvp when a folder before git is relative or empty (they depend on the working folder)', () => {
    const wrapper = wrapperFolder(join(tempDir('marker'), 'calls'))
    assert.equal(findExecutable('git', `bin:${wrapper}`), undefined)
    assert.equal(findExecutable('git', `:${wrapper}`), undefined)
    assert.equal(gitExecutable({PATH: `:${wrapper}`}), 'git')
    assert.equal(gitExecutable({}), 'git')
  })

  it('git commands run the git that PATH names first, and the user’s repository is unchanged', async () => {
    const repo = newRepo()
    const before = repo.userState()
    const marker = join(tempDir('marker'), 'calls')
    const [folder, plain] = decoys()
    const path = [folder, plain, wrapperFolder(marker), process.env.PATH].join(':')
    const {stdout} = await runGit(['rev-parse', '--verify', 'HEAD'], {cwd: repo.dir, env: testEnv({PATH: path})})
    assert.match(stdout.toString(), /^[0-9a-f]{40}\n$/)
    assert.equal(readFileSync(marker, 'utf8'), 'rev-parse --verify HEAD\n')
    repo.assertUserStateUnchanged(before)
  })

  it('no git on PATH: the usual clear error, a GitError saying git is not installed', async () => {
    const repo = newRepo()
    const [folder, plain] = decoys()
    const env = testEnv({PATH: `${folder}:${plain}`})
    await assert.rejects(
      runGit(['status'], {cwd: repo.dir, env}),
      (error: unknown) => error instanceof GitError && /git status failed: git is not installed or not on PATH/.test(error.message),
    )
    assert.ok(existsSync(join(plain!, 'git')), 'the decoy is left as it was')
  })

  it('no git on PATH, through the executables: one line naming the problem, a hint, exit code 1, no stack trace', async () => {
    const repo = newRepo()
    const before = repo.userState()
    const [folder, plain] = decoys()
    for (const argv of [
      ['trail', 'status'],
      ['trail', 'decision', 'No git', '--reasoning', 'none'],
      ['relay', 'continuity', 'load'],
    ] as ['trail' | 'relay', ...string[]][]) {
      const result = await runCli(repo.dir, argv, {env: {PATH: `${folder}:${plain}`, TRAIL_AGENT: 'tester', AGENT_RELAY_NAME: 'tester'}})
      assert.equal(result.code, 1, `${argv.join(' ')}: ${result.stderr}`)
      assert.match(
        result.stderr,
        /^error: git [\w-]+ failed: git is not installed or not on PATH\nhint: install git, or put the folder that holds it on PATH\n$/,
        argv.join(' '),
      )
    }
    repo.assertUserStateUnchanged(before)
  })
})
