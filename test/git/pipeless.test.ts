import assert from 'node:assert/strict'
import {spawnSync} from 'node:child_process'
import {closeSync, mkdirSync, openSync, readdirSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, it} from 'node:test'
import {GitError} from '../../src/errors.js'
import {spawnPipeless} from '../../src/git/pipeless.js'
import {runGit} from '../../src/git/process.js'
import {testEnv, useRepos, useTempDirs} from '../helpers/repo.js'

// A git process with no pipe (no input, its output and errors collected in files) is started without loading
// node:child_process (src/git/pipeless.ts), and gives the same answer, exit code and errors as one started through it.

const tempDir = useTempDirs()
const newRepo = useRepos()
const PIPELESS = join(import.meta.dirname, '..', '..', 'src', 'git', 'pipeless.js')
const PROCESS = join(import.meta.dirname, '..', '..', 'src', 'git', 'process.js')

/** Runs `script` (an ES module body) in a new Node with `options`, and returns what it printed. */
function inNode(script: string, options: {cwd?: string; env?: NodeJS.ProcessEnv; args?: string[]} = {}): {stdout: string; stderr: string} {
  const result = spawnSync(process.execPath, [...(options.args ?? []), '--input-type=module', '-e', script], {
    cwd: options.cwd,
    env: options.env ?? process.env,
    encoding: 'utf8',
  })
  assert.equal(result.status, 0, result.stderr)
  return {stdout: result.stdout, stderr: result.stderr}
}

