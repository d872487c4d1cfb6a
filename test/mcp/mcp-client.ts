import assert from 'node:assert/strict'
import {readdirSync, readFileSync} from 'node:fs'
import {pathToFileURL} from 'node:url'
import {Client} from '@modelcontextprotocol/sdk/client/index.js'
import {StdioClientTransport} from '@modelcontextprotocol/sdk/client/stdio.js'
import {ListRootsRequestSchema, type CallToolResult} from '@modelcontextprotocol/sdk/types.js'
import {BIN} from '../helpers/cli.js'
import {testEnv} from '../helpers/repo.js'

// `relay mcp` started as an agent tool starts it: the built bin/relay.cjs as a child process, driven over stdio by
// the SDK's own client.

export interface McpSession {
  client: Client
  transport: StdioClientTransport
  /** What the server wrote on stderr so far. */
  stderr(): string
  /** The server's process id. */
  pid: number
  /** Calls a tool; the result as the client got it. */
  call(name: string, args?: Record<string, unknown>): Promise<CallToolResult>
  /** Calls a tool that must succeed; returns its text. */
  ok(name: string, args?: Record<string, unknown>): Promise<string>
  /** Calls a tool that must fail; returns its text. */
  fails(name: string, args?: Record<string, unknown>): Promise<string>
  close(): Promise<void>
}

export interface StartOptions {
  cwd: string
  env?: Record<string, string | undefined>
  args?: string[]
  clientName?: string
  /** The client's roots (folders) as it would give them when asked (roots/list); the client then offers roots. */
  roots?: () => string[]
}

export async function startMcp(options: StartOptions): Promise<McpSession> {
  const env = testEnv(options.env) as Record<string, string>
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [BIN.relay, 'mcp', ...(options.args ?? [])],
    cwd: options.cwd,
    env,
    stderr: 'pipe',
  })
  let stderr = ''
  transport.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')))
  const {roots} = options
  const client = new Client({name: options.clientName ?? 'test-client', version: '1.0.0'}, roots ? {capabilities: {roots: {listChanged: true}}} : {})
  if (roots) client.setRequestHandler(ListRootsRequestSchema, () => ({roots: roots().map((dir) => ({uri: pathToFileURL(dir).href}))}))
  await client.connect(transport)
  const call = async (name: string, args: Record<string, unknown> = {}) => (await client.callTool({name, arguments: args})) as CallToolResult
  const text = (result: CallToolResult) => result.content.map((part) => (part.type === 'text' ? part.text : '')).join('')
  return {
    client,
    transport,
    stderr: () => stderr,
    pid: transport.pid!,
    call,
    ok: async (name, args) => {
      const result = await call(name, args)
      assert.notEqual(result.isError, true, `${name} failed: ${text(result)}`)
      return text(result)
    },
    fails: async (name, args) => {
      const result = await call(name, args)
      assert.equal(result.isError, true, `${name} should have failed: ${text(result)}`)
      return text(result)
    },
    close: () => client.close(),
  }
}

/** The text of a tool result. */
export function resultText(result: CallToolResult): string {
  return result.content.map((part) => (part.type === 'text' ? part.text : '')).join('')
}

/** The git processes the server started, by pid (from /proc: this is Linux's view of its children). */
export function gitChildren(pid: number): {pid: number; command: string}[] {
  const children: number[] = []
  for (const task of readdirSync(`/proc/${pid}/task`)) {
    children.push(...readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').split(' ').filter(Boolean).map(Number))
  }
  return children
    .map((child) => {
      try {
        return {pid: child, command: readFileSync(`/proc/${child}/cmdline`, 'utf8').split('\0').join(' ').trim()}
      } catch {
        return {pid: child, command: ''}
      }
    })
    .filter((child) => child.command.startsWith('git '))
}
