import {accessSync, constants, realpathSync} from 'node:fs'
import {delimiter, dirname, isAbsolute, join} from 'node:path'
import {packagePath} from '../package-files.js'

// How an installed hook starts relay: this Node by its absolute path running this installation's bin/relay.cjs
// by its absolute path. Neither `npm link` nor the agent's PATH matters (an agent started from another shell, a
// version manager or CI often lacks `relay`, and a bare name then fails with exit 127). Re-run `trail init` after
// moving the installation or changing Node; `trail doctor` says when a path no longer resolves.

/** This installation's bin/relay.cjs, by its real path. */
export function relayScript(): string {
  const script = packagePath('bin', 'relay.cjs')
  try {
    return realpathSync(script)
  } catch {
    return script
  }
}

/** This installation's bin/trail.cjs, beside bin/relay.cjs: what the git hooks run. */
export function trailScript(): string {
  return join(dirname(relayScript()), 'trail.cjs')
}

/** The command words that start trail: [node, script]. */
export function trailCommandWords(): [string, string] {
  return [process.execPath, trailScript()]
}

/** The command words that start relay: [node, script]. */
export function relayCommandWords(): [string, string] {
  return [process.execPath, relayScript()]
}

/** One word for a POSIX shell: quoted unless it is plainly safe. */
export function shellWord(word: string): string {
  return /^[A-Za-z0-9_./:=@%+-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`
}

/** A command line for a shell (every tool runs hook commands through one). */
export function shellCommand(words: readonly string[]): string {
  return words.map(shellWord).join(' ')
}

/** Splits a shell command line into words (single and double quotes, backslashes); enough for our own commands. */
export function splitShellWords(line: string): string[] {
  const words: string[] = []
  let word: string | null = null
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!
    if (c === "'") {
      const end = line.indexOf("'", i + 1)
      word = (word ?? '') + line.slice(i + 1, end < 0 ? line.length : end)
      i = end < 0 ? line.length : end
    } else if (c === '"') {
      word ??= ''
      for (i++; i < line.length && line[i] !== '"'; i++) word += line[i] === '\\' && /["\\$`]/.test(line[i + 1] ?? '') ? line[++i] : line[i]
    } else if (c === '\\') {
      word = (word ?? '') + (line[++i] ?? '')
    } else if (/\s/.test(c)) {
      if (word !== null) words.push(word)
      word = null
    } else {
      word = (word ?? '') + c
    }
  }
  if (word !== null) words.push(word)
  return words
}

/** Whether a command word names an executable that exists: an absolute path, or a name found on PATH. */
export function resolvesExecutable(word: string, env: Readonly<Record<string, string | undefined>>): string | null {
  const runnable = (path: string) => {
    try {
      accessSync(path, constants.X_OK)
      return true
    } catch {
      return false
    }
  }
  if (isAbsolute(word) || word.includes('/')) return runnable(word) ? word : null
  for (const dir of (env.PATH ?? '').split(delimiter).filter(Boolean)) if (runnable(join(dir, word))) return join(dir, word)
  return null
}
