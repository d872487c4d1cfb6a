import assert from 'node:assert/strict'
import {execFileSync} from 'node:child_process'
import {readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, it} from 'node:test'
import {createContext} from '../../src/services/context.js'
import {importTrajectories} from '../../src/services/import.js'
import {ROOT} from '../helpers/cli.js'
import {testEnv, useRepos, type TestRepo} from '../helpers/repo.js'
import {plantedSecrets, secretSubstrings, writeGoldenHistory} from './import-history.js'

// The import's records, byte for byte: a fixed history (./import-history.ts) imported with a fixed clock and
// fixed randomness gives exactly the tree that the import wrote before it was made faster (the fixture was made
// by that code, 7becc7f). So every speed-up (memoised redaction, one file at a time, one open per file) is proved
// to change nothing in what is written. Set UPDATE_IMPORT_GOLDEN=1 to write the fixture again (then say why in the
// commit).

const makeRepo = useRepos()
const GOLDEN = join(ROOT, 'test', 'fixtures', 'import', 'golden-records.json')
const COUNT = 40

/** Randomness that is the same on every run: ids come out the same. */
function seededRandom(seed: number): (count: number) => Uint8Array {
  let state = seed >>> 0
  return (count) => {
    const bytes = new Uint8Array(count)
    for (let i = 0; i < count; i++) {
      state = (Math.imul(state ^ (state >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0
      bytes[i] = state >>> 24
    }
    return bytes
  }
}

/** Every file of the ref's tree with its content (one `git cat-file --batch` for all of them). */
function recordFiles(repo: TestRepo): Record<string, string> {
  const paths = repo.git(['ls-tree', '-r', '--name-only', '-z', 'refs/trail/records']).split('\0').filter(Boolean)
  const out = execFileSync('git', ['cat-file', '--batch'], {
    cwd: repo.dir,
    env: testEnv(),
    input: paths.map((path) => `refs/trail/records:${path}\n`).join(''),
    maxBuffer: 1 << 28,
  })
  const files: Record<string, string> = {}
  let at = 0
  for (const path of paths) {
    const header = out.subarray(at, out.indexOf(10, at)).toString('utf8')
    const size = Number(header.split(' ')[2])
    at += header.length + 1
    files[path] = out.subarray(at, at + size).toString('utf8')
    at += size + 1
  }
  return files
}

async function importFixed(repo: TestRepo): Promise<void> {
  const ctx = createContext({cwd: repo.dir, env: testEnv(), now: () => new Date('2026-01-02T03:04:05.678Z'), random: seededRandom(12)})
  try {
    const result = await importTrajectories(ctx, {dirs: [], dryRun: false})
    assert.equal(result.imported.length, COUNT)
    assert.deepEqual(result.unreadable, [])
  } finally {
    ctx.close()
  }
}

describe('trail import writes the same records, byte for byte', () => {
  it('a fixed history gives the tree the import wrote before it was made faster', async () => {
    const repo = makeRepo({dirty: true})
    writeGoldenHistory(repo.dir, COUNT)
    const before = repo.userState()
    await importFixed(repo)
    repo.assertUserStateUnchanged(before)
    const files = recordFiles(repo)
    const tree = repo.git(['rev-parse', 'refs/trail/records^{tree}']).trim()
    if (process.env.UPDATE_IMPORT_GOLDEN === '1') writeFileSync(GOLDEN, `${JSON.stringify({tree, files}, null, 1)}\n`)
    const golden = JSON.parse(readFileSync(GOLDEN, 'utf8')) as {tree: string; files: Record<string, string>}
    assert.deepEqual(Object.keys(files).sort(), Object.keys(golden.files).sort(), 'the same paths')
    for (const [path, content] of Object.entries(golden.files)) assert.equal(files[path], content, path)
    assert.equal(tree, golden.tree)
  })

  it('leaves no planted credential in any record, the same one in two files and in two fields included', async () => {
    const repo = makeRepo({dirty: true})
    const secrets = plantedSecrets()
    writeGoldenHistory(repo.dir, COUNT, secrets)
    const source = execFileSync('grep', ['-rlF', secrets.ghp, '.agentworkforce', '.trajectories'], {cwd: repo.dir, encoding: 'utf8'}).trim().split('\n')
    assert.ok(source.length >= 6, 'the same token is in several files')
    await importFixed(repo)
    const files = recordFiles(repo)
    for (const [path, content] of Object.entries(files)) {
      for (const secret of secretSubstrings(secrets)) assert.ok(!content.includes(secret), `${path} holds ${secret.slice(0, 8)}...`)
    }
    const markers: string[] =
      Object.values(files)
        .join('\n')
        .match(/\[REDACTED:[a-z-]+\]/g) ?? []
    for (const kind of [
      'github-token',
      'aws-access-key',
      'aws-secret-key',
      'anthropic-key',
      'slack-token',
      'secret',
      'url-password',
      'private-key',
      'basic-auth',
    ]) {
      assert.ok(markers.includes(`[REDACTED:${kind}]`), `a ${kind} was redacted`)
    }
    // Each trajectory with credentials has them in its title, its summary and its decision's reasoning alike.
    const titled = Object.entries(files).filter(
      ([path, content]) => path.endsWith('/trajectory.md') && /^title: "?Rotate \[REDACTED:github-token\]/m.test(content),
    )
    assert.ok(titled.length >= 6)
    for (const [, content] of titled.filter(([, content]) => /^status: completed$/m.test(content))) {
      assert.match(content, /^summary: "Done; the token was \[REDACTED:github-token\]"$/m)
    }
  })
})