describe('git started without pipes', () => {
  it('a child’s exit code, its output in a file, and null for one a signal ended', async () => {
    const dir = tempDir('pipeless')
    const out = join(dir, 'out')
    const fd = openSync(out, 'w+')
    try {
      const env = {PATH: process.env.PATH ?? ''}
      const child = spawnPipeless('/bin/sh', ['sh', '-c', 'printf "%s|%s" "$0" "$GREETING"; exit 3'], {
        cwd: dir,
        env: {...env, GREETING: 'hi'},
        stdio: ['ignore', fd, 'ignore'],
      })
      assert.ok(child, 'this Node offers the binding')
      assert.ok(child.pid > 0)
      assert.equal(await child.exited, 3)
      assert.equal(readFileSync(out, 'utf8'), 'sh|hi')
      const killed = spawnPipeless('/bin/sh', ['sh', '-c', 'kill -9 $$'], {cwd: dir, env, stdio: ['ignore', 'ignore', 'ignore']})
      assert.equal(await killed?.exited, null)
    } finally {
      closeSync(fd)
    }
  })

  it('a program that is not there: the error child_process reports (ENOENT), thrown', () => {
    const dir = tempDir('pipeless')
    assert.throws(
      () => spawnPipeless(join(dir, 'no-such-program'), ['x'], {cwd: dir, env: {}, stdio: ['ignore', 'ignore', 'ignore']}),
      (error: NodeJS.ErrnoException) => error.code === 'ENOENT' && error.syscall === 'spawn',
    )
  })

  it('an argument, a variable or a folder with a NUL byte is left to child_process, which refuses it whole', () => {
    const dir = tempDir('pipeless')
    const stdio = ['ignore', 'ignore', 'ignore'] as const
    assert.equal(spawnPipeless('/bin/sh', ['sh', '-c', 'exit 0\0rm -rf x'], {cwd: dir, env: {}, stdio}), undefined)
    assert.equal(spawnPipeless('/bin/sh', ['sh', '-c', 'exit 0'], {cwd: dir, env: {A: 'b\0c'}, stdio}), undefined)
    assert.equal(spawnPipeless('/bin/sh', ['sh', '-c', 'exit 0'], {cwd: `${dir}\0/x`, env: {}, stdio}), undefined)
  })

  it('on a Node whose binding it does not know, it gives up', () => {
    const preload = join(tempDir('preload'), 'future-node.cjs')
    writeFileSync(preload, `Object.defineProperty(process, 'versions', {value: {...process.versions, node: '99.0.0'}})\n`)
    const script = `import {spawnPipeless} from ${JSON.stringify(PIPELESS)}; console.log(spawnPipeless('/bin/true', ['true'], {cwd: '/', env: {}, stdio: ['ignore', 'ignore', 'ignore']}) === undefined)`
    assert.equal(inNode(script, {args: ['-r', preload]}).stdout, 'true\n')
    assert.equal(inNode(script).stdout, 'false\n', 'on this Node it starts the process')
  })

  it('under --pending-deprecation (where process.binding warns) it gives up, and nothing is printed', () => {
    const script = `import {spawnPipeless} from ${JSON.stringify(PIPELESS)}; console.log(spawnPipeless('/bin/true', ['true'], {cwd: '/', env: {}, stdio: ['ignore', 'ignore', 'ignore']}) === undefined)`
    for (const how of [{args: ['--pending-deprecation']}, {env: {...process.env, NODE_PENDING_DEPRECATION: '1'}}]) {
      const {stdout, stderr} = inNode(script, how)
      assert.equal(stdout, 'true\n')
      assert.equal(stderr, '')
    }
  })

  it('runGit with its output to a file: the same answer as through a pipe, started without child_process', async () => {
    const repo = newRepo()
    const before = repo.userState()
    const expected = (await runGit(['log', '--format=%H %s', '-n3'], {cwd: repo.dir, env: testEnv()})).stdout.toString()
    // Counted in a new process: how many times the binding was asked for, and how many processes it started.
    const script = [
      `const binding = process.binding.bind(process); let spawned = 0`,
      `process.binding = (name) => { const found = binding(name); if (name !== 'process_wrap') return found`,
      `  return {Process: class extends found.Process { spawn(options) { spawned++; return super.spawn(options) } }} }`,
      `const {runGit} = await import(${JSON.stringify(PROCESS)})`,
      `const {stdout} = await runGit(['log', '--format=%H %s', '-n3'], {cwd: process.cwd(), env: process.env, stdoutToFile: true})`,
      `const piped = await runGit(['log', '--format=%H %s', '-n3'], {cwd: process.cwd(), env: process.env})`,
      `process.stdout.write(JSON.stringify({stdout: stdout.toString(), piped: piped.stdout.toString(), spawned}))`,
    ].join('\n')
    const answer = JSON.parse(inNode(script, {cwd: repo.dir, env: testEnv()}).stdout) as {stdout: string; piped: string; spawned: number}
    assert.equal(answer.stdout, expected)
    assert.equal(answer.piped, expected)
    assert.equal(answer.spawned, 1, 'the git with its output to a file, not the one with pipes')
    repo.assertUserStateUnchanged(before)
  })

  it('an argument with a NUL byte: refused by child_process as before, and no file left open', async () => {
    const repo = newRepo()
    const openFiles = () => readdirSync('/proc/self/fd').length
    const before = openFiles()
    for (let i = 0; i < 5; i++) {
      await assert.rejects(
        runGit(['log', '--', 'a\0b'], {cwd: repo.dir, env: testEnv(), stdoutToFile: true}),
        (error: NodeJS.ErrnoException) => error.code === 'ERR_INVALID_ARG_VALUE',
      )
    }
    assert.equal(openFiles(), before)
  })

  it('runGit with its output to a file: a failure is the same GitError, exit code and message included', async () => {
    const repo = newRepo()
    const run = (stdoutToFile: boolean) =>
      runGit(['rev-parse', '--verify', 'no-such-branch'], {cwd: repo.dir, env: testEnv(), stdoutToFile}).then(
        () => assert.fail('no-such-branch resolved'),
        (error: unknown) => {
          assert.ok(error instanceof GitError)
          return {message: error.message, gitExitCode: error.gitExitCode, stderr: error.stderr}
        },
      )
    assert.deepEqual(await run(true), await run(false))
    assert.equal((await run(true)).gitExitCode, 128)
    // An exit code the caller accepts is an answer.
    const accepted = await runGit(['rev-parse', '--verify', '--quiet', 'no-such-branch'], {cwd: repo.dir, env: testEnv(), stdoutToFile: true, okExitCodes: [1]})
    assert.equal(accepted.exitCode, 1)
  })

  it('runGit with its output to a file and no git on PATH: the usual GitError saying git is not installed', async () => {
    const repo = newRepo()
    const folder = tempDir('git-is-a-folder')
    mkdirSync(join(folder, 'git'))
    writeFileSync(join(folder, 'README'), 'no git here\n')
    await assert.rejects(
      runGit(['status'], {cwd: repo.dir, env: testEnv({PATH: folder}), stdoutToFile: true}),
      (error: unknown) => error instanceof GitError && /git status failed: git is not installed or not on PATH/.test(error.message),
    )
  })
})
