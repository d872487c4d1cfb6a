import assert from 'node:assert/strict'
import {existsSync, readFileSync} from 'node:fs'
import {createServer} from 'node:http'
import type {AddressInfo} from 'node:net'
import {extname, join, normalize} from 'node:path'
import {after, before, describe, it} from 'node:test'
import type {Page} from 'playwright-core'
import {ok} from '../helpers/cli.js'
import {makeRepo, useTempDirs, type TestRepo, type UserState} from '../helpers/repo.js'
import {launchBrowser, startDashboard, type Browser, type Dashboard} from './fixture.js'
import {commitAs} from '../review/helpers.js'
import {agentWork, HOSTILE_TITLE, writeWhyHistory, type WhyHistory} from './why-history.js'

// The dashboard's file view in a real browser (playwright-core driving Debian's chromium): opened by its key and by
// its URL, a path typed with suggestions from the tracked files, the decisions behind the lines with their
// reasoning, alternatives, confidence and lines, the lines nobody explained, links to the trajectory view, errors
// shown as a message, a hostile title shown as text (its right-to-left override as a visible escape), all of it
// with the keyboard, on a phone's width too, and the user's repository left as it was.

/** Waits until an expression is true in the page (page.waitForFunction would need eval, which the CSP forbids). */
async function until(page: Page, expression: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await page.evaluate<boolean>(expression))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${expression}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

/** The view's results, once drawn: the target line (a result) or an error. */
const DRAWN = 'main .results p.why-target, main .results p.error'

/** Chromium's own console note for an answer of 4xx (the page shows the error itself). */
const isRefusedLoad = (error: string) => /Failed to load resource: the server responded with a status of 4\d\d/.test(error)

