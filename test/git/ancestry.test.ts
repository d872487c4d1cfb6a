import assert from 'node:assert/strict'
import {spawnSync} from 'node:child_process'
import {describe, it} from 'node:test'
import {GitRepo} from '../../src/git/repo.js'
import {testEnv, useRepos} from '../helpers/repo.js'

// Which commits left a branch's history (trail review's stale decisions): every commit given is judged exactly as
// `git merge-base --is-ancestor` judges it, whatever their number, with one git process.

const newRepo = useRepos()

describe('the commits that are not ancestors of a base', () => {
  it('are those merge-base --is-ancestor says are not, plus missing commits and names that are no commit id', async () => {
    const repo = newRepo({dirty: false})
    const commit = (message: string) => {
      repo.git(['commit', '--quiet', '--allow-empty', '-m', message])
      return repo.git(['rev-parse', 'HEAD']).trim()
    }
    const below = [commit('one'), commit('two')]
    const base = commit('base')
    repo.git(['checkout', '--quiet', '-b', 'side', below[0]!])
    const side = [commit('side one'), commit('side two')]
    repo.git(['checkout', '--quiet', '-'])
    const after = commit('after base')
    const tree = repo.git(['rev-parse', 'HEAD^{tree}']).trim()
    const orphan = repo.git(['commit-tree', tree, '-m', 'orphan'], {input: ''}).trim()
    const missing = 'f'.repeat(40)
    const given = [...below, base, ...side, after, orphan, missing, 'not-an-id', tree]
    const git = GitRepo.open(repo.dir, testEnv())
    try {
      const gone = await git.notAncestors(given, base)
      const expected = given.filter(
        (oid) => spawnSync('git', ['merge-base', '--is-ancestor', oid, base], {cwd: repo.dir, env: testEnv(), stdio: 'ignore'}).status !== 0,
      )
      assert.deepEqual([...gone].sort(), expected.sort())
      assert.deepEqual([...gone].sort(), [...side, after, orphan, missing, 'not-an-id', tree].sort())
      assert.deepEqual([...(await git.notAncestors([], base))], [])
    } finally {
      git.close()
    }
  })
})
