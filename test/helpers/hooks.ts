import {spawn} from 'node:child_process'
import {mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after} from 'node:test'
import {ROOT} from './cli.js'
import {testEnv} from './repo.js'

// Agent-tool hooks as the tools run them: the command string read from the installed settings file, run through
// a shell (every tool does: Claude Code and Gemini CLI with sh, Codex with `$SHELL -lc`, Cursor with its shell)
// in the project folder, the documented JSON payload on stdin, and the tool's environment.

export const FIXTURES = join(ROOT, 'test', 'fixtures', 'hooks')

export interface HookRun {
  code: number | null
  stdout: string
  stderr: string
}

/** Runs an installed hook command through `sh -c` (Codex: `sh -lc`), with `payload` as JSON on stdin. */
export function runHookCommand(
  command: string,
  payload: unknown,
  options: {cwd: string; env?: Record<string, string | undefined>; login?: boolean},
): Promise<HookRun> {
  return new Promise((resolve, reject) => {
    const child = spawn('/bin/sh', [options.login ? '-lc' : '-c', command], {cwd: options.cwd, env: testEnv(options.env)})
    const out: Buffer[] = []
    const err: Buffer[] = []
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk))
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk))
    child.on('error', reject)
    child.on('close', (code) => resolve({code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8')}))
    child.stdin.on('error', () => {})
    child.stdin.end(typeof payload === 'string' ? payload : JSON.stringify(payload))
  })
}

type Json = Record<string, unknown>

/** The command an installed settings file runs for `event` (grouped: Claude Code, Codex, Gemini CLI; flat: Cursor). */
export function installedCommand(settingsPath: string, event: string): string {
  const settings = JSON.parse(readFileSync(settingsPath, 'utf8').replace(/^\uFEFF/, '')) as {hooks: Record<string, Json[]>}
  const entries = settings.hooks[event]
  if (!entries) throw new Error(`no ${event} hook in ${settingsPath}`)
  const commands = entries.flatMap((entry) => (Array.isArray(entry.hooks) ? (entry.hooks as Json[]) : [entry])).map((hook) => String(hook.command))
  const ours = commands.filter((command) => / hook [a-z]+ [a-z-]+$/.test(command))
  if (ours.length !== 1) throw new Error(`expected one relay hook for ${event}, found: ${commands.join(' | ')}`)
  return ours[0]!
}

/** A scratch folder outside the repositories (transcripts, env files), removed after the file's tests. */
export function useScratch(): () => string {
  const made: string[] = []
  after(() => {
    for (const dir of made) rmSync(dir, {recursive: true, force: true})
  })
  return () => {
    const dir = mkdtempSync(join(tmpdir(), 'relay-trail-hooks-'))
    made.push(dir)
    return dir
  }
}

/** Files under a folder of the ref, as `git ls-tree` lists them. */
export function refFiles(repo: {gitOrEmpty(args: string[]): string}, folder: string): string[] {
  return repo.gitOrEmpty(['ls-tree', '-r', '--name-only', 'refs/trail/records', folder]).split('\n').filter(Boolean)
}
