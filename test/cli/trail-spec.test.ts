import assert from 'node:assert/strict'
import {readFileSync, readdirSync} from 'node:fs'
import {join} from 'node:path'
import {describe, it} from 'node:test'
import {json, ok, ROOT, runCli} from '../helpers/cli.js'
import {type TestRepo, useRepos} from '../helpers/repo.js'
import {bashExamples, shellWords} from '../helpers/shell-words.js'

// Every `trail` command in the agent protocol (docs/spec, copied verbatim from the protocol texts) runs exactly
// as written, in a repository with staged and unstaged changes that it must not touch.

const specDir = join(ROOT, 'docs', 'spec')
const examples = [...new Set(readdirSync(specDir).flatMap((file) => bashExamples(readFileSync(join(specDir, file), 'utf8'), 'trail')))]

/**
 * Runs one example in `repo`, first putting the store in the state the example expects: start needs no active
 * trajectory, the others need one. Checks it succeeds, silently, and leaves the user's state alone.
 */
async function runExample(repo: TestRepo, example: string): Promise<void> {
  const [, verb] = shellWords(example)
  const status = await json<{active: unknown}>(repo.dir, ['trail', 'status'])
  if (verb === 'start' && status.active) await ok(repo.dir, ['trail', 'abandon', '--reason', 'making room for the next example'])
  if (verb !== 'start' && verb !== 'status' && !status.active) await ok(repo.dir, ['trail', 'start', 'Set up for the example'])
  const before = repo.userState()
  const result = await runCli(repo.dir, shellWords(example) as ['trail', ...string[]])
  assert.equal(result.code, 0, `${example}\n${result.stderr}`)
  assert.equal(result.stderr, '')
  repo.assertUserStateUnchanged(before)
}

describe("the spec's trail examples, verbatim", () => {
  const newRepo = useRepos()

  it('finds the examples in the spec', () => {
    for (const command of ['trail start', 'trail decision', 'trail complete', 'trail abandon', 'trail status']) {
      assert.ok(
        examples.some((example) => example.startsWith(command)),
        `no example of ${command}`,
      )
    }
  })

  for (const example of examples) {
    it(`runs: ${example}`, async () => {
      await runExample(newRepo({dirty: true}), example)
    })
  }

  it('recorded what the examples said', async () => {
    // Every example, in the spec's order, in one repository; then what they said is read back.
    const repo = newRepo({dirty: true})
    for (const example of examples) await runExample(repo, example)
    const list = await json<{trajectories: {id: string; title: string; status: string; task: string | null}[]}>(repo.dir, ['trail', 'list', '--limit', '100'])
    const fixLogin = list.trajectories.find((t) => t.title === 'Fix login bug')
    assert.equal(fixLogin?.task, 'agent-relay-123')
    const shown = await Promise.all(
      list.trajectories.map((t) =>
        json<{decisions: {title: string; reasoning: string | null}[]; summary: string | null; reason: string | null}>(repo.dir, ['trail', 'show', t.id]),
      ),
    )
    const decisions = shown.flatMap((t) => t.decisions)
    assert.ok(decisions.some((d) => d.title === 'Chose JWT over sessions' && d.reasoning === 'Stateless scaling'))
    assert.ok(decisions.some((d) => d.title === 'Chose JWT over sessions' && d.reasoning === 'Stateless scaling requirements'))
    assert.ok(decisions.some((d) => d.title === 'Used existing auth middleware' && d.reasoning === null))
    assert.ok(shown.some((t) => t.summary === 'Added JWT auth with refresh tokens'))
    assert.ok(shown.some((t) => t.reason === 'Blocked by missing API credentials'))
  })
})
