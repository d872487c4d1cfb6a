import {execFileSync} from 'node:child_process'
import type {TestRepo} from './repo.js'
import {testEnv} from './repo.js'

// Commits made by hand, byte by byte, as a broken or hostile clone or sibling could make them: tree entries named
// "..", ".git" or with control characters, symbolic links, submodules, folders where files belong. git's porcelain
// refuses to write most of these; `git hash-object --literally` writes any tree, and `git fetch` carries it
// (transfer.fsckObjects is off by default), which is the threat.

/** One entry of a crafted tree: a path from the root, its mode, and its content (or an existing object). */
export interface CraftEntry {
  path: string
  /** 100644 (default), 100755, 120000 (a symbolic link: the content is its target), 160000 (a submodule: `oid`). */
  mode?: string
  content?: string | Buffer
  oid?: string
}

function git(repo: TestRepo, args: string[], input?: string | Buffer): string {
  return execFileSync('git', args, {cwd: repo.dir, env: testEnv(), input, encoding: 'utf8', maxBuffer: 1 << 26}).trim()
}

/** Writes a blob into `repo`, returns its id. */
export function writeBlob(repo: TestRepo, content: string | Buffer): string {
  return git(repo, ['hash-object', '-w', '--stdin'], content)
}

interface Node {
  files: Map<string, {mode: string; oid: string}>
  dirs: Map<string, Node>
}

/** Writes the tree of `node` (recursively), sorted as git sorts entries (a folder's name compares as "name/"). */
function writeTree(repo: TestRepo, node: Node): string {
  const entries: {name: string; mode: string; oid: string}[] = [...node.files].map(([name, file]) => ({name, ...file}))
  for (const [name, child] of node.dirs) entries.push({name, mode: '40000', oid: writeTree(repo, child)})
  const key = (entry: {name: string; mode: string}) => Buffer.from(entry.mode === '40000' ? `${entry.name}/` : entry.name, 'utf8')
  entries.sort((a, b) => Buffer.compare(key(a), key(b)))
  const bytes = Buffer.concat(entries.flatMap((entry) => [Buffer.from(`${entry.mode} ${entry.name}\0`, 'utf8'), Buffer.from(entry.oid, 'hex')]))
  return git(repo, ['hash-object', '-w', '-t', 'tree', '--literally', '--stdin'], bytes)
}

/** Writes the trees holding `entries` into `repo`; returns the root tree's id. */
export function craftTree(repo: TestRepo, entries: readonly CraftEntry[]): string {
  const root: Node = {files: new Map(), dirs: new Map()}
  for (const entry of entries) {
    const names = entry.path.split('/')
    let node = root
    for (const name of names.slice(0, -1)) {
      let child = node.dirs.get(name)
      if (!child) {
        child = {files: new Map(), dirs: new Map()}
        node.dirs.set(name, child)
      }
      node = child
    }
    const oid = entry.oid ?? writeBlob(repo, entry.content ?? '')
    node.files.set(names.at(-1)!, {mode: entry.mode ?? '100644', oid})
  }
  return writeTree(repo, root)
}

/** Commits the tree of `entries` with these parents into `repo` (no ref moves); returns the commit. */
export function craftCommit(repo: TestRepo, entries: readonly CraftEntry[], parents: readonly string[], message = 'crafted by hand'): string {
  const tree = craftTree(repo, entries)
  return git(repo, ['commit-tree', tree, ...parents.flatMap((parent) => ['-p', parent]), '-m', message])
}

/** The file entries of a commit's tree (recursively), as CraftEntry with their object ids: a base to add to. */
export function entriesOf(repo: TestRepo, revision: string): CraftEntry[] {
  return git(repo, ['ls-tree', '-r', '-z', '--full-tree', revision])
    .split('\0')
    .filter(Boolean)
    .map((line) => {
      const tab = line.indexOf('\t')
      const [mode, , oid] = line.slice(0, tab).split(' ')
      return {path: line.slice(tab + 1), mode: mode!, oid: oid!}
    })
}
