import assert from 'node:assert/strict'
import {existsSync, readFileSync} from 'node:fs'
import {createServer, type Server} from 'node:http'
import type {AddressInfo} from 'node:net'
import {extname, join, normalize} from 'node:path'
import {after, before, describe, it} from 'node:test'
import type {Page} from 'playwright-core'
import {ok, ROOT, runCli} from '../helpers/cli.js'
import {as, HOSTILE, launchBrowser, seedProjects, startDashboard, type Browser, type Dashboard, type Projects} from './fixture.js'

// The dashboard in a real browser (playwright-core driving Debian's chromium): every panel shows the records of
// both projects, with no console error; writes by other processes appear without a reload; the page recovers when
// the server restarts; hostile record text stays text; keyboard navigation reaches every panel; the send form
// exists only with --allow-send. UPDATE_SCREENSHOT=1 writes docs/dashboard.png for the README.

const PANELS = ['Agents', 'Trajectories', 'Messages', 'Summaries', 'Coordinator', 'Search']

/** Opens the page at `hash` through the URL with the token (which sets the cookie), and waits for its first draw. */
async function open(page: Page, dashboard: Dashboard, hash = ''): Promise<void> {
  await page.goto(dashboard.url)
  if (hash !== '') await page.evaluate(`location.hash = ${JSON.stringify(hash)}`)
  await page.waitForSelector('body[data-ready]')
}

/** Goes to a route of the open page and waits until the view's results are drawn. */
async function go(page: Page, hash: string, ready: string): Promise<void> {
  await page.evaluate(`location.hash = ${JSON.stringify(hash)}`)
  await page.waitForSelector(ready)
}

const mainText = (page: Page) => page.locator('main').innerText()

/**
 * Waits until an expression is true in the page. (page.waitForFunction with a string evaluates it with eval inside
 * the page, which the page's Content Security Policy forbids; page.evaluate goes through the debugger.)
 */
async function until(page: Page, expression: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await page.evaluate<boolean>(expression))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${expression}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

