import {existsSync, readFileSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

// This installation's own files: package.json, bin/, templates/, dist/web/, dist/oclif/. The code runs from two
// places: dist/src/<folder>/*.js (compiled by tsc, what oclif loads) and dist/hot-*.cjs (the fast path's bundles,
// where every module's import.meta.url is its bundle's). A path counted in `..` from a module is right in one of
// them only; the package's folder is the nearest one above this module that holds package.json, in both.

let root: string | undefined

/** A path in this installation's folder. @example packagePath('templates', 'git-hooks', 'hook.sh') */
export function packagePath(...parts: string[]): string {
  root ??= findRoot()
  return join(root, ...parts)
}

function findRoot(): string {
  const here = dirname(fileURLToPath(import.meta.url))
  for (let dir = here; dirname(dir) !== dir; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir
  }
  return join(here, '..', '..')
}

/** This installation's version, from its package.json ('0.0.0' if it cannot be read). */
export function packageVersion(): string {
  try {
    return (JSON.parse(readFileSync(packagePath('package.json'), 'utf8')) as {version: string}).version
  } catch {
    return '0.0.0'
  }
}
