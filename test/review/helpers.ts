import {execFileSync} from 'node:child_process'
import {testEnv, type TestRepo} from '../helpers/repo.js'

// Histories made the way agents and people make them: files written, then `git commit` in a shell where an agent
// session named itself ($AGENT_RELAY_NAME, as the session hooks export it) or where nobody did (a person). The
// git hooks `trail init --hooks` installed run inside those commits.

/** Runs git in the repository as `agent` (null: a person), returning stdout; throws on failure. */
export function gitAs(repo: TestRepo, agent: string | null, args: string[], input?: string): string {
  return execFileSync('git', args, {cwd: repo.dir, env: testEnv(agent ? {AGENT_RELAY_NAME: agent} : {}), input, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe']})
}

/** Writes files and commits exactly them (other staged changes stay staged), as `agent`; returns the new commit. */
export function commitAs(repo: TestRepo, agent: string | null, files: Record<string, string>, message: string): string {
  for (const [path, content] of Object.entries(files)) repo.write(path, content)
  gitAs(repo, agent, ['add', '--', ...Object.keys(files)])
  gitAs(repo, agent, ['commit', '--quiet', '-m', message, '--', ...Object.keys(files)])
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