describe('the dashboard in a browser', () => {
  let projects: Projects
  let dashboard: Dashboard
  let browser: Browser

  before(async () => {
    projects = await seedProjects()
    dashboard = await startDashboard(projects.backend.dir)
    browser = await launchBrowser()
  })

  after(async () => {
    await browser?.close()
    await dashboard?.stop()
    projects?.remove()
  })

  it('opens with no console errors, and each panel shows the records of both projects', async () => {
    const {page, errors} = await browser.page()
    await open(page, dashboard)
    await page.waitForSelector('tr.agent-row')
    assert.equal(await page.locator('#status').innerText(), 'live')
    const agents = await mainText(page)
    for (const text of [
      'backend (this project)',
      'Architect',
      'working',
      'Design the auth API',
      'frontend',
      'Designer',
      'Is the rate limit per user or per key?',
    ])
      assert.ok(agents.includes(text), text)
    if (process.env.UPDATE_SCREENSHOT === '1') await page.screenshot({path: join(ROOT, 'docs', 'dashboard.png')})

    await go(page, '#trajectories', 'tr.trajectory-row')
    const trajectories = await mainText(page)
    for (const text of ['Design the auth API', 'Cache sessions in Redis', 'Login page', '0.5 (some uncertainty)', '1–4 of 4'])
      assert.ok(trajectories.includes(text), text)
    await page.getByRole('link', {name: 'Design the auth API'}).click()
    await page.waitForSelector('ol.timeline')
    const timeline = await mainText(page)
    for (const text of [
      'Chose JWT over sessions',
      'Stateless scaling across regions',
      'server sessions',
      'opaque tokens',
      '0.8 (good)',
      'Add the token schema',
      'Handoffs',
      '0.9+ high',
    ])
      assert.ok(timeline.includes(text), text)

    await go(page, '#trajectories?project=frontend&status=completed', 'tr.trajectory-row')
    assert.deepEqual(await page.locator('tr.trajectory-row th a').allInnerTexts(), ['Login page'])

    await go(page, '#messages', 'article.message')
    assert.equal(await page.locator('article.message').count(), 3)
    const unanswered = page.locator('article.message.unanswered')
    assert.equal(await unanswered.count(), 1)
    assert.match(await unanswered.innerText(), /frontend:Designer → backend:lead[\s\S]*REST or GraphQL for the auth API\?[\s\S]*Read by backend:Architect/)

    await go(page, '#summaries', 'section.agent-summaries')
    const summaries = await mainText(page)
    for (const text of ['backend:Architect', 'token schema', 'backend:Worker', 'Stopped the cache work', 'frontend:Designer', 'Login UI'])
      assert.ok(summaries.includes(text), text)

    await go(page, '#coordinator', 'ul.attention')
    const coordinator = await mainText(page)
    for (const text of ['backend — lead Architect', 'frontend — lead Designer', 'unanswered', 'abandoned', 'low-confidence', 'uncertain'])
      assert.ok(coordinator.includes(text), text)

    await go(page, '#search?q=validation', 'ol.hits')
    assert.match(await mainText(page), /trajectory\s+Login page/)
    assert.deepEqual(errors, [])
    await page.close()
  })

  it('is readable on a phone: no panel scrolls sideways at 390 pixels', async () => {
    const {page, errors} = await browser.page()
    await page.setViewportSize({width: 390, height: 844})
    await open(page, dashboard)
    for (const [hash, ready] of [
      ['#agents', 'tr.agent-row'],
      ['#trajectories', 'tr.trajectory-row'],
      [`#trajectory/frontend/${projects.ids.hostile}`, 'ol.timeline'],
      ['#messages', 'article.message'],
      ['#summaries', 'section.agent-summaries'],
      ['#coordinator', 'ul.attention'],
    ]) {
      await go(page, hash!, ready!)
      const [scrollWidth, clientWidth] = await page.evaluate<[number, number]>('[document.documentElement.scrollWidth, document.documentElement.clientWidth]')
      assert.ok(scrollWidth <= clientWidth, `${hash}: ${scrollWidth} > ${clientWidth}`)
    }
    assert.deepEqual(errors, [])
    await page.close()
  })

  it('reaches every panel with the keyboard, with the focus moved to the panel and always visible', async () => {
    const {page} = await browser.page()
    await open(page, dashboard)
    const reached = new Set<string>()
    for (let presses = 0; presses < 20 && reached.size < PANELS.length; presses++) {
      await page.keyboard.press('Tab')
      const name = await page.evaluate<string | undefined>('document.activeElement?.dataset.panel')
      if (name) reached.add(name)
    }
    assert.deepEqual([...reached].sort(), PANELS.map((p) => p.toLowerCase()).sort())
    for (const panel of PANELS) {
      await page.focus(`nav a[data-panel="${panel.toLowerCase()}"]`)
      const outline = await page.evaluate<string>('getComputedStyle(document.activeElement).outlineStyle')
      assert.notEqual(outline, 'none', `${panel}: the focus shows`)
      await page.keyboard.press('Enter')
      await until(page, `document.activeElement?.id === 'view-heading' && document.activeElement.textContent === ${JSON.stringify(panel)}`)
    }
    // Shortcuts: 1 to 6.
    await page.keyboard.press('3')
    await until(page, `document.querySelector('h2')?.textContent === 'Messages'`)
    await page.close()
  })

  it('renders hostile record text as text: no script runs, no element or javascript: link is made from it', async () => {
    const {page, errors} = await browser.page()
    await open(page, dashboard)
    const views: [string, string][] = [
      [`#trajectory/frontend/${projects.ids.hostile}`, 'ol.timeline'],
      ['#trajectories', 'tr.trajectory-row'],
      ['#agents', 'tr.agent-row'],
      ['#messages', 'article.message'],
      ['#thread/hostile', 'article.message'],
      ['#coordinator', 'ul.attention'],
      ['#search?q=Hostile', 'ol.hits'],
    ]
    for (const [hash, ready] of views) {
      await go(page, hash, ready)
      const found = await page.evaluate<{pwned: unknown; elements: number; javascriptLinks: number; text: string}>(`({
        pwned: window.__pwned ?? null,
        elements: document.querySelectorAll('main script, main img, main iframe, main svg, main b, main [onerror], main [onload], main [onmouseover]').length,
        javascriptLinks: [...document.querySelectorAll('a')].filter((a) => !/^(https?:|#)/.test(a.getAttribute('href') ?? '#')).length,
        text: document.querySelector('main').textContent ?? '',
      })`)
      assert.deepEqual([found.pwned, found.elements, found.javascriptLinks], [null, 0, 0], hash)
      if (hash.startsWith('#trajectory/')) {
        assert.ok(found.text.includes(HOSTILE.title), 'the title, as text')
        assert.ok(found.text.includes(HOSTILE.reasoning), 'the reasoning, as text')
        assert.ok(found.text.includes(HOSTILE.url), 'the javascript: URL, as text, not a link')
      }
      if (hash === '#thread/hostile') assert.ok(found.text.includes(HOSTILE.message))
    }
    assert.deepEqual(errors, [])
    await page.close()
  })

  it('shows a trail decision, a continuity save and what relay sync brought, each within 2 seconds, without a reload', async () => {
    const {page, errors} = await browser.page()
    await open(page, dashboard, `#trajectory/backend/${projects.ids.auth}`)
    await page.waitForSelector('ol.timeline')
    const loads = await page.evaluate<number>(`performance.getEntriesByType('navigation').length`)
    await ok(projects.backend.dir, ['trail', 'decision', 'Rotate refresh tokens', '--reasoning', 'Limits a leak'], as('Architect'))
    await page.waitForSelector('text=Rotate refresh tokens', {timeout: 2000})
    await go(page, '#agents', 'tr.agent-row')
    await ok(projects.backend.dir, ['relay', 'continuity', 'uncertain', 'Do refresh tokens survive a deploy?'], as('Architect'))
    await page.waitForSelector('text=Do refresh tokens survive a deploy?', {timeout: 2000})
    // A sibling's records arrive with relay sync.
    await go(page, '#messages', 'article.message')
    await ok(projects.frontend.dir, ['relay', 'send', 'backend:Worker', 'Cache is back on the table'], as('Designer'))
    await ok(projects.backend.dir, ['relay', 'sync'])
    await page.waitForSelector('text=Cache is back on the table', {timeout: 2000})
    assert.equal(await page.evaluate<number>(`performance.getEntriesByType('navigation').length`), loads, 'no reload')
    assert.deepEqual(errors, [])
    await page.close()
  })

  it('refuses the page without the token, and through another host name that resolves here (DNS rebinding)', async () => {
    const {page} = await browser.page()
    await browser.context.clearCookies()
    assert.equal((await page.goto(`${dashboard.base}/`))?.status(), 401)
    assert.equal((await page.goto(`${dashboard.base}/api/agents`))?.status(), 401)
    assert.equal((await page.goto(`http://rebind.test:${dashboard.port}/?token=${dashboard.token}`))?.status(), 403)
    assert.equal((await page.goto(`http://rebind.test:${dashboard.port}/api/agents`))?.status(), 403)
    await page.close()
  })

  it('has no send form without --allow-send, and the server refuses a send from the page', async () => {
    const {page} = await browser.page()
    await open(page, dashboard, '#coordinator')
    await page.waitForSelector('ul.attention')
    assert.equal(await page.locator('form.send').count(), 0)
    const status = await page.evaluate<number>(`(async () => {
      const csrf = document.querySelector('meta[name="relay-csrf"]').content
      const headers = {'Content-Type': 'application/json', 'X-Relay-CSRF': csrf}
      return (await fetch('api/messages', {method: 'POST', headers, body: JSON.stringify({to: 'Architect', body: 'hi'})})).status
    })()`)
    assert.equal(status, 403)
    await page.close()
  })
})

