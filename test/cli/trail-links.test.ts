import assert from 'node:assert/strict'
import {describe, it} from 'node:test'
import {ok} from '../helpers/cli.js'
import {useRepos} from '../helpers/repo.js'
import {startMcp} from '../mcp/mcp-client.js'

// A trajectory's URL (--url, or any store's record) becomes a link only when it is a web or mail link: in the
// Markdown and HTML exports, the MCP resource of a trajectory and the record's own file, a javascript:, data:,
// vbscript: or any other URL is text (a code span in Markdown), never something a viewer makes clickable.

/** URLs that `trail start --url` takes (anything `new URL` reads) and that must never become a link. */
const INERT = [
  'javascript:alert(1)',
  'JaVaScRiPt:alert(document.cookie)',
  'data:text/html,<script>alert(1)</script>',
  'vbscript:msgbox(1)',
  'file:///etc/passwd',
  'x:<javascript:alert(1)>',
  'jira://PROJ-12',
]

/** URLs that are links. */
const LINKS = [
  ['https://github.com/org/repo/issues/12', '<https://github.com/org/repo/issues/12>'],
  ['http://example.com/a?b=c&d=e', '<http://example.com/a?b=c&d=e>'],
  ['mailto:lead@example.com', '<mailto:lead@example.com>'],
] as const

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`)

describe("a trajectory's URL in Markdown and HTML", () => {
  const newRepo = useRepos()

  it('is a link only for http, https and mailto; any other scheme is inert text everywhere it is rendered', async () => {
    const repo = newRepo()
    const before = repo.userState()
    const exports: {url: string; id: string; md: string; html: string; record: string}[] = []
    for (const url of [...INERT, ...LINKS.map(([link]) => link)]) {
      const id = (await ok(repo.dir, ['trail', 'start', 'Linked', '--url', url, '--quiet', '--agent', 'claude'])).trim()
      await ok(repo.dir, ['trail', 'abandon', '--agent', 'claude'])
      const path = repo
        .git(['ls-tree', '-r', '--name-only', 'refs/trail/records', '--', '.trail/trajectories'])
        .split('\n')
        .find((each) => each.endsWith(`/${id}/trajectory.md`))!
      exports.push({
        url,
        id,
        md: await ok(repo.dir, ['trail', 'export', id, '--format', 'md']),
        html: await ok(repo.dir, ['trail', 'export', id, '--format', 'html']),
        record: repo.git(['show', `refs/trail/records:${path}`]),
      })
    }
    for (const {url, md, html, record} of exports.filter((each) => INERT.includes(each.url))) {
      assert.ok(md.includes(`- **Link:** \`${url}\`\n`), `${url} as code in the Markdown export:\n${md}`)
      assert.doesNotMatch(md.replace(/`[^`\n]*`/g, ''), /<[a-z][\w+.-]*:/i, `${url}: no autolink outside code in the Markdown export`)
      assert.doesNotMatch(html, /<a\b/, `${url}: no link in the HTML export`)
      assert.ok(html.includes(`<dd>${escapeHtml(url)}</dd>`), `${url} as text in the HTML export`)
      assert.ok(record.includes(`\n- Link: \`${url}\`\n`), `${url} as code in the record's own file:\n${record}`)
    }
    for (const [url, autolink] of LINKS) {
      const {md, html, record} = exports.find((each) => each.url === url)!
      assert.ok(md.includes(`- **Link:** ${autolink}\n`), `${url} is a link in the Markdown export`)
      assert.ok(html.includes(`<a href="${escapeHtml(url)}">${escapeHtml(url)}</a>`), `${url} is a link in the HTML export`)
      assert.ok(record.includes(`\n- Link: ${url}\n`), `${url} as it was in the record's own file`)
    }
    // Links in free text (a summary, a reasoning) keep Markdown, but only a web, mail or same-site link stays one.
    await ok(repo.dir, ['trail', 'start', 'Free text', '--agent', 'claude'])
    const hostile = '[click](javascript:alert(1)) <img src=x onerror=alert(1)> [docs](https://example.com/a) and `Map<K, V>`'
    await ok(repo.dir, ['trail', 'decision', 'Linked choice', '--reasoning', hostile, '--agent', 'claude'])
    await ok(repo.dir, ['trail', 'complete', '--summary', hostile, '--agent', 'claude'])
    const id = (JSON.parse(await ok(repo.dir, ['trail', 'list', '--json'])) as {trajectories: {id: string}[]}).trajectories[0]!.id
    const md = await ok(repo.dir, ['trail', 'export', id, '--format', 'md'])
    const inert = '[click]\\(javascript:alert(1)) \\<img src=x onerror=alert(1)> [docs](https://example.com/a) and `Map<K, V>`'
    assert.equal(md.split(inert).length, 3, `the summary and the reasoning, each made inert:\n${md}`)
    exports.push({url: '', id, md, html: '', record: ''})
    // The MCP resource of a trajectory is its Markdown export.
    const mcp = await startMcp({cwd: repo.dir})
    try {
      for (const {id, md} of exports) {
        const {contents} = await mcp.client.readResource({uri: `relay-trail://trajectory/${id}`})
        assert.deepEqual(
          contents.map((each) => ('text' in each ? each.text : null)),
          [md],
        )
      }
    } finally {
      await mcp.close()
    }
    repo.assertUserStateUnchanged(before)
  })
})
