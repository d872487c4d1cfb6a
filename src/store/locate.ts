import {realpathSync} from 'node:fs'
import {basename, dirname, isAbsolute, join, relative, sep} from 'node:path'
import {isNothingThere} from '../files.js'

/**
 * `path` (absolute) from the top of `workTree`, with `/` between folders; null for the top itself or a path outside.
 *
 * @example workTreePath('/home/me/project', '/home/me/project/src/app.js')  // 'src/app.js'
 */
export function workTreePath(workTree: string, path: string): string | null {
  const inside = relative(workTree, path).split(sep).join('/')
  return inside === '' || inside.startsWith('..') || isAbsolute(inside) ? null : inside
}

/**
 * `file` (absolute) from the top of `workTree`, both taken through their real folders: a file reached through a
 * linked folder (a link in the work tree, or the work tree through one, as macOS's /tmp) is the file itself, found
 * in its history and shown once however it is reached. The file's own name is kept: a link is the history's to tell.
 */
export function realWorkTreePath(workTree: string, file: string): string | null {
  return workTreePath(realFolder(workTree), join(realFolder(dirname(file)), basename(file)))
}

/** The real path of the folder `dir`; for one that does not exist yet (a new file's), its nearest real parent's. */
export function realFolder(dir: string): string {
  try {
    return realpathSync.native(dir)
  } catch (error) {
    const parent = dirname(dir)
    return parent === dir || !isNothingThere(error) ? dir : join(realFolder(parent), basename(dir))
  }
}
