import assert from 'node:assert/strict'
import {spawn} from 'node:child_process'
import {describe, it} from 'node:test'
import {BIN, ok} from '../helpers/cli.js'
import {testEnv, useRepos} from '../helpers/repo.js'
import {startMcp} from './mcp-client.js'

// What the server does with the pipe itself: a line too long to read, the end of stdin with requests under way,
// and the bytes it writes, whatever the records hold.

interface Message {
  id?: number | string | null
  result?: Record<string, unknown>
  error?: {code: number; message: string}
}

/** `relay mcp` as a child process: the lines it writes, parsed, and what it wrote on stderr. */
function spawnServer(cwd: string) {
  const child = spawn(process.execPath, [BIN.relay, 'mcp'], {cwd, env: testEnv({AGENT_RELAY_NAME: 'claude'})})
  const messages: Message[] = []
  let stdout = ''
  let stderr = ''
  const waiting = new Map<unknown, (message: Message) => void>()
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString('utf8')
    for (let newline = stdout.indexOf('\n'); newline >= 0; newline = stdout.indexOf('\n')) {
      const message = JSON.parse(stdout.slice(0, newline)) as Message
      stdout = stdout.slice(newline + 1)
      messages.push(message)
      waiting.get(message.id)?.(message)
    }
  })
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')))
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve))
  const line = (id: number, method: string, params: Record<string, unknown>) => `${JSON.stringify({jsonrpc: '2.0', id, method, params})}\n`
  const answer = (id: number) => new Promise<Message>((resolve) => waiting.set(id, resolve))
  const initialize = line(0, 'initialize', {protocolVersion: '2025-06-18', capabilities: {}, clientInfo: {name: 'wire', version: '1'}})
  const initialized = `${JSON.stringify({jsonrpc: '2.0', method: 'notifications/initialized'})}\n`
  return {child, messages, stderr: () => stderr, exited, line, answer, handshake: initialize + initialized}
}

/** Every string in a value. */
function strings(value: unknown): string[] {
  if (typeof value === 'string') return [value]
  if (value !== null && typeof value === 'object') return Object.values(value).flatMap(strings)
  return []
}

describe('relay mcp on stdio', () => {
  const makeRepo = useRepos()

  it('answers a request over the 10 MiB limit with an error, and goes on serving', async () => {
    const repo = makeRepo()
    const server = spawnServer(repo.dir)
    try {
      server.child.stdin.write(server.handshake)
      await server.answer(0)
      const body = 'x'.repeat(20 * 1024 * 1024)
      const refused = server.answer(1)
      server.child.stdin.write(server.line(1, 'tools/call', {name: 'relay_send', arguments: {target: 'codex', body}}))
      const error = (await refused).error
      assert.equal(error?.code, -32600)
      assert.match(error?.message ?? '', /^request too large: \d+ bytes, over the limit of 10 MiB per message$/)
      const next = server.answer(2)
      server.child.stdin.write(server.line(2, 'tools/call', {name: 'relay_send', arguments: {target: 'codex', body: 'small'}}))
      assert.equal((await next).result?.isError, undefined)
      // One with its id past the part kept: no answer, a word on stderr, and still serving.
      server.child.stdin.write(`{"jsonrpc":"2.0","method":"tools/call","params":{"name":"x","arguments":{"body":"${body}"}},"id":3}\n`)
      const after = server.answer(4)
      server.child.stdin.write(server.line(4, 'tools/call', {name: 'trail_status', arguments: {}}))
      assert.equal((await after).result?.isError, undefined)
      assert.equal(server.messages.filter((message) => message.id === 3).length, 0)
      assert.match(server.stderr(), /request too large: \d+ bytes.*discarded \(no request id found to answer\)/)
    } finally {
      server.child.stdin.end()
      await server.exited
    }
    assert.match(await ok(repo.dir, ['relay', 'inbox', '--agent', 'codex']), /small/)
  })

  it('answers every request sent before stdin closed, then exits', async () => {
    const repo = makeRepo()
    const server = spawnServer(repo.dir)
    const start = server.line(1, 'tools/call', {name: 'trail_start', arguments: {title: 'Piped'}})
    const calls = Array.from({length: 30}, (_, n) => server.line(n + 2, 'tools/call', {name: 'trail_decision', arguments: {title: `Decision ${n + 2}`}}))
    server.child.stdin.end(server.handshake + start + calls.join(''))
    assert.equal(await server.exited, 0)
    const answered = server.messages.map((message) => message.id).sort((a, b) => Number(a) - Number(b))
    assert.deepEqual(
      answered,
      Array.from({length: 32}, (_, n) => n),
    )
    assert.ok(server.messages.every((message) => message.error === undefined && message.result?.isError === undefined))
  })

  it("shows control characters from records escaped, as the CLI prints them, in every tool's, resource's and prompt's text", async () => {
    const repo = makeRepo()
    const foreign = '\u001b]52;c;aGVsbG8=\u0007\u001b[2J\u202e'
    const shown = '\\x1b]52;c;aGVsbG8=\\x07\\x1b[2J\\u202e'
    await ok(repo.dir, ['trail', 'start', `Task${foreign}`, '--agent', 'claude'])
    await ok(repo.dir, ['trail', 'decision', `Chose${foreign}`, '--reasoning', `Because${foreign}`, '--agent', 'claude'])
    await ok(repo.dir, ['relay', 'continuity', 'save', `Current task: T${foreign}\nCompleted: C${foreign}`, '--agent', 'claude'])
    await ok(repo.dir, ['relay', 'send', 'claude', `Body${foreign}`, '--agent', 'codex'])
    const mcp = await startMcp({cwd: repo.dir, env: {AGENT_RELAY_NAME: 'claude'}})
    try {
      const id = ((await mcp.call('trail_status')).structuredContent as {active: {id: string}}).active.id
      const load = await mcp.call('relay_continuity_load')
      const answers: Record<string, unknown> = {
        relay_continuity_load: load,
        trail_show: await mcp.call('trail_show', {id}),
        relay_inbox: await mcp.call('relay_inbox'),
      }
      for (const uri of ['relay-trail://context', `relay-trail://trajectory/${id}`, 'relay-trail://inbox']) answers[uri] = await mcp.client.readResource({uri})
      for (const name of ['start-of-work', 'end-of-session']) answers[name] = await mcp.client.getPrompt({name, arguments: {}})
      for (const [what, answer] of Object.entries(answers)) {
        const text = strings(answer).join('\n')
        assert.doesNotMatch(text, /[\u001b\u0007\u202e]/, `${what} holds a raw control character`)
        assert.ok(text.includes(shown), `${what} shows them escaped`)
      }
      // The ledger is served as stored, where YAML already quotes them; still nothing raw.
      assert.doesNotMatch(strings(await mcp.client.readResource({uri: 'relay-trail://ledger/claude'})).join(''), /[\u001b\u0007\u202e]/)
      const loadText = load.content.map((part) => (part.type === 'text' ? part.text : '')).join('')
      assert.equal(loadText, await ok(repo.dir, ['relay', 'continuity', 'load', '--agent', 'claude']))
    } finally {
      await mcp.close()
    }
  })
})
