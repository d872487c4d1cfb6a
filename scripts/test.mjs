// `npm test`: runs every dist/test/**/*.test.js with Node's test runner (Node 20's --test takes no globs, and a
// folder argument would also run the helpers). Extra arguments are passed on: npm test -- --test-name-pattern=x
import {spawnSync} from 'node:child_process'
import {mkdtempSync, readdirSync, rmSync, statSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const files = readdirSync(join(root, 'dist', 'test'), {recursive: true})
  .filter((file) => file.endsWith('.test.js'))
  .map((file) => join('dist', 'test', file))
  .sort()
// A full run, not one narrowed to some tests (npm test -- --test-name-pattern=x): it is also linted and guarded.
const full = process.argv.length <= 2
// The linter and the dead-code finder first: a failure there fails the run before the slower tests start.
if (full) {
  for (const [name, args] of [
    ['biome check (lint and format)', [join(root, 'node_modules', '@biomejs', 'biome', 'bin', 'biome'), 'check', '--error-on-warnings', root]],
    ['knip', [join(root, 'node_modules', 'knip', 'bin', 'knip.js'), '--directory', root]],
  ]) {
    const checked = spawnSync(process.execPath, args, {cwd: root, stdio: 'inherit'})
    if (checked.status !== 0) {
      process.stderr.write(`npm test: ${name} failed (see above); fix it, then run npm test again\n`)
      process.exit(checked.status ?? 1)
    }
  }
}

// Nothing left in the temporary folder. On a full run the tests get a temporary folder of their own (TMPDIR: every
// folder made through os.tmpdir() goes there), which must be empty when they are done. And /tmp, the temporary
// folder this script was given and the spec's outbox base must hold no new entry of this project's (a path a test
// wrote without asking os.tmpdir(), such as /tmp/relay-outbox/<agent>). Other processes on the machine (another
// checkout's tests, a benchmark) can make entries with these names meanwhile: the message names every entry.
const PREFIXES = ['relay-', 'trail-', 'fast_import_crash_']
/** DEFAULT_OUTBOX in src/services/ingest.ts: its agent folders are watched too. */
const OUTBOX = '/tmp/relay-outbox'
const watched = [...new Set(['/tmp', tmpdir()])]
const ours = (dir) => {
  try {
    return readdirSync(dir).filter((name) => dir === OUTBOX || PREFIXES.some((prefix) => name.startsWith(prefix)))
  } catch {
    return []
  }
}
const snapshot = () => new Map([...watched, OUTBOX].map((dir) => [dir, new Set(ours(dir))]))
const scratch = full ? mkdtempSync(join(tmpdir(), 'relay-trail-run-')) : null
const before = full ? snapshot() : null

const result = spawnSync(process.execPath, ['--test', '--test-concurrency=2', ...process.argv.slice(2), ...files], {
  cwd: root,
  stdio: 'inherit',
  env: scratch ? {...process.env, TMPDIR: scratch} : process.env,
})

if (scratch && before) {
  const describe = (path) => {
    try {
      return statSync(path).isDirectory() ? `${path}/` : path
    } catch {
      return path
    }
  }
  const left = readdirSync(scratch).map((name) => describe(join(scratch, name)))
  for (const [dir, names] of snapshot()) for (const name of names) if (!before.get(dir)?.has(name)) left.push(describe(join(dir, name)))
  rmSync(scratch, {recursive: true, force: true})
  if (left.length > 0) {
    process.stderr.write(
      `npm test: the tests left ${left.length} entries in the temporary folder (those in ${scratch} are removed now):\n${left.map((path) => `  ${path}\n`).join('')}` +
        "Remove what a test makes (useTempDirs, useRepos in test/helpers/repo.ts). An entry outside the run's own folder may also be another process's.\n",
    )
    process.exit(result.status || 1)
  }
}
process.exit(result.status ?? 1)
