import {PassThrough} from 'node:stream'
import type {CommandDefinition} from '../../src/cli/definition.js'
import {execute, reportError} from '../../src/cli/execute.js'
import {parseArgv} from '../../src/cli/parse-argv.js'
import {testEnv} from './repo.js'
import type {CliResult} from './cli.js'

/**
 * Runs a command declaration in this process, through the same parsing and execution as the fast path. For inputs
 * the operating system cannot pass as arguments (one argument is limited to 128 KiB on Linux).
 */
// biome-ignore lint/suspicious/noExplicitAny: a definition of any flags and result (the table serves them all)
export async function runInProcess(cwd: string, definition: CommandDefinition<any, any>, argv: string[], input = ''): Promise<CliResult> {
  const stdout = new PassThrough()
  const stderr = new PassThrough()
  const stdin = new PassThrough()
  stdin.end(input)
  const out: Buffer[] = []
  const err: Buffer[] = []
  stdout.on('data', (chunk: Buffer) => out.push(chunk))
  stderr.on('data', (chunk: Buffer) => err.push(chunk))
  const streams = {stdout, stderr, stdin}
  let code: number
  try {
    code = await execute(definition, parseArgv(definition, argv), streams, {cwd, env: testEnv()})
  } catch (error) {
    code = reportError(error, {json: argv.includes('--json'), debug: false, streams})
  }
  return {code, signal: null, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8')}
}