describe('an export of the dashboard in a browser', () => {
  let projects: Projects
  let browser: Browser
  let server: Server
  let base: string

  before(async () => {
    projects = await seedProjects()
    browser = await launchBrowser()
    const dir = join(projects.root, 'site')
    await ok(projects.backend.dir, ['relay', 'dashboard', '--export', dir])
    // Any static host: here, a few lines of node:http.
    server = createServer((request, response) => {
      const path = normalize(decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname)).replace(/^\/+/, '')
      const file = join(dir, path === '' ? 'index.html' : path)
      if (!file.startsWith(dir) || !existsSync(file)) return void response.writeHead(404).end()
      const type =
        {'.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.json': 'application/json'}[extname(file)] ?? 'application/octet-stream'
      response.writeHead(200, {'Content-Type': type}).end(readFileSync(file))
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`
  })

  after(async () => {
    await browser?.close()
    await new Promise((resolve) => server?.close(resolve))
    projects?.remove()
  })

  it('reads the same page from the exported files, with no server of ours and no console errors', async () => {
    const {page, errors} = await browser.page()
    await page.goto(base)
    await page.waitForSelector('tr.agent-row')
    assert.match(await page.locator('#status').innerText(), /^snapshot of /)
    assert.ok((await mainText(page)).includes('Design the auth API'))
    await go(page, '#trajectories?project=frontend', 'tr.trajectory-row')
    assert.deepEqual((await page.locator('tr.trajectory-row th a').allInnerTexts()).length, 2)
    await page.getByRole('link', {name: 'Login page'}).click()
    await page.waitForSelector('text=Login form with validation')
    await go(page, '#messages?unanswered=1', 'article.message')
    assert.equal(await page.locator('article.message').count(), 1)
    await go(page, '#thread/auth-feature', 'article.message')
    await go(page, '#summaries/backend/Architect', 'div.summary')
    await go(page, '#coordinator', 'ul.attention')
    assert.equal(await page.locator('form.send').count(), 0)
    assert.deepEqual(errors, [])
    await page.close()
  })
})

describe('the dashboard in a browser, across a restart and with --allow-send', () => {
  let projects: Projects
  let browser: Browser

  before(async () => {
    projects = await seedProjects()
    browser = await launchBrowser()
  })

  after(async () => {
    await browser?.close()
    projects?.remove()
  })

  it('recovers after the server restarts: it reconnects and shows what was written meanwhile', async () => {
    let dashboard = await startDashboard(projects.backend.dir)
    const {page, errors} = await browser.page()
    try {
      await open(page, dashboard, '#trajectories')
      await page.waitForSelector('tr.trajectory-row')
      await dashboard.stop()
      await until(page, `document.getElementById('status')?.dataset.state === 'down'`)
      await ok(projects.backend.dir, ['trail', 'start', 'Written while the dashboard was down'], as('Newcomer'))
      // The same URL (its port and token are kept in .git/trail), so the open page finds it again.
      dashboard = await startDashboard(projects.backend.dir)
      await page.waitForSelector('text=Written while the dashboard was down', {timeout: 15_000})
      await until(page, `document.getElementById('status')?.dataset.state === 'live'`)
      // Console errors while the server was down are the browser's own reports of refused connections.
      assert.deepEqual(
        errors.filter((error) => !/ERR_CONNECTION_REFUSED|Failed to load resource|EventSource/.test(error)),
        [],
      )
    } finally {
      await page.close()
      await dashboard.stop()
    }
  })

  it("sends a message from the form, as the person's git identity, with --allow-send", async () => {
    const dashboard = await startDashboard(projects.backend.dir, ['--allow-send'])
    const {page, errors} = await browser.page()
    try {
      const before_ = projects.backend.userState()
      await open(page, dashboard, '#coordinator')
      await page.waitForSelector('form.send')
      assert.match(await page.locator('form.send').innerText(), /As Test-User \(Test User\)/)
      await page.fill('form.send input[name="to"]', 'frontend:lead')
      await page.fill('form.send input[name="thread"]', 'release')
      await page.fill('form.send textarea[name="body"]', 'Ship the login page <b>Friday</b>?')
      await page.click('form.send button[type="submit"]')
      await page.waitForSelector('text=/Sent msg_[0-9a-z]+ to frontend:lead/')
      await go(page, '#messages?thread=release', 'article.message')
      assert.match(await page.locator('article.message').innerText(), /backend:Test-User → frontend:lead[\s\S]*Ship the login page <b>Friday<\/b>\?/)
      const subject = projects.backend.git(['log', '-1', '--format=%s', 'refs/trail/records']).trim()
      assert.match(subject, /^trail: message msg_[0-9a-z]+ from Test-User to frontend:lead$/)
      projects.backend.assertUserStateUnchanged(before_)
      assert.deepEqual(errors, [])
      const sent = await runCli(projects.backend.dir, ['relay', 'search', 'Friday', '--kind', 'message'])
      assert.match(sent.stdout, /Test-User → frontend:lead/)
    } finally {
      await page.close()
      await dashboard.stop()
    }
  })
})
