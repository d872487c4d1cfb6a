// Runs every test alone: lists the tests of each file (one full run of the file), then runs each test by itself
// with --test-name-pattern, and reports the ones that fail alone (they lean on what an earlier test left) or that
// the pattern does not single out. After `npm run build`:
//
//   node scripts/test-alone.mjs                          every dist/test/**/*.test.js
//   node scripts/test-alone.mjs dist/test/cli/trail.test.js ...
//
// Two tests run at a time (this machine's cores are shared). Exits 1 when any test failed alone.
import {spawn} from 'node:child_process'
import {readdirSync} from 'node:fs'
import {dirname, join, relative} from 'node:path'
import {fileURLToPath} from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const files =
  process.argv.length > 2
    ? process.argv.slice(2)
    : readdirSync(join(root, 'dist', 'test'), {recursive: true})
        .filter((file) => file.endsWith('.test.js'))
        .map((file) => join('dist', 'test', file))
        .sort()

// A reporter that prints one JSON line per finished test or suite: [event, name, nesting, 'suite' or null, skip].
const reporter = `data:text/javascript,${encodeURIComponent(
  'export default async function* (source) { for await (const e of source) { if (e.type === "test:pass" || e.type === "test:fail") yield JSON.stringify([e.type, e.data.name, e.data.nesting, e.data.details?.type ?? null, e.data.skip ?? null, String(e.data.details?.error?.cause?.message ?? e.data.details?.error?.message ?? "").slice(0, 300)]) + "\\n" } }',
)}`

/** Runs `node --test` on one file with extra arguments; resolves with the tests it reported. */
function run(file, args) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--test', `--test-reporter=${reporter}`, ...args, file], {cwd: root, stdio: ['ignore', 'pipe', 'pipe']})
    let out = ''
    let err = ''
    child.stdout.on('data', (chunk) => (out += chunk))
    child.stderr.on('data', (chunk) => (err += chunk))
    child.on('close', (code) => {
      const events = out
        .split('\n')
        .filter((line) => line.startsWith('['))
        .map((line) => JSON.parse(line))
        .map(([event, name, nesting, type, skip, error]) => ({passed: event === 'test:pass', name, nesting, suite: type === 'suite', skip, error}))
      resolve({code, events, err})
    })
  })
}

const escapeRegex = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

const jobs = []
for (const file of files) {
  const full = await run(file, [])
  const tests = full.events.filter((event) => !event.suite && !event.skip)
  const names = tests.map((test) => test.name)
  const duplicates = names.filter((name, i) => names.indexOf(name) !== i)
  for (const name of new Set(names)) jobs.push({file, name, shared: duplicates.includes(name)})
  if (full.code !== 0) process.stdout.write(`${relative(root, file)}: the whole file fails (exit ${full.code})\n`)
}

const failures = []
let next = 0
async function worker() {
  while (next < jobs.length) {
    const job = jobs[next++]
    const alone = await run(job.file, [`--test-name-pattern=^${escapeRegex(job.name)}$`])
    const ran = alone.events.filter((event) => !event.suite && !event.skip)
    const failed = ran.filter((event) => !event.passed)
    const suitesFailed = alone.events.filter((event) => event.suite && !event.passed)
    const why =
      ran.length === 0
        ? 'the pattern ran no test'
        : failed.length > 0 || suitesFailed.length > 0 || alone.code !== 0
          ? `failed alone (exit ${alone.code})`
          : ran.length > 1 && !job.shared
            ? `the pattern ran ${ran.length} tests`
            : null
    const line = `${why ? 'FAIL' : 'ok  '} ${relative(root, job.file)} :: ${job.name}${job.shared ? ' (name shared by several tests of the file)' : ''}${why ? `: ${why}` : ''}\n`
    process.stdout.write(line)
    if (why) failures.push({...job, why, error: failed.map((event) => event.error).join(' | ')})
  }
}
await Promise.all([worker(), worker()])
process.stdout.write(`\n${jobs.length} tests run alone, ${failures.length} failed\n`)
for (const failure of failures)
  process.stdout.write(`  ${relative(root, failure.file)} :: ${failure.name}: ${failure.why}\n      ${failure.error.replace(/\n/g, ' ')}\n`)
process.exit(failures.length > 0 ? 1 : 0)
