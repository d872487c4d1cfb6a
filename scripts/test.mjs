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
const result = spawnSync(process.execPath, ['--test', '--test-concurrency=2', ...process.argv.slice(2), ...files], {cwd: root, stdio: 'inherit'})
process.exit(result.status ?? 1)
