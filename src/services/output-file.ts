import {lstatSync} from 'node:fs'
import {basename, dirname, join, resolve, sep} from 'node:path'
import {UsageError} from '../errors.js'
import {realpathOrSelf, writeFileAtomic} from '../files.js'
import {GitRepo} from '../git/repo.js'
import type {Context} from './context.js'

// A file the user names for a command's output (`trail export --output <file>`): written whole or not at all, never
// into a git directory (a report must not be able to overwrite .git/config or a hook), and never through a final
// symbolic link unless the user asks for it, since a link at that path may have been put there by someone else.

export interface OutputFileOptions {
  /** Write to what a final symbolic link points at (after the same checks), instead of refusing it. */
  followSymlinks?: boolean
}

/**
 * Writes `content` to the file the user named (relative to `ctx.cwd`), safely (see above). Throws UsageError
 * (E_PATH) with the reason and what to do instead.
 *
 * @example await writeOutputFile(ctx, 'review.md', markdown)
 */
export async function writeOutputFile(ctx: Context, path: string, content: string, options: OutputFileOptions = {}): Promise<string> {
  let target = resolve(ctx.cwd, path)
  const gitDirs = gitDirectoriesOf(ctx)
  const refuse = (why: string, hint: string) => new UsageError(`refusing to write ${path}: ${why}`, hint, 'E_PATH')
  const info = lstatOrNull(target)
  if (info?.isSymbolicLink()) {
    if (!options.followSymlinks) throw refuse('it is a symbolic link', 'name another file, or write to the file it points at with --follow-symlinks')
    target = realpathOrSelf(target)
  } else if (info?.isDirectory()) {
    throw refuse('it is a folder', 'name a file in it instead')
  }
  // The folder as it really is, links resolved, so a link on the way cannot lead into a git directory either.
  const real = join(realpathOrSelf(dirname(target)), basename(target))
  if (real.split(sep).some((part) => part.toLowerCase() === '.git') || gitDirs.some((dir) => real === dir || real.startsWith(`${dir}${sep}`))) {
    throw refuse('it is inside a git directory', 'write it somewhere in the work tree or outside the repository')
  }
  writeFileAtomic(real, content, {keepMode: true, mkdir: false})
  return real
}

/** The git directories of the repository around the current folder, links resolved ([] outside a repository). */
function gitDirectoriesOf(ctx: Context): string[] {
  try {
    const repo = GitRepo.open(ctx.cwd, ctx.env)
    return [...new Set([repo.gitDir, repo.commonDir].map(realpathOrSelf))]
  } catch {
    return []
  }
}

function lstatOrNull(path: string): import('node:fs').Stats | null {
  try {
    return lstatSync(path)
  } catch {
    return null
  }
}
