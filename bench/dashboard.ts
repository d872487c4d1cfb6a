import {spawn, spawnSync} from 'node:child_process'
import {cpSync, existsSync, mkdirSync, mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {chromium, type BrowserContext, type Page} from 'playwright-core'
import {benchEnv, markdownTable, mean, median, perRound, RELAY, ratioFigure, ROOT, TRAIL} from './harness.js'
import {buildStore} from './stores.js'

// `relay dashboard` in a real browser (Debian's chromium through playwright-core), on stores of several sizes:
// - time to first usable page: from spawning `relay dashboard` to the page showing the first page of the
//   trajectory list (its first row), measured in the browser; split into the server's start (spawn to the URL
//   printed) and the page's part (opening the URL to the first row: the issue's "usable within 1 second of
//   opening");
// - write to appearance: from spawning `trail start` in another process to the new trajectory showing on the open
//   page, without a reload; and the part after the write command exited (what the dashboard adds).
// Goals (issue 11): a usable page within 1 second at 100,000 trajectories, and updates that cost the same as in an
// empty store.

/**
 * A store of `size` trajectories, kept in bench/.cache/ (building 100,000 takes minutes): made on first use, and
 * put back as it was after each use (its ref reset to the commit it had; the records written are dropped).
 */
function cachedStore(size: number): {dir: string; restore(): void} {
  const dir = join(ROOT, 'bench', '.cache', `dashboard-store-${size}`)
  const git = (args: string[]) => spawnSync('git', args, {cwd: dir, env: benchEnv(), encoding: 'utf8'})
  if (!existsSync(join(dir, '.git')) || (size > 0 && git(['rev-parse', '--verify', '--quiet', 'refs/trail/records']).status !== 0)) {
    process.stderr.write(`building a store of ${size} trajectories (kept in bench/.cache)...\n`)
    const built = buildStore(size)
    rmSync(dir, {recursive: true, force: true})
    mkdirSync(join(ROOT, 'bench', '.cache'), {recursive: true})
    cpSync(built, dir, {recursive: true})
    rmSync(built, {recursive: true, force: true})
  }
  const tip = git(['rev-parse', '--verify', '--quiet', 'refs/trail/records']).stdout.trim()
  return {
    dir,
    restore: () => {
      if (tip) git(['update-ref', 'refs/trail/records', tip])
      else git(['update-ref', '-d', 'refs/trail/records'])
    },
  }
}

interface Running {
  url: string
  stop(): Promise<void>
}

function startDashboard(cwd: string): Promise<Running> {
  const child = spawn(process.execPath, [RELAY, 'dashboard', '--port', '0', '--new-token'], {cwd, env: benchEnv(), stdio: ['ignore', 'pipe', 'pipe']})
  let stdout = ''
  let stderr = ''
  const exited = new Promise<void>((resolve) => child.on('close', () => resolve()))
  return new Promise((resolve, reject) => {
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString()
      const url = /^(http:\/\/\S+)\n/.exec(stdout)?.[1]
      if (url) {
        resolve({
          url,
          stop: async () => {
            child.kill('SIGTERM')
            await exited
          },
        })
      }
    })
    void exited.then(() => reject(new Error(`relay dashboard exited early: ${stderr}`)))
  })
}

/** Runs a command to its end; resolves with its wall time in milliseconds. */
function runTimed(argv: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<number> {
  const start = performance.now()
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0]!, argv.slice(1), {cwd, env, stdio: 'ignore'})
    child.on('close', (code) => (code === 0 ? resolve(performance.now() - start) : reject(new Error(`${argv.join(' ')} exited ${code}`))))
  })
}

const FIRST_LIST = 'tr.trajectory-row, main .empty'

async function firstUsablePage(context: BrowserContext, cwd: string): Promise<{total: number; server: number}> {
  const start = performance.now()
  const dashboard = await startDashboard(cwd)
  const server = performance.now() - start
  const page = await context.newPage()
  try {
    await page.goto(`${dashboard.url}#trajectories`)
    await page.waitForSelector(FIRST_LIST, {timeout: 60_000})
    return {total: performance.now() - start, server}
  } finally {
    await page.close()
    await dashboard.stop()
  }
}

async function writeToAppearance(page: Page, cwd: string, round: number): Promise<{total: number; afterWrite: number}> {
  const title = `Bench write ${round} ${Date.now()}`
  const start = performance.now()
  const appeared = page.waitForSelector(`text=${title}`, {timeout: 60_000}).then(() => performance.now())
  const writeMs = await runTimed([process.execPath, TRAIL, 'start', title, '--agent', `bench-writer-${round}`], cwd, benchEnv())
  const at = await appeared
  return {total: at - start, afterWrite: at - start - writeMs}
}

/**
 * Measures both figures at each size, `rounds` times each, and returns a Markdown table of medians.
 *
 * @example process.stdout.write(await benchDashboard([0, 10_000], 5))
 */
export async function benchDashboard(sizes: readonly number[], rounds: number): Promise<string> {
  const profile = mkdtempSync(join(tmpdir(), 'relay-bench-chromium-'))
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  })
  const rows: string[][] = []
  try {
    for (const size of sizes) {
      const store = cachedStore(size)
      const repo = store.dir
      try {
        process.stderr.write(`measuring the dashboard (${size})...\n`)
        await firstUsablePage(context, repo) // warm-up: the file system cache, V8's code cache
        const first: {total: number; server: number}[] = []
        const baseline: number[] = []
        for (let round = 0; round < rounds; round++) {
          baseline.push(await runTimed([process.execPath, '-e', '0'], repo, benchEnv()))
          first.push(await firstUsablePage(context, repo))
        }
        const dashboard = await startDashboard(repo)
        const page = await context.newPage()
        const writes: {total: number; afterWrite: number}[] = []
        try {
          await page.goto(`${dashboard.url}#trajectories`)
          await page.waitForSelector(FIRST_LIST)
          await writeToAppearance(page, repo, -1)
          for (let round = 0; round < rounds; round++) writes.push(await writeToAppearance(page, repo, round))
        } finally {
          await page.close()
          await dashboard.stop()
        }
        const ms = (values: number[]) => `${median(values).toFixed(0)} ms, mean ${mean(values).toFixed(0)} ms`
        rows.push([
          size.toLocaleString('en'),
          ms(baseline),
          `${ms(first.map((f) => f.total))} (${ratioFigure(perRound(rounds, (round) => first[round]!.total / baseline[round]!))} node -e 0)`,
          ms(first.map((f) => f.server)),
          ms(first.map((f) => f.total - f.server)),
          ms(writes.map((w) => w.total)),
          ms(writes.map((w) => w.afterWrite)),
        ])
      } finally {
        store.restore()
      }
    }
  } finally {
    await context.close()
    rmSync(profile, {recursive: true, force: true})
  }
  return [
    `### relay dashboard in Chromium (${rounds} rounds: median and mean; node -e 0 measured in the same rounds, the first page also as the median and mean of its per-round ratio to it)`,
    '',
    markdownTable(
      [
        'trajectories',
        "node -e 0 (the machine's pace)",
        'first usable page (spawn to the first list row)',
        'of which the server starting (spawn to URL)',
        'of which the page (opening the URL to the first list row; goal: within 1 s at 100,000)',
        'write to appearance (spawn of trail start to the row)',
        'of which after the write exited',
      ],
      rows,
    ),
  ].join('\n')
}
