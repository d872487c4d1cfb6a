import {rmSync} from 'node:fs'
import {Client} from '@modelcontextprotocol/sdk/client/index.js'
import {StdioClientTransport} from '@modelcontextprotocol/sdk/client/stdio.js'
import {
  benchEnv,
  figure,
  markdownTable,
  msFigure,
  NODE_BASELINE,
  RATIO_METHOD,
  ratioFigure,
  RELAY,
  roundRatios,
  settle,
  samplesOf,
  timeOnce,
  TRAIL,
  type Step,
  type Timings,
} from './harness.js'
import {buildStore} from './stores.js'

// `relay mcp` against the CLI: a decision (a write) and a status (a read) as tool calls, timed from the client
// (the SDK's own, over stdio: request sent to answer parsed), beside the same commands run as processes, and
// `node -e 0` and raw git in the same rounds. Goal (issue 13): a decision through MCP costs at most 10 ms at
// 100,000 trajectories. Each round runs every step once, so the machine's noise falls on all of them alike.

interface Row {
  name: string
  samples: number[]
}

const AGENT = 'bench'

export async function benchMcp(sizes: readonly number[], rounds: number): Promise<string> {
  const columns: Timings[] = []
  for (const size of sizes) {
    process.stderr.write(`building a store of ${size} trajectories...\n`)
    const repo = buildStore(size)
    try {
      process.stderr.write(`measuring relay mcp (${size})...\n`)
      columns.push(await measureStore(repo, rounds))
    } finally {
      rmSync(repo, {recursive: true, force: true})
    }
  }
  const names = [...columns[0]!.keys()]
  const header = ['step', ...sizes.map((size) => `${size.toLocaleString('en')} trajectories`)]
  const rows = names.map((name) => [
    name,
    ...columns.map((column) => (name === NODE_BASELINE.name ? msFigure(samplesOf(column, name)) : figure(column, name, NODE_BASELINE.name))),
  ])
  const versus = (what: 'decision' | 'status') =>
    columns.map((column) => `${ratioFigure(roundRatios(column, `trail ${what} (CLI process)`, `trail_${what} (MCP tool call)`))}`).join(' / ')
  return [
    `### relay mcp: tool calls timed from the client, beside the CLI (${rounds} rounds; ${RATIO_METHOD}; baseline: node -e 0)`,
    '',
    markdownTable(header, rows),
    '',
    `A decision through MCP is ${versus('decision')} faster than \`trail decision\`; a status ${versus('status')} faster than \`trail status\` (at ${sizes.map((size) => size.toLocaleString('en')).join(' / ')} trajectories). Goal: a decision through MCP at most 10 ms.`,
  ].join('\n')
}

async function measureStore(repo: string, rounds: number): Promise<Timings> {
  const env = benchEnv({AGENT_RELAY_NAME: AGENT})
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [RELAY, 'mcp'],
    cwd: repo,
    env: env as Record<string, string>,
    stderr: 'inherit',
  })
  const client = new Client({name: 'bench', version: '1.0.0'})
  await client.connect(transport)
  const call = async (name: string, args: Record<string, unknown>): Promise<number> => {
    const start = process.hrtime.bigint()
    const result = await client.callTool({name, arguments: args})
    const ms = Number(process.hrtime.bigint() - start) / 1e6
    if (result.isError) throw new Error(`${name}: ${JSON.stringify(result.content)}`)
    return ms
  }
  try {
    // The first write of a store builds its work-tree mirror: a one-off, kept out of the rounds.
    timeOnce({name: 'start', argv: [process.execPath, TRAIL, 'start', 'Benchmark round'], cwd: repo, env})
    settle()
    const steps: Step[] = [
      {...NODE_BASELINE, cwd: repo},
      {name: 'git rev-parse (raw git)', argv: ['git', 'rev-parse', '--git-dir'], cwd: repo},
      {
        name: 'trail decision (CLI process)',
        argv: [process.execPath, TRAIL, 'decision', 'Chose JWT over sessions', '--reasoning', 'Stateless scaling'],
        cwd: repo,
        env,
      },
      {name: 'trail status (CLI process)', argv: [process.execPath, TRAIL, 'status'], cwd: repo, env},
    ]
    const rows: Row[] = [
      ...steps.map((step) => ({name: step.name, samples: [] as number[]})),
      {name: 'trail_decision (MCP tool call)', samples: []},
      {name: 'trail_status (MCP tool call)', samples: []},
    ]
    const warmup = 3
    for (let round = 0; round < warmup + rounds; round++) {
      if (round === warmup) settle()
      const times = [
        ...steps.map((step) => timeOnce(step)),
        await call('trail_decision', {title: 'Chose JWT over sessions', reasoning: 'Stateless scaling'}),
        await call('trail_status', {}),
      ]
      // A pause as between an agent's calls: the server's work after an answer (none, ideally) is not the next call's.
      await new Promise((resolve) => setTimeout(resolve, 20))
      if (round >= warmup) {
        times.forEach((ms, index) => {
          rows[index]!.samples.push(ms)
        })
      }
    }
    return new Map(rows.map((row) => [row.name, row.samples]))
  } finally {
    await client.close()
  }
}
