import {spawn} from 'node:child_process'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {testEnv} from './repo.js'

// The built CLI as a child process, as agents run it.

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..')
export const BIN = {trail: join(ROOT, 'bin', 'trail.cjs'), relay: join(ROOT, 'bin', 'relay.cjs')}

export interface CliResult {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
}

export interface CliOptions {
  env?: Record<string, string | undefined>
  input?: string | Buffer
  cwd?: string
}

/** Runs `trail ...` or `relay ...` (argv[0] names the executable) in `cwd`. */
export function runCli(cwd: string, argv: [keyof typeof BIN, ...string[]], options: CliOptions = {}): Promise<CliResult> {
  const [bin, ...args] = argv
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN[bin], ...args], {cwd: options.cwd ?? cwd, env: testEnv(options.env)})
    const out: Buffer[] = []
    const err: Buffer[] = []
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk))
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk))
    child.on('error', reject)
    child.on('close', (code, signal) => resolve({code, signal, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8')}))
    child.stdin.on('error', () => {})
    child.stdin.end(options.input)
  })
}

/** Like runCli, but fails the test unless the command exits 0; returns stdout. */
export async function ok(cwd: string, argv: [keyof typeof BIN, ...string[]], options: CliOptions = {}): Promise<string> {
  const result = await runCli(cwd, argv, options)
  if (result.code !== 0) throw new Error(`${argv.join(' ')} exited ${result.code}\nstdout: ${result.stdout}\nstderr: ${result.stderr}`)
  return result.stdout
}

/** Runs a command with --json and parses its output. */
export async function json<T = Record<string, unknown>>(cwd: string, argv: [keyof typeof BIN, ...string[]], options: CliOptions = {}): Promise<T> {
  return JSON.parse(await ok(cwd, [...argv, '--json'] as [keyof typeof BIN, ...string[]], options)) as T
}
