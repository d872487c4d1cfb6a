import {spawnSync} from 'node:child_process'
import {rmSync} from 'node:fs'
import {GitRepo} from '../src/git/repo.js'
import {linkKeys, renderCommitLink, renderLinkKey, type CommitLink} from '../src/model/commit-link.js'
import {commitLinkPath, linkKeyPath} from '../src/model/layout.js'
import {parseAgentName} from '../src/model/names.js'
import {benchEnv, figure, markdownTable, measure, msFigure, NODE_BASELINE, RATIO_METHOD, samplesOf, TRAIL, type Step, type Timings} from './harness.js'
import {buildStore} from './stores.js'

// Claim of issue 10: `trail review` over a range of 200 commits, in a store of 10,000 trajectories, costs at most
// 3x `git log` of the same range. The history is real: 200 commits on a feature branch, each with a Trajectory
// trailer and a link (with its keys) on the ref, as the git hooks write them, to the newest 20 trajectories of the
// store; `git log main..feature` is the baseline, measured in the same rounds, with `node -e 0` beside it.

const COMMITS = 200
const FILES = 20

/** A repository with a store of `trajectories` and a feature branch of COMMITS commits linked to its newest ones. */
export async function buildLinkedHistory(trajectories: number): Promise<{dir: string; file: string}> {
  const dir = buildStore(trajectories)
  const git = (args: string[], input?: string | Buffer) => {
    const result = spawnSync('git', args, {cwd: dir, input, env: benchEnv(), maxBuffer: 1 << 30})
    if (result.status !== 0) throw new Error(`git ${args[0]}: ${result.stderr}`)
    return result.stdout.toString()
  }
  const ids = (trajectories === 0 ? '' : git(['ls-tree', '-r', '-d', '--name-only', 'refs/trail/records', '--', '.trail/trajectories']))
    .split('\n')
    .map((path) => /\/(traj_[0-9a-z]{26})$/.exec(path)?.[1])
    .filter((id): id is string => id !== undefined)
    .sort()
    .slice(-20)
  // The feature branch: COMMITS commits, each adding lines to one of FILES files, made by fast-import.
  const main = git(['rev-parse', 'main']).trim()
  const lines: string[] = []
  const chunks: Buffer[] = []
  const contents = new Map<number, string>()
  for (let i = 0; i < COMMITS; i++) {
    const file = i % FILES
    contents.set(file, `${contents.get(file) ?? ''}line ${i}: ${'x'.repeat(40)}\n`)
    const trajectory = ids.length > 0 ? ids[i % ids.length] : undefined
    const message = `Change ${i} of the feature\n${trajectory ? `\nTrajectory: ${trajectory}\n` : ''}`
    const body = Buffer.from(contents.get(file)!)
    chunks.push(
      Buffer.from(
        `commit refs/heads/feature\nmark :${i + 1}\ncommitter Bench <bench@example.com> ${1_700_000_000 + i} +0000\ndata ${Buffer.byteLength(message)}\n${message}\n`,
      ),
      Buffer.from(i === 0 ? `from ${main}\n` : ''),
      Buffer.from(`M 100644 inline src/file${file}.js\ndata ${body.length}\n`),
      body,
      Buffer.from('\n'),
    )
    lines.push(trajectory ?? '')
  }
  git(['fast-import', '--quiet'], Buffer.concat(chunks))
  if (ids.length > 0) {
    const commits = git(['rev-list', '--reverse', 'main..feature']).trim().split('\n')
    const repo = GitRepo.open(dir, benchEnv())
    const patchIds = await repo.commitPatchIds(commits)
    repo.close()
    const files: Buffer[] = []
    const add = (path: string, content: string) => {
      const bytes = Buffer.from(content)
      files.push(Buffer.from(`M 100644 inline ${path}\ndata ${bytes.length}\n`), bytes, Buffer.from('\n'))
    }
    commits.forEach((commit, index) => {
      const ids = patchIds.get(commit)!
      const link: CommitLink = {
        commit,
        trajectory: lines[index]!,
        agent: parseAgentName('claude'),
        at: new Date((1_700_000_000 + index) * 1000).toISOString(),
        branch: 'feature',
        subject: `Change ${index} of the feature`,
        ...(ids.patch ? {patch: ids.patch} : {}),
        files: [...ids.files].map(([path, patch]) => ({path, patch})),
        via: 'commit',
      }
      add(commitLinkPath(link.trajectory, commit), renderCommitLink(link))
      for (const key of linkKeys(link)) add(linkKeyPath(key, link.trajectory), renderLinkKey({key, trajectory: link.trajectory}))
    })
    const tip = git(['rev-parse', 'refs/trail/records']).trim()
    const message = 'bench: links'
    git(
      ['fast-import', '--quiet'],
      Buffer.concat([
        Buffer.from(`commit refs/trail/records\ncommitter Bench <bench@example.com> 1700001000 +0000\ndata ${message.length}\n${message}\nfrom ${tip}\n`),
        ...files,
        Buffer.from('\n'),
      ]),
    )
    git(['repack', '-a', '-d', '-q'])
  }
  git(['checkout', '--quiet', 'feature'])
  return {dir, file: 'src/file7.js'}
}

export async function benchReview(rounds: number, sizes: readonly number[]): Promise<string> {
  const rows: string[][] = []
  const columns: Timings[] = []
  let names: string[] = []
  for (const size of sizes) {
    process.stderr.write(`building a history of ${COMMITS} commits in a store of ${size} trajectories...\n`)
    const {dir} = await buildLinkedHistory(size)
    try {
      const env = benchEnv()
      const steps: Step[] = [
        {...NODE_BASELINE, cwd: dir},
        {name: 'git log main..feature', argv: ['git', 'log', 'main..feature'], cwd: dir},
        {
          name: 'trail review main..feature --format md',
          argv: [process.execPath, TRAIL, 'review', 'main..feature', '--format', 'md'],
          cwd: dir,
          env,
          versus: 'git log main..feature',
        },
        {
          name: 'trail review main..feature --format json',
          argv: [process.execPath, TRAIL, 'review', 'main..feature', '--format', 'json'],
          cwd: dir,
          env,
          versus: 'git log main..feature',
        },
      ]
      names = steps.map((step) => step.name)
      columns.push(measure(steps, rounds))
    } finally {
      rmSync(dir, {recursive: true, force: true})
    }
  }
  const versus = (name: string) => (name.startsWith('trail review') ? 'git log main..feature' : 'node -e 0')
  for (const name of names)
    rows.push([
      name === 'node -e 0' ? name : `${name} (vs ${versus(name)})`,
      ...columns.map((column) => (name === 'node -e 0' ? msFigure(samplesOf(column, name)) : figure(column, name, versus(name)))),
    ])
  return [
    `### trail review of ${COMMITS} commits (${rounds} rounds; ${RATIO_METHOD}; baseline: the step named)`,
    '',
    markdownTable(['command', ...sizes.map((size) => `${size.toLocaleString('en')} trajectories`)], rows),
  ].join('\n')
}
