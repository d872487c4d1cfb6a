import assert from 'node:assert/strict'
import {after, before, describe, it} from 'node:test'
import {json} from '../helpers/cli.js'
import {makeRepo, type TestRepo, type UserState} from '../helpers/repo.js'
import type {FileSuggestionsJson} from '../../src/dashboard/file-suggestions.js'
import type {WhyJson} from '../../src/render/why.js'
import {api, request, startDashboard, type Dashboard} from './fixture.js'
import {writeWhyHistory, type WhyHistory} from './why-history.js'

// The dashboard's file view over HTTP: GET /api/why answers what `trail why --json` prints for the same target,
// from a history written through the CLI and the git hooks; a target from a request is checked (a path of the
// repository only, never an option), errors come back as the API's JSON error shape; GET /api/files completes a
// typed path from the tracked files; both need the token; the user's repository is left as it was.

interface ErrorJson {
  error: {code: string; message: string; hint: string | null}
}

describe("the dashboard's file view over HTTP", () => {
  let repo: TestRepo
  let history: WhyHistory
  let dashboard: Dashboard
  let before_: UserState

  before(async () => {
    repo = makeRepo({dirty: false})
    history = await writeWhyHistory(repo)
    before_ = repo.userState()
    dashboard = await startDashboard(repo.dir)
  })

  after(async () => {
    await dashboard?.stop()
    repo?.remove()
  })

  const get = (path: string, headers: Record<string, string> = {Authorization: `Bearer ${dashboard.token}`}) => request(dashboard.base, path, {headers})
  const why = (target: string, rev?: string) => `/api/why?target=${encodeURIComponent(target)}${rev === undefined ? '' : `&rev=${encodeURIComponent(rev)}`}`

  it('answers for lines, a whole file and a commit exactly what trail why --json prints', async () => {
    for (const [target, rev] of [
      ['f.js:1-5', undefined],
      ['f.js:3', undefined],
      ['f.js', undefined],
      ['logo.bin', undefined],
      ['f.js:1-3', 'HEAD~2'],
    ] as const) {
      const page = await api<WhyJson>(dashboard, why(target, rev))
      const cli = await json<WhyJson>(repo.dir, ['trail', 'why', target, ...(rev === undefined ? [] : ['--rev', rev]), '--json'])
      assert.deepEqual(page, cli, `${target} ${rev ?? ''}`)
    }
    const lines = await api<WhyJson>(dashboard, why('f.js:1-5'))
    assert.deepEqual(
      lines.trajectories.map((t) => [t.id, t.lines]),
      [
        [history.mallory, [4]],
        [history.bob, [3]],
        [history.alice, [1, 2]],
      ],
    )
    const alice = lines.trajectories[2]!
    assert.deepEqual(
      alice.decisions.map((d) => [d.title, d.reasoning, d.alternatives, d.confidence, d.lines]),
      [['Read two header lines', 'The format has exactly two', ['one line', 'a length prefix'], 0.7, [1, 2]]],
    )
    assert.equal(alice.handoffs.length, 1)
    assert.deepEqual([lines.unexplained.lines, lines.unexplained.commits.map((c) => c.subject)], [1, ['A person adds a line']])
    repo.assertUserStateUnchanged(before_)
  })

  it('reads the path from the top of the repository, wherever the dashboard was started', async () => {
    const below = await startDashboard(`${repo.dir}/src`)
    try {
      const answer = await api<WhyJson>(below, why('src/deep/name.js:1'))
      assert.equal(answer.path, 'src/deep/name.js')
      assert.equal((await request(below.base, why('deep/name.js:1'), {headers: {Authorization: `Bearer ${below.token}`}})).status, 404)
    } finally {
      await below.stop()
    }
    repo.assertUserStateUnchanged(before_)
  })

  it('refuses a target outside the repository, absolute, option-like or with a control character with 400 and one line', async () => {
    const refused: [string, string | undefined, RegExp][] = [
      ['../x', undefined, /goes up a folder/],
      ['src/../../x:1', undefined, /goes up a folder/],
      ['..\\x', undefined, /goes up a folder/],
      ['/etc/passwd', undefined, /absolute path/],
      [`${repo.dir}/f.js`, undefined, /absolute path/],
      ['C:\\Windows\\win.ini', undefined, /absolute path/],
      ['-L1', undefined, /looks like an option/],
      ['--output=/tmp/pwned', undefined, /looks like an option/],
      ['f.js\u0000:1', undefined, /control character/],
      ['f.js\n-L1', undefined, /control character/],
      ['', undefined, /no target given/],
      ['f.js:0', undefined, /not a line range/],
      ['f.js:3-2', undefined, /not a line range/],
      ['f.js:99', undefined, /past its end/],
      ['logo.bin:1', undefined, /binary file/],
      ['f.js', '--output=/tmp/pwned', /not a commit name/],
      ['f.js', 'HEAD\u0000', /not a commit name/],
    ]
    for (const [target, rev, message] of refused) {
      const answer = await get(why(target, rev))
      assert.equal(answer.status, 400, `${JSON.stringify(target)} ${rev ?? ''}: ${answer.body}`)
      const {error} = answer.json<ErrorJson>()
      assert.match(error.message, message, JSON.stringify(target))
      assert.doesNotMatch(error.message, /\n/)
      assert.doesNotMatch(answer.body, /\bat .*\.js:\d+/, 'no stack')
      assert.ok(error.hint, `${JSON.stringify(target)}: a hint`)
    }
    assert.equal((await get('/api/why')).status, 400)
    repo.assertUserStateUnchanged(before_)
  })

  it('answers 404 for a file or a commit that is not there', async () => {
    for (const [target, rev] of [
      ['nowhere.js', undefined],
      ['nowhere.js:1', undefined],
      ['src', undefined],
      ['f.js', 'no-such-branch'],
      ['untracked.txt', undefined],
    ] as const) {
      const answer = await get(why(target, rev))
      assert.equal(answer.status, 404, `${target}: ${answer.body}`)
      const {error} = answer.json<ErrorJson>()
      assert.equal(error.code, 'E_NOT_FOUND')
      assert.doesNotMatch(answer.body, /\bat .*\.js:\d+/)
    }
  })

  it('completes a typed path from the tracked files, best first, bounded', async () => {
    const named = await api<FileSuggestionsJson>(dashboard, '/api/files?q=NAME')
    assert.deepEqual(named.files, ['src/deep/name.js'])
    const all = await api<FileSuggestionsJson>(dashboard, '/api/files?q=')
    assert.deepEqual(all.files.sort(), ['README.md', 'f.js', 'logo.bin', 'src/app.js', 'src/deep/name.js'])
    assert.ok(!all.files.includes('untracked.txt'))
    const first = await api<FileSuggestionsJson>(dashboard, '/api/files?q=f.js:3')
    assert.deepEqual([first.query, first.files[0]], ['f.js', 'f.js'])
    const cut = await api<FileSuggestionsJson>(dashboard, '/api/files?q=s&limit=2')
    assert.deepEqual([cut.files.length, cut.total], [2, 3])
    assert.equal((await get('/api/files?q=a&limit=51')).status, 400)
    repo.assertUserStateUnchanged(before_)
  })

  it('refuses both without the token, or from a foreign Host, as every other endpoint', async () => {
    for (const path of [why('f.js:1'), '/api/files?q=f']) {
      const none = await get(path, {})
      assert.equal(none.status, 401, path)
      assert.equal(none.json<ErrorJson>().error.code, 'E_TOKEN')
      assert.equal((await get(path, {Authorization: 'Bearer wrong-token-wrong-token-wrong-token-x'})).status, 401, path)
      assert.equal((await get(path, {Authorization: `Bearer ${dashboard.token}`, Host: `rebind.example:${dashboard.port}`})).status, 403, path)
    }
  })
})
