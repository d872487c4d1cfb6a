import assert from 'node:assert/strict'
import {spawn} from 'node:child_process'
import {describe, it} from 'node:test'
import {BIN} from '../helpers/cli.js'
import {testEnv, useRepos} from '../helpers/repo.js'

// What goes over the pipe, without the SDK's client: newline-delimited JSON-RPC 2.0, nothing else on stdout. The
// README's example exchange is this test's (RELAY_TRAIL_PRINT_EXCHANGE=1 prints it).

describe('relay mcp on the wire', () => {
  const makeRepo = useRepos()

  it('answers newline-delimited JSON-RPC on stdout, and writes nothing else there', async () => {
    const repo = makeRepo()
    const before = repo.userState()
    const child = spawn(process.execPath, [BIN.relay, 'mcp'], {cwd: repo.dir, env: testEnv({AGENT_RELAY_NAME: 'claude'})})
    const closed = new Promise((resolve) => child.on('close', resolve))
    let stdout = ''
    const waiting = new Map<number, (message: Record<string, unknown>) => void>()
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8')
      for (let newline = stdout.indexOf('\n'); newline >= 0; newline = stdout.indexOf('\n')) {
        const line = stdout.slice(0, newline)
        stdout = stdout.slice(newline + 1)
        const message = JSON.parse(line) as {id?: number}
        if (message.id !== undefined) waiting.get(message.id)?.(message)
      }
    })
    const exchange: string[] = []
    let next = 1
    const request = (method: string, params: Record<string, unknown>) =>
      new Promise<Record<string, unknown>>((resolve) => {
        const id = next++
        const line = JSON.stringify({jsonrpc: '2.0', id, method, params})
        waiting.set(id, (message) => {
          exchange.push(`→ ${line}`, `← ${JSON.stringify(message)}`)
          resolve(message)
        })
        child.stdin.write(`${line}\n`)
      })
    try {
      const init = await request('initialize', {protocolVersion: '2025-06-18', capabilities: {}, clientInfo: {name: 'example', version: '1.0.0'}})
      assert.equal((init.result as {serverInfo: {name: string}}).serverInfo.name, 'relay-trail')
      child.stdin.write(`${JSON.stringify({jsonrpc: '2.0', method: 'notifications/initialized'})}\n`)
      await request('tools/call', {name: 'trail_start', arguments: {title: 'Implement user authentication', task: 'agent-relay-123'}})
      const decision = await request('tools/call', {name: 'trail_decision', arguments: {title: 'Chose JWT over sessions', reasoning: 'Stateless scaling'}})
      const result = decision.result as {content: {type: string; text: string}[]; structuredContent: {title: string; agent: string}}
      assert.match(
        result.content[0]!.text,
        /^Recorded decision ev_[0-9a-z]{26} in traj_[0-9a-z]{26}: Chose JWT over sessions\n  reasoning: Stateless scaling\n$/,
      )
      assert.equal(result.structuredContent.title, 'Chose JWT over sessions')
      assert.equal(result.structuredContent.agent, 'claude')
      const refused = await request('tools/call', {name: 'trail_decision', arguments: {title: 'Again', confidence: 1.5}})
      assert.equal((refused.result as {isError: boolean}).isError, true)
      assert.equal(stdout, '', 'every line was a whole JSON-RPC message')
      if (process.env.RELAY_TRAIL_PRINT_EXCHANGE === '1') process.stderr.write(`${exchange.slice(4).join('\n')}\n`)
    } finally {
      child.stdin.end()
      await closed
    }
    repo.assertUserStateUnchanged(before)
  })
})
