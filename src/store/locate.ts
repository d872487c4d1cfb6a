import {isAbsolute, relative, sep} from 'node:path'

/**
 * `path` (absolute) from the top of `workTree`, with `/` between folders; null for the top itself or a path outside.
 *
 * @example workTreePath('/home/me/project', '/home/me/project/src/app.js')  // 'src/app.js'
 */
export function workTreePath(workTree: string, path: string): string | null {
  const inside = relative(workTree, path).split(sep).join('/')
  return inside === '' || inside.startsWith('..') || isAbsolute(inside) ? null : inside
}
