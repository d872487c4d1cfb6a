// Patch ids, whole and file by file, from `git diff-tree -p` output. A patch id (`git patch-id --stable`) is a hash
// of a change with line numbers and whitespace left out: the same change made on another parent (a rebase, a
// cherry-pick, an amend of the message) has the same id. `--stable` sums per-file hashes, so the order of files does
// not matter. To get one id per file as well as the whole, the diff is cut at its "diff --git" lines and every piece
// is fed to one `git patch-id` under a header of its own ("commit <made-up id>", which patch-id reads as the id
// of what follows). Pure: text in, values out; GitRepo (./repo.ts) runs the two processes.

/** The patch ids of one change: the whole change, and each file's part of it. */
export interface PatchIds {
  /** The whole change's patch id; null for a change with no diff (an empty commit, a merge). */
  patch: string | null
  /** Each changed file's own patch id, by path. A file whose change has no lines (a mode change) has none. */
  files: Map<string, string>
}

/** One file's part of a diff: its path and its lines. */
export interface FileDiff {
  path: string
  text: string
}

/**
 * Cuts `git diff-tree -p --no-renames` output into files, at its "diff --git" lines. The path comes from that line:
 * `a/<p> b/<p>` (the same path twice, renames being off) or C-quoted `"a/<p>" "b/<p>"` for unusual names.
 */
export function splitDiff(diff: string): FileDiff[] {
  const files: FileDiff[] = []
  let start = -1
  let path = ''
  const push = (end: number) => {
    if (start >= 0) files.push({path, text: diff.slice(start, end)})
  }
  for (let at = 0; at < diff.length; ) {
    const newline = diff.indexOf('\n', at)
    const end = newline === -1 ? diff.length : newline + 1
    if (diff.startsWith('diff --git ', at)) {
      push(at)
      start = at
      path = headerPath(diff.slice(at + 11, newline === -1 ? diff.length : newline))
    }
    at = end
  }
  push(diff.length)
  return files
}

/** The path named by a "diff --git" line's rest (renames off: both sides name the same path). */
function headerPath(rest: string): string {
  if (rest.startsWith('"')) {
    const [first] = readQuoted(rest, 0)
    return first.replace(/^a\//, '')
  }
  // "a/P b/P": 2 + L + 1 + 2 + L characters.
  const length = (rest.length - 5) / 2
  return Number.isInteger(length) && length > 0 ? rest.slice(2, 2 + length) : rest.replace(/^a\//, '').split(' b/')[0]!
}

/** A path as git prints it: as is, or C-style quoted when unusual ("a/tab\there", octal escapes for bytes). */
export function unquoteGitPath(text: string): string {
  return text.startsWith('"') ? readQuoted(text, 0)[0] : text
}

/** A C-style quoted string as git writes unusual path names ("a/tab\there", octal escapes for bytes). */
function readQuoted(text: string, from: number): [string, number] {
  const bytes: number[] = []
  let i = from + 1
  const escapes: Record<string, number> = {n: 10, t: 9, r: 13, '"': 34, '\\': 92, a: 7, b: 8, f: 12, v: 11}
  for (; i < text.length && text[i] !== '"'; i++) {
    if (text[i] === '\\') {
      const next = text[i + 1] ?? ''
      if (/[0-7]/.test(next)) {
        bytes.push(Number.parseInt(text.slice(i + 1, i + 4), 8))
        i += 3
      } else {
        bytes.push(escapes[next] ?? next.charCodeAt(0))
        i += 1
      }
    } else {
      bytes.push(...Buffer.from(text[i]!, 'utf8'))
    }
  }
  return [Buffer.from(bytes).toString('utf8'), i + 1]
}

/** What to feed `git patch-id`: each part under a header naming it by a made-up id, and how to read the answer back. */
export interface PatchIdRequest {
  input: string
  /** The made-up id of each part, in order: which change, and which file of it (null: the whole change). */
  parts: {change: number; path: string | null}[]
}

/** The made-up id patch-id echoes for part `index` (hex, as long as the repository's ids). */
function partId(index: number, oidLength: number): string {
  return index.toString(16).padStart(oidLength, '0')
}

/**
 * The input for one `git patch-id --stable` over several changes' diffs: every change whole, then each of its files.
 *
 * @example const request = patchIdRequest([diffText], 40)   // then: parsePatchIds(request, patchIdOutput)
 */
export function patchIdRequest(diffs: readonly string[], oidLength: number): PatchIdRequest {
  const chunks: string[] = []
  const parts: PatchIdRequest['parts'] = []
  const add = (change: number, path: string | null, text: string) => {
    chunks.push(`commit ${partId(parts.length, oidLength)}\n`, text.endsWith('\n') ? text : `${text}\n`)
    parts.push({change, path})
  }
  diffs.forEach((diff, change) => {
    if (diff.trim() === '') return
    add(change, null, diff)
    for (const file of splitDiff(diff)) add(change, file.path, file.text)
  })
  return {input: chunks.join(''), parts}
}

/** Reads `git patch-id` output ("<patch id> <made-up id>" lines) back into each change's PatchIds. */
export function parsePatchIds(request: PatchIdRequest, output: string, changes: number): PatchIds[] {
  const results: PatchIds[] = Array.from({length: changes}, () => ({patch: null, files: new Map<string, string>()}))
  for (const line of output.split('\n')) {
    const [patch, id] = line.trim().split(/\s+/)
    if (!patch || !id) continue
    const part = request.parts[Number.parseInt(id, 16)]
    if (!part) continue
    const result = results[part.change]!
    if (part.path === null) result.patch = patch
    else result.files.set(part.path, patch)
  }
  return results
}

/**
 * Cuts `git diff-tree --stdin -p` output into the diff of each commit asked for. git prints a commit's id on a line
 * of its own before its diff (and nothing for a merge or an empty commit), in the order asked.
 */
export function splitByCommit(output: string, commits: readonly string[]): Map<string, string> {
  const wanted = new Set(commits)
  const diffs = new Map<string, string>()
  let current: string | null = null
  let start = 0
  const close = (end: number) => {
    if (current !== null) diffs.set(current, output.slice(start, end))
  }
  for (let at = 0; at < output.length; ) {
    const newline = output.indexOf('\n', at)
    const end = newline === -1 ? output.length : newline + 1
    const line = output.slice(at, newline === -1 ? output.length : newline)
    if (wanted.has(line) && !diffs.has(line)) {
      close(at)
      current = line
      start = end
    }
    at = end
  }
  close(output.length)
  return diffs
}