describe("the dashboard's file view in a browser", () => {
  let repo: TestRepo
  let history: WhyHistory
  let dashboard: Dashboard
  let browser: Browser
  let before_: UserState
  const tempDir = useTempDirs()

  before(async () => {
    repo = makeRepo({dirty: false})
    history = await writeWhyHistory(repo)
    before_ = repo.userState()
    dashboard = await startDashboard(repo.dir)
    browser = await launchBrowser()
  })

  after(async () => {
    await browser?.close()
    await dashboard?.stop()
    repo?.remove()
  })

  /** Opens the page through the URL with the token (which sets the cookie), at `hash`. */
  async function open(page: Page, hash = ''): Promise<void> {
    await page.goto(dashboard.url)
    await page.waitForSelector('body[data-ready]')
    if (hash !== '') await page.evaluate(`location.hash = ${JSON.stringify(hash)}`)
  }

  it('opens by key 7 and with the keyboard alone: a typed path, suggested from the tracked files, explained', async () => {
    const {page, errors} = await browser.page()
    await open(page)
    await page.keyboard.press('7')
    await until(page, `document.activeElement?.id === 'view-heading' && document.activeElement.textContent === 'Why'`)
    assert.equal(await page.locator('nav a[aria-current="page"]').innerText(), 'Why')
    // Tab from the heading reaches the path field.
    for (let presses = 0; presses < 5 && !(await page.evaluate<boolean>(`document.activeElement?.id === 'why-target'`)); presses++)
      await page.keyboard.press('Tab')
    assert.equal(await page.evaluate<string>('document.activeElement?.id'), 'why-target')
    await page.keyboard.type('deep')
    await page.locator('datalist#why-files option[value="src/deep/name.js"]').waitFor({state: 'attached'})
    await page.keyboard.press('Control+A')
    await page.keyboard.type('f.js:1-5')
    await page.keyboard.press('Enter')
    await page.waitForSelector('article.why-trajectory')
    assert.equal(await page.evaluate<string>('decodeURIComponent(location.hash)'), '#why?target=f.js:1-5')
    // Newest first, each with the lines it covers; alice's decision with all it recorded.
    assert.deepEqual(await page.locator('article.why-trajectory').evaluateAll((articles) => articles.map((a) => a.getAttribute('data-id'))), [
      history.mallory,
      history.bob,
      history.alice,
    ])
    const alice = await page.locator(`article.why-trajectory[data-id="${history.alice}"]`).innerText()
    for (const text of [
      'Parse the header',
      'completed',
      'alice',
      'lines 1-2',
      'Read two header lines (lines 1-2)',
      'The format has exactly two',
      'one line',
      'a length prefix',
      'confidence 0.7',
      'Retrospective',
      'Parse the header: done',
      'Handoffs',
      'header parsing',
    ]) {
      assert.ok(alice.includes(text), `${text} in ${alice}`)
    }
    assert.match(
      await page.locator('section.why-unexplained').innerText(),
      /^1 line from 1 commit with no recorded reasoning\n[\s\S]*A person adds a line \(Test User\): line 5/,
    )
    // The trajectory's id links to the trajectory view, reachable with the keyboard.
    const link = page.locator(`article.why-trajectory[data-id="${history.alice}"] h3 a`)
    await link.focus()
    await page.keyboard.press('Enter')
    await page.waitForSelector('ol.timeline')
    assert.match(await page.evaluate<string>('location.hash'), new RegExp(`^#trajectory/[^/]+/${history.alice}$`))
    assert.ok((await page.locator('main').innerText()).includes('Read two header lines'))
    assert.deepEqual(errors, [])
    repo.assertUserStateUnchanged(before_)
    await page.close()
  })

  it('is reached by Tab from the top of the page like every panel, with its key named', async () => {
    const {page, errors} = await browser.page()
    await open(page)
    for (let presses = 0; presses < 20 && (await page.evaluate<string | undefined>('document.activeElement?.dataset.panel')) !== 'why'; presses++)
      await page.keyboard.press('Tab')
    assert.equal(await page.evaluate<string | undefined>('document.activeElement?.dataset.panel'), 'why')
    assert.equal(await page.locator('nav a[data-panel="why"]').getAttribute('aria-keyshortcuts'), '7')
    assert.notEqual(await page.evaluate<string>('getComputedStyle(document.activeElement).outlineStyle'), 'none', 'the focus shows')
    await page.keyboard.press('Enter')
    await until(page, `document.activeElement?.id === 'view-heading' && document.activeElement.textContent === 'Why'`)
    assert.deepEqual(errors, [])
    await page.close()
  })

  it('opens by URL, the target and the commit in the fragment, and explains a whole file', async () => {
    const {page, errors} = await browser.page()
    await open(page, '#why?target=f.js')
    await page.waitForSelector(DRAWN)
    assert.equal(await page.inputValue('#why-target'), 'f.js')
    assert.equal(await page.locator('article.why-trajectory').count(), 3)
    assert.match(await page.locator('section.why-unexplained h3').innerText(), /^1 commit of this file with no recorded reasoning$/)
    // At an older commit, mallory's and the person's lines are not there yet.
    await page.evaluate(`location.hash = '#why?target=f.js:1-3&rev=HEAD~2'`)
    await until(page, `document.querySelectorAll('article.why-trajectory').length === 2`)
    assert.equal(await page.inputValue('input[name="rev"]'), 'HEAD~2')
    assert.equal(await page.locator('section.why-unexplained').count(), 0)
    assert.deepEqual(errors, [])
    await page.close()
  })

  it('shows a hostile title as text: no element is made from it, no script runs, its direction override is shown escaped', async () => {
    const {page, errors} = await browser.page()
    await open(page, '#why?target=f.js:4')
    await page.waitForSelector('article.why-trajectory')
    const found = await page.evaluate<{pwned: unknown; elements: number; text: string}>(`({
      pwned: window.__pwned ?? null,
      elements: document.querySelectorAll('main img, main script, main [onerror]').length,
      text: document.querySelector('main').textContent ?? '',
    })`)
    assert.deepEqual([found.pwned, found.elements], [null, 0])
    const escaped = HOSTILE_TITLE.replace('\u202e', '\\u202e')
    assert.ok(found.text.includes(escaped), 'the title, as text, with the override as \\u202e')
    assert.ok(!found.text.includes('\u202e'), 'no override character reaches the page')
    assert.ok(found.text.includes(`${escaped} because`), 'the reasoning too')
    assert.deepEqual(errors, [])
    await page.close()
  })

  it('shows a refused or missing target as a message, and the view stays usable', async () => {
    const {page, errors} = await browser.page()
    await open(page, '#why?target=../etc/passwd')
    await page.waitForSelector('main p.error[role="alert"]')
    assert.match(await page.locator('main p.error').innerText(), /goes up a folder/)
    for (const [target, message] of [
      ['-L1', /looks like an option/],
      ['nowhere.js:1', /nowhere\.js is not a file in HEAD/],
      ['logo.bin:1', /logo\.bin is a binary file/],
    ] as const) {
      await page.fill('#why-target', target)
      await page.press('#why-target', 'Enter')
      await until(page, `new RegExp(${JSON.stringify(message.source)}).test(document.querySelector('main p.error')?.textContent ?? '')`)
    }
    await page.fill('#why-target', 'logo.bin')
    await page.press('#why-target', 'Enter')
    await page.waitForSelector('text=(a binary file)')
    assert.deepEqual(
      errors.filter((error) => !isRefusedLoad(error)),
      [],
    )
    await page.close()
  })

  it('is readable on a phone: the view does not scroll sideways at 390 pixels', async () => {
    const {page, errors} = await browser.page()
    await page.setViewportSize({width: 390, height: 844})
    await open(page, '#why?target=f.js:1-5')
    await page.waitForSelector('article.why-trajectory')
    const [scrollWidth, clientWidth] = await page.evaluate<[number, number]>('[document.documentElement.scrollWidth, document.documentElement.clientWidth]')
    assert.ok(scrollWidth <= clientWidth, `${scrollWidth} > ${clientWidth}`)
    assert.deepEqual(errors, [])
    await page.close()
  })

  it('says on an export that the view needs the live dashboard, and asks for nothing', async () => {
    const dir = tempDir('why-export')
    await ok(repo.dir, ['relay', 'dashboard', '--export', join(dir, 'site')])
    const site = join(dir, 'site')
    const server = createServer((request, response) => {
      const path = normalize(decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname)).replace(/^\/+/, '')
      const file = join(site, path === '' ? 'index.html' : path)
      if (!file.startsWith(site) || !existsSync(file)) return void response.writeHead(404).end()
      const type =
        {'.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.json': 'application/json'}[extname(file)] ?? 'application/octet-stream'
      response.writeHead(200, {'Content-Type': type}).end(readFileSync(file))
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const {page, errors} = await browser.page()
    try {
      const requested: string[] = []
      page.on('request', (request) => requested.push(new URL(request.url()).pathname))
      await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/#why?target=f.js:1`)
      await page.waitForSelector('body[data-ready]')
      assert.match(await page.locator('main').innerText(), /The file view needs the live dashboard/)
      assert.equal(await page.locator('#why-target').isDisabled(), true)
      assert.equal(await page.locator('article.why-trajectory').count(), 0)
      assert.deepEqual(
        requested.filter((path) => /why|files/.test(path)),
        [],
      )
      assert.deepEqual(errors, [])
      repo.assertUserStateUnchanged(before_)
    } finally {
      await page.close()
      await new Promise((resolve) => server.close(resolve))
    }
  })
})

describe("the dashboard's file view, live", () => {
  let repo: TestRepo
  let dashboard: Dashboard
  let browser: Browser

  before(async () => {
    repo = makeRepo({dirty: false})
    await ok(repo.dir, ['trail', 'init', '--hooks'])
    await agentWork(repo, 'alice', 'Name the fields', ['Call them a and b', '--reasoning', 'Short names'], {'f.js': 'a\nb\n'})
    dashboard = await startDashboard(repo.dir)
    browser = await launchBrowser()
  })

  after(async () => {
    await browser?.close()
    await dashboard?.stop()
    repo?.remove()
  })

  it('shows the decision behind a line an agent has just changed, without a reload', async () => {
    const {page, errors} = await browser.page()
    await page.goto(dashboard.url)
    await page.waitForSelector('body[data-ready]')
    await page.evaluate(`location.hash = '#why?target=f.js:1-2'`)
    await page.waitForSelector('article.why-trajectory')
    await until(page, `document.getElementById('status')?.dataset.state === 'live'`)
    const loads = await page.evaluate<number>(`performance.getEntriesByType('navigation').length`)
    const dave = (await ok(repo.dir, ['trail', 'start', 'Rename a', '--agent', 'dave', '--quiet'])).trim()
    await ok(repo.dir, ['trail', 'decision', 'Call it alpha', '--reasoning', 'a reads as an article', '--agent', 'dave'])
    commitAs(repo, 'dave', {'f.js': 'alpha\nb\n'}, 'Rename a')
    await page.waitForSelector(`article.why-trajectory[data-id="${dave}"]`, {timeout: 15_000})
    assert.match(await page.locator(`article.why-trajectory[data-id="${dave}"]`).innerText(), /Call it alpha \(line 1\)[\s\S]*a reads as an article/)
    assert.equal(await page.evaluate<number>(`performance.getEntriesByType('navigation').length`), loads, 'no reload')
    assert.deepEqual(errors, [])
    await page.close()
  })
})
