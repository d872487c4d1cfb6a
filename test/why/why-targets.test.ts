import assert from 'node:assert/strict'
import {execFileSync} from 'node:child_process'
import {describe, it} from 'node:test'
import {rmSync, symlinkSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {json, runCli} from '../helpers/cli.js'
import {useRepos, type TestRepo} from '../helpers/repo.js'
import {commitAs} from '../review/helpers.js'

// What `trail why` makes of its target: a line range, a file whose name only looks like one, and the answers to a
// target that is neither, each one line with a hint.

const newRepo = useRepos()

const RANGE_HINT = 'hint: lines count from 1, the first before the last: src/app.js:10-20\n'

function targets(): TestRepo {
  const repo = newRepo({dirty: false})
  commitAs(repo, null, {'parser.js': 'a\nb\nc\n', 'x:1': 'named like a range\n', 'name:abc': 'odd name\n', 'empty.txt': '', 'onenl.txt': 'one\n'}, 'Files')
  return repo
}

describe('trail why <target>', () => {
  it('says a range that is none is not a line range when the text before the colon is a file', async () => {
    const repo = targets()
    for (const suffix of ['abc', '2-', '1-2,5', '-1', '2:3', '0', '3-2', '99999999999999999999']) {
      const result = await runCli(repo.dir, ['trail', 'why', `parser.js:${suffix}`])
      assert.deepEqual([result.code, result.stderr], [2, `error: 'parser.js:${suffix}' is not a line range\n${RANGE_HINT}`], suffix)
    }
  })

  it('answers for a file whose whole name looks like a line range', async () => {
    const repo = targets()
    for (const name of ['x:1', 'name:abc']) {
      const result = await json<{path: string; ranges: unknown}>(repo.dir, ['trail', 'why', name])
      assert.deepEqual([result.path, result.ranges], [name, null])
    }
  })

  it('answers for a path with a newline', async () => {
    const repo = targets()
    commitAs(repo, null, {'two\nlines.txt': 'first\nsecond\n'}, 'A file with a newline in its name')
    const result = await json<{path: string; unexplained: {lines: number}}>(repo.dir, ['trail', 'why', 'two\nlines.txt:1-2'])
    assert.deepEqual([result.path, result.unexplained.lines], ['two\nlines.txt', 2])
  })

  it('names what the target is when it is no file: the top folder, a submodule, an empty file, a short file', async () => {
    const repo = targets()
    repo.git(['update-index', '--add', '--cacheinfo', `160000,${repo.git(['rev-parse', 'HEAD']).trim()},lib`])
    repo.git(['commit', '--quiet', '-m', 'A submodule'])
    const cases: [string, number, string][] = [
      ['.', 3, 'error: . is not a file in HEAD (it is a folder)\n'],
      ['lib', 3, 'error: lib is not a file in HEAD (it is a submodule)\n'],
      ['lib:1', 3, 'error: lib is not a file in HEAD (it is a submodule)\n'],
      ['empty.txt:1', 2, 'error: empty.txt is empty in HEAD: it has no lines to explain\nhint: ask about the whole file instead: trail why empty.txt\n'],
      ['onenl.txt:2', 2, 'error: onenl.txt has 1 line in HEAD; line 2 is past its end\nhint: ask about line 1\n'],
    ]
    for (const [target, code, stderr] of cases) {
      const result = await runCli(repo.dir, ['trail', 'why', target])
      assert.equal(result.code, code, target)
      assert.equal(result.stderr.split('hint: give a file')[0], stderr, target)
    }
  })
})

describe('trail why and the work tree', () => {
  it('reads a path through a symbolic link to the repository', async () => {
    const repo = targets()
    const link = join(dirname(repo.dir), `${repo.dir.split('/').at(-1)}-link`)
    symlinkSync(repo.dir, link)
    try {
      const result = await json<{path: string}>(repo.dir, ['trail', 'why', `${link}/parser.js:1`])
      assert.equal(result.path, 'parser.js')
    } finally {
      rmSync(link)
    }
  })

  it("warns that the line numbers are HEAD's when the work tree's file differs", async () => {
    const repo = targets()
    repo.write('parser.js', 'new first line\na\nb\nc\n')
    const result = await runCli(repo.dir, ['trail', 'why', 'parser.js:1'])
    assert.equal(result.code, 0)
    assert.match(result.stderr, /parser\.js in the work tree differs from HEAD: the line numbers are HEAD's/)
    const clean = await runCli(repo.dir, ['trail', 'why', 'onenl.txt:1'])
    assert.equal(clean.stderr, '')
  })

  it('does not warn of a file the checkout only gave other line endings, or a filter its form in the work tree', async () => {
    const repo = targets()
    // core.autocrlf: git checks files out with CRLF and stores them with LF. The same bytes as a checkout writes.
    repo.git(['config', 'core.autocrlf', 'true'])
    rmSync(join(repo.dir, 'parser.js'))
    repo.git(['checkout', '--', 'parser.js'])
    assert.equal(repo.read('parser.js'), 'a\r\nb\r\nc\r\n')
    assert.equal(repo.git(['status', '--porcelain', '--', 'parser.js']), '')
    const crlf = await runCli(repo.dir, ['trail', 'why', 'parser.js:2'])
    assert.deepEqual([crlf.code, crlf.stderr], [0, ''])
    // A smudge filter (here: a header line in the work tree) that its clean filter takes off again.
    repo.git(['config', 'filter.header.smudge', "sed '1i // generated'"])
    repo.git(['config', 'filter.header.clean', "sed '1d'"])
    repo.write('.git/info/attributes', 'onenl.txt filter=header\n')
    rmSync(join(repo.dir, 'onenl.txt'))
    repo.git(['checkout', '--', 'onenl.txt'])
    assert.match(repo.read('onenl.txt'), /^\/\/ generated\none\r?\n$/)
    assert.equal(repo.git(['status', '--porcelain', '--', 'onenl.txt']), '')
    const filtered = await runCli(repo.dir, ['trail', 'why', 'onenl.txt:1'])
    assert.deepEqual([filtered.code, filtered.stderr], [0, ''])
    // A real change under the same settings still warns.
    repo.write('parser.js', 'a\r\nchanged\r\nc\r\n')
    const changed = await runCli(repo.dir, ['trail', 'why', 'parser.js:2'])
    assert.match(changed.stderr, /parser\.js in the work tree differs from HEAD/)
  })

  it('warns without reading a work-tree file that is a FIFO or a link where HEAD has a file', {timeout: 60_000}, async () => {
    const repo = targets()
    rmSync(join(repo.dir, 'parser.js'))
    execFileSync('mkfifo', [join(repo.dir, 'parser.js')])
    const fifo = await runCli(repo.dir, ['trail', 'why', 'parser.js:1'])
    assert.equal(fifo.code, 0)
    assert.match(fifo.stderr, /parser\.js in the work tree differs from HEAD/)
    rmSync(join(repo.dir, 'onenl.txt'))
    symlinkSync('parser.js', join(repo.dir, 'onenl.txt'))
    const link = await runCli(repo.dir, ['trail', 'why', 'onenl.txt:1'])
    assert.match(link.stderr, /onenl\.txt in the work tree differs from HEAD/)
  })
})
