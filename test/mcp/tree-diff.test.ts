import assert from 'node:assert/strict'
import {describe, it} from 'node:test'
import {GitRepo} from '../../src/git/repo.js'
import {changedFiles} from '../../src/mcp/tree-diff.js'
import {testEnv, useRepos} from '../helpers/repo.js'

// The server's tree diff (through cat-file, no process) lists the files git diff-tree lists, and says the same of
// each: added, removed or changed.

describe('the files two commits differ by', () => {
  const makeRepo = useRepos()

  it('are the ones git diff-tree lists, for adds, changes, removals, modes, a file that becomes a folder, and a few among hundreds', async () => {
    const repo = makeRepo({empty: true})
    const commit = (script: string, parent: string | null) => {
      const input = `commit refs/test/diff\ncommitter T <t@example.com> 1800000000 +0000\ndata 2\nx\n${parent ? `from ${parent}\n` : ''}${script}\n`
      repo.git(['fast-import', '--quiet', '--force'], {input})
      return repo.git(['rev-parse', 'refs/test/diff']).trim()
    }
    const file = (path: string, content: string, mode = '100644') => `M ${mode} inline ${path}\ndata ${Buffer.byteLength(content)}\n${content}\n`
    const first = commit([file('a/b/c.md', '1'), file('a/b/d.md', '2'), file('a/e', '3'), file('top', '4'), file('gone/deep/x', '5')].join(''), null)
    const second = commit(
      [
        file('a/b/c.md', 'changed'),
        'D a/b/d.md\n',
        'D gone/deep/x\n',
        file('a/e/now-a-folder', '6'),
        file('top', '4', '100755'),
        file('new/deeper/y.md', '7'),
      ].join(''),
      first,
    )
    const third = commit(['D a/e\n', file('a/e', 'a file again')].join(''), second)
    // A folder of hundreds, then a few changes among them: names that sort around each other in git's order
    // ("f1" < "f1-x" < "f1.md" < "f1/" < "f10"), a file that becomes a folder, a mode change, ends of the list.
    const fourth = commit(Array.from({length: 300}, (_, n) => file(`many/f${n}.md`, `${n}`)).join(''), third)
    const fifth = commit(
      [
        file('many/f1-x', 'new'),
        file('many/f1', 'new'),
        file('many/f1.md/inner', 'was a file'),
        file('many/f150.md', 'changed'),
        file('many/f151.md', '151', '100755'),
        'D many/f0.md\n',
        'D many/f99.md\n',
        file('many/zz', 'last'),
        file('many/0', 'first'),
      ].join(''),
      fourth,
    )
    const git = GitRepo.open(repo.dir, testEnv())
    try {
      for (const [from, to] of [
        [null, first],
        [first, second],
        [second, third],
        [first, third],
        [third, first],
        [third, fourth],
        [fourth, fifth],
        [fifth, fourth],
        [first, fifth],
      ] as const) {
        const expected = new Map<string, string>()
        const fields = repo
          .git(['diff-tree', '-r', '-z', '--no-renames', '--name-status', from ?? repo.git(['hash-object', '-t', 'tree', '/dev/null']).trim(), to])
          .split('\0')
          .filter(Boolean)
        for (let i = 0; i + 1 < fields.length; i += 2) expected.set(fields[i + 1]!, {A: 'added', D: 'removed', M: 'changed', T: 'changed'}[fields[i]!]!)
        const actual = await changedFiles(git.reader, 'sha1', from, to)
        assert.deepEqual(new Map([...actual].sort()), new Map([...expected].sort()), `${from} → ${to}`)
      }
    } finally {
      git.close()
    }
  })
})
