// `npm test`: runs every dist/test/**/*.test.js with Node's test runner (Node 20's --test takes no globs, and a
// folder argument would also run the helpers). Extra arguments are passed on: npm test -- --test-name-pattern=x
import {spawnSync} from 'node:child_process'
import {readdirSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const files = readdirSync(join(root, 'dist', 'test'), {recursive: true})
  .filter((file) => file.endsWith('.test.js'))
  .map((file) => join('dist', 'test', file))
  .sort()
// The linter and the dead-code finder first: a failure there fails the run before the slower tests start. Skipped
// when arguments narrow the run to some tests (npm test -- --test-name-pattern=x), which is about those tests.
if (process.argv.length <= 2) {
  for (const [name, args] of [
    ['biome lint', [join(root, 'node_modules', '@biomejs', 'biome', 'bin', 'biome'), 'lint', '--error-on-warnings', root]],
    ['knip', [join(root, 'node_modules', 'knip', 'bin', 'knip.js'), '--directory', root]],
  ]) {
    const checked = spawnSync(process.execPath, args, {cwd: root, stdio: 'inherit'})
    if (checked.status !== 0) {
      process.stderr.write(`npm test: ${name} failed (see above); fix it, then run npm test again\n`)
      process.exit(checked.status ?? 1)
    }
  }
}
const result = spawnSync(process.execPath, ['--test', '--test-concurrency=2', ...process.argv.slice(2), ...files], {cwd: root, stdio: 'inherit'})
process.exit(result.status ?? 1)
