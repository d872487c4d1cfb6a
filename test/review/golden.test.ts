import assert from 'node:assert/strict'
import {mkdirSync, readFileSync, writeFileSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {describe, it} from 'node:test'
import {ok, ROOT} from '../helpers/cli.js'
import {useRepos} from '../helpers/repo.js'
import {commitAs, featureBranch, gitAs} from './helpers.js'

// The Markdown of a realistic review, compared byte for byte with test/fixtures/review/*.md, so that any change in
// what a pull request shows is a reviewed change. Ids, commit ids and times differ from run to run: they are
// replaced by numbered placeholders in the order they first appear. To accept a change on purpose:
//   UPDATE_GOLDEN=1 npm test -- --test-name-pattern=golden     then review `git diff test/fixtures/review`.

const newRepo = useRepos()

/** Replaces what differs between runs with stable placeholders (the same value gets the same placeholder). */
function normalise(text: string): string {
  const seen = new Map<string, string>()
  const commits: string[] = []
  const name = (kind: string, value: string) => {
    if (!seen.has(value)) seen.set(value, `<${kind} ${[...seen.keys()].filter((key) => seen.get(key)!.startsWith(`<${kind} `)).length + 1}>`)
    return seen.get(value)!
  }
  return text
    .replace(/\b(traj|ev|ho|msg)_[0-9a-z]{26}\b/g, (id, kind: string) => name(kind, id))
    .replace(/\b[0-9a-f]{12,40}\b/g, (hex) => {
      const full = commits.find((commit) => commit.startsWith(hex) || hex.startsWith(commit)) ?? hex
      if (!commits.includes(full)) commits.push(full)
      return `<commit ${commits.indexOf(full) + 1}>`
    })
    .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z/g, '<time>')
}

function golden(name: string, actual: string): void {
  const path = join(ROOT, 'test', 'fixtures', 'review', name)
  if (process.env.UPDATE_GOLDEN === '1') {
    mkdirSync(dirname(path), {recursive: true})
    writeFileSync(path, actual)
    return
  }
  assert.equal(actual, readFileSync(path, 'utf8'), `${name} differs from its golden file; if the change is wanted: UPDATE_GOLDEN=1, then review the diff`)
}

describe('the review Markdown (golden files)', () => {
  it('a feature branch of two agents and a person, then its squash merge', async () => {
    const repo = newRepo({dirty: false})
    await featureBranch(repo, async () => {
      await ok(repo.dir, ['relay', 'send', 'bob', 'Do you need the tokenizer flag in the banner?', '--thread', 'parser', '--agent', 'alice'])
      await ok(repo.dir, ['relay', 'send', 'alice', 'No: `BANNER` is static text.', '--thread', 'parser', '--agent', 'bob'])
      await ok(repo.dir, [
        'relay',
        'continuity',
        'save',
        'Current task: Rework the parser\nNext steps: remove the flag next release\nUncertain: tabs inside quoted strings',
        '--handoff',
        '--agent',
        'alice',
      ])
    })
    commitAs(repo, null, {'d.txt': 'late\n'}, 'Late fix by a person')
    golden('feature-branch.md', normalise(await ok(repo.dir, ['trail', 'review', 'main..feature', '--format', 'md'])))
    gitAs(repo, null, ['checkout', '--quiet', 'main'])
    gitAs(repo, null, ['merge', '--quiet', '--squash', 'feature'])
    gitAs(repo, null, ['commit', '--quiet', '-m', 'Parser and banner (#12)'])
    golden('squash-merge.md', normalise(await ok(repo.dir, ['trail', 'review', 'HEAD~1..HEAD', '--format', 'md'])))
  })
})
