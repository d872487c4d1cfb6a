// git's configuration as relay-trail reads it: one reader, fed by two texts.
// - `git var -l` (./repo.ts settings()): everything git itself would see (system, global, includes, the
//   repository, GIT_CONFIG_* variables), plus the identity; one process, cached by ./settings-cache.ts.
// - The repository's own .git/config file, read without a process: for what relay-trail writes there itself
//   (siblings), which hot commands read. Includes are not followed there.
// Both give a GitConfig, whose keys are compared the way git compares them: section and variable names are
// case-insensitive, subsection names are not.

/**
 * Configuration entries in the order git reports them: key → values (the last value is the one git uses).
 *
 * @example GitConfig.parseFile('[relay "sibling.web"]\n\turl = /srv/web\n').value('relay.sibling.web.url') // '/srv/web'
 */
export class GitConfig {
  private constructor(private readonly entries: ReadonlyMap<string, readonly string[]>) {}

  /** From "key", "value" pairs as git lists them (`git var -l`, `git config --list`). */
  static fromPairs(pairs: Iterable<readonly [string, string]>): GitConfig {
    const entries = new Map<string, string[]>()
    for (const [key, value] of pairs) {
      const normal = normaliseConfigKey(key)
      entries.set(normal, [...(entries.get(normal) ?? []), value])
    }
    return new GitConfig(entries)
  }

  /**
   * Parses the text of a config file: sections, subsections (quoted, with escapes), `key = value` lines with
   * quoted parts, escapes, trailing comments and backslash-newline continuations; a key without `=` is "true".
   */
  static parseFile(text: string): GitConfig {
    const pairs: [string, string][] = []
    let section = ''
    const lines = joinContinuations(text)
    for (const rawLine of lines) {
      let line = rawLine.trim()
      if (line === '' || line.startsWith('#') || line.startsWith(';')) continue
      const header = /^\[\s*([A-Za-z0-9.-]+)(?:\s+"((?:[^"\\]|\\.)*)")?\s*\]/.exec(line)
      if (header) {
        section = header[2] === undefined ? header[1]! : `${header[1]!}.${header[2].replace(/\\(.)/g, '$1')}`
        line = line.slice(header[0].length).trim()
        // git allows an entry on the header's line: "[core] bare = false".
        if (line === '' || line.startsWith('#') || line.startsWith(';')) continue
      }
      const entry = /^([A-Za-z][A-Za-z0-9-]*)\s*(?:=\s*(.*))?$/.exec(line)
      if (!entry || section === '') continue
      pairs.push([`${section}.${entry[1]!}`, entry[2] === undefined ? 'true' : unquote(entry[2])])
    }
    return GitConfig.fromPairs(pairs)
  }

  /** The value git uses for a key (the last one), or undefined. */
  value(key: string): string | undefined {
    return this.entries.get(normaliseConfigKey(key))?.at(-1)
  }

  /** Every value of a multi-valued key, in order ([] when unset). */
  values(key: string): readonly string[] {
    return this.entries.get(normaliseConfigKey(key)) ?? []
  }

  /** Every key (normalised), in order of first appearance. */
  keys(): IterableIterator<string> {
    return this.entries.keys()
  }

  /**
   * The subsections of `section` that set `variable`, with its value: `subsections('relay', 'url')` of
   * `relay.sibling.web.url=/srv/web` gives [['sibling.web', '/srv/web']].
   */
  subsections(section: string, variable: string): [string, string][] {
    const prefix = `${section.toLowerCase()}.`
    const suffix = `.${variable.toLowerCase()}`
    const out: [string, string][] = []
    for (const [key, values] of this.entries) {
      if (key.startsWith(prefix) && key.endsWith(suffix) && key.length > prefix.length + suffix.length)
        out.push([key.slice(prefix.length, -suffix.length), values.at(-1)!])
    }
    return out
  }
}

/** Section and variable names are case-insensitive in git, subsection names are not. */
export function normaliseConfigKey(key: string): string {
  const first = key.indexOf('.')
  const last = key.lastIndexOf('.')
  if (first === last) return key.toLowerCase()
  return `${key.slice(0, first).toLowerCase()}${key.slice(first, last)}${key.slice(last).toLowerCase()}`
}

/** A line ending in an unescaped backslash continues on the next (git-config(1), "Syntax"). */
function joinContinuations(text: string): string[] {
  const lines: string[] = []
  let pending = ''
  for (const line of text.replace(/\r\n/g, '\n').split('\n')) {
    const trailing = /(\\+)$/.exec(line)?.[1]?.length ?? 0
    if (trailing % 2 === 1) pending += line.slice(0, -1)
    else {
      lines.push(pending + line)
      pending = ''
    }
  }
  if (pending !== '') lines.push(pending)
  return lines
}

/** A config value: quoted parts joined, escapes resolved, a trailing comment dropped, outer blanks trimmed. */
function unquote(raw: string): string {
  let out = ''
  let quoted = false
  // Blanks outside quotes at the end are dropped; those inside quotes are kept.
  let keep = 0
  for (let i = 0; i < raw.length; i++) {
    const char = raw[i]!
    if (char === '"') {
      quoted = !quoted
      keep = out.length
    } else if (char === '\\' && i + 1 < raw.length) {
      const next = raw[++i]!
      out += next === 'n' ? '\n' : next === 't' ? '\t' : next === 'b' ? '\b' : next
      keep = out.length
    } else if (!quoted && (char === '#' || char === ';')) break
    else {
      out += char
      if (quoted || !/\s/.test(char)) keep = out.length
    }
  }
  return out.slice(0, keep)
}
