import {execFileSync} from 'node:child_process'
import {ok} from '../helpers/cli.js'
import {testEnv, type TestRepo} from '../helpers/repo.js'

// Histories made the way agents and people make them: files written, then `git commit` in a shell where an agent
// session named itself ($AGENT_RELAY_NAME, as the session hooks export it) or where nobody did (a person). The
// git hooks `trail init --hooks` installed run inside those commits.

/** Runs git in the repository as `agent` (null: a person), returning stdout; throws on failure. */
export function gitAs(repo: TestRepo, agent: string | null, args: string[], input?: string): string {
  return execFileSync('git', args, {
    cwd: repo.dir,
    env: testEnv(agent ? {AGENT_RELAY_NAME: agent} : {}),
    input,
    encoding: 'utf8',
    stdio: ['pipe', 'pipe', 'pipe'],
  })
}

/**
 * Writes files and commits exactly them (other staged changes stay staged), as `agent`; returns the new commit.
 * `hooks: false` commits without the git hooks: for a long history of a person's commits, which the hooks leave as
 * they are, at a few milliseconds a commit instead of a hook process or two.
 */
export function commitAs(repo: TestRepo, agent: string | null, files: Record<string, string>, message: string, options: {hooks?: boolean} = {}): string {
  for (const [path, content] of Object.entries(files)) repo.write(path, content)
  gitAs(repo, agent, ['add', '--', ...Object.keys(files)])
  const noHooks = options.hooks === false ? ['-c', 'core.hooksPath=/dev/null'] : []
  gitAs(repo, agent, [...noHooks, 'commit', '--quiet', '-m', message, '--', ...Object.keys(files)])
  return repo.git(['rev-parse', 'HEAD']).trim()
}

/** The trailers of a commit's message, as git parses them. */
export function trailersOf(repo: TestRepo, commit: string): string {
  return repo.git(['log', '-1', '--format=%(trailers:only,unfold)', commit]).trim()
}

/** Files on the ref under a folder. */
export function refPaths(repo: TestRepo, folder: string): string[] {
  return repo.gitOrEmpty(['ls-tree', '-r', '--name-only', 'refs/trail/records', '--', folder]).split('\n').filter(Boolean)
}

/** The commit links on the ref: their commits (from the file names). */
export function linkedCommits(repo: TestRepo): string[] {
  return refPaths(repo, '.trail/trajectories')
    .filter((path) => path.includes('/commits/'))
    .map((path) => path.replace(/^.*\/commits\/([0-9a-f]+)\.yaml$/, '$1'))
}

/**
 * A feature branch: alice (a trajectory with a doubtful decision) changes a.txt twice, bob (who abandons) changes
 * b.txt, a person changes c.txt in between. The hooks are installed, so agent commits carry trailers and links.
 */
export async function featureBranch(repo: TestRepo, beforeComplete?: () => Promise<void>): Promise<{alice: string; bob: string}> {
  await ok(repo.dir, ['trail', 'init', '--hooks'])
  gitAs(repo, null, ['checkout', '--quiet', '-b', 'feature'])
  const alice = (await ok(repo.dir, ['trail', 'start', 'Rework the parser', '--agent', 'alice', '--quiet'])).trim()
  await ok(repo.dir, [
    'trail',
    'decision',
    'Split tokens on whitespace',
    '--reasoning',
    'Simplest thing that passes the fixtures',
    '--alternatives',
    'a regex,a state machine',
    '--confidence',
    '0.4',
    '--agent',
    'alice',
  ])
  commitAs(repo, 'alice', {'a.txt': 'one\ntwo\n'}, 'Parser: split tokens')
  const bob = (await ok(repo.dir, ['trail', 'start', 'Uppercase the banner', '--agent', 'bob', '--quiet'])).trim()
  await ok(repo.dir, ['trail', 'decision', 'Uppercase at render time', '--reasoning', 'Keeps the stored text as typed', '--agent', 'bob'])
  commitAs(repo, 'bob', {'b.txt': 'BANNER\n'}, 'Banner: uppercase')
  commitAs(repo, null, {'c.txt': 'person\n'}, 'Docs: typo')
  await ok(repo.dir, ['trail', 'decision', 'Keep the old tokenizer behind a flag', '--reasoning', 'Rollback without a deploy', '--agent', 'alice'])
  commitAs(repo, 'alice', {'a.txt': 'one\ntwo\nthree\n'}, 'Parser: keep the old tokenizer')
  await beforeComplete?.()
  await ok(repo.dir, [
    'trail',
    'complete',
    '--summary',
    'New tokenizer, old one behind a flag',
    '--confidence',
    '0.8',
    '--challenges',
    'Fixtures with tabs',
    '--agent',
    'alice',
  ])
  await ok(repo.dir, ['trail', 'abandon', '--reason', 'The design team wants lower case after all', '--agent', 'bob'])
  return {alice, bob}
}
