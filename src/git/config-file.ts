// Reading a git config file without starting git: the repository's own .git/config, for settings that relay-trail
// itself writes there (siblings). Sections, subsections, quoted values and escapes, as git-config(1) describes
// them; includes are not followed (git's own reader is used for everything else).

/**
 * Parses git config text into "section.subsection.key" → values (section and key lower-cased, the subsection as
 * written), in file order.
 *
 * @example parseConfigFile('[relay "sibling.web"]\n\turl = /srv/web\n').get('relay.sibling.web.url') // ['/srv/web']
 */
export function parseConfigFile(text: string): Map<string, string[]> {
  const entries = new Map<string, string[]>()
  let section = ''
  for (const rawLine of text.split('\n')) {
    const line = rawLine.trim()
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue
    const header = /^\[\s*([A-Za-z0-9.-]+)(?:\s+"((?:[^"\\]|\\.)*)")?\s*\]/.exec(line)
    if (header) {
      section = `${header[1]!.toLowerCase()}${header[2] === undefined ? '' : `.${header[2].replace(/\\(.)/g, '$1')}`}`
      continue
    }
    const entry = /^([A-Za-z][A-Za-z0-9-]*)\s*(?:=\s*(.*))?$/.exec(line)
    if (!entry || section === '') continue
    const key = `${section}.${entry[1]!.toLowerCase()}`
    entries.set(key, [...(entries.get(key) ?? []), entry[2] === undefined ? 'true' : unquote(entry[2])])
  }
  return entries
}

/** A config value: quoted parts joined, escapes resolved, a trailing comment dropped. */
function unquote(raw: string): string {
  let out = ''
  let quoted = false
  for (let i = 0; i < raw.length; i++) {
    const char = raw[i]!
    if (char === '"') quoted = !quoted
    else if (char === '\\' && i + 1 < raw.length) {
      const next = raw[++i]!
      out += next === 'n' ? '\n' : next === 't' ? '\t' : next === 'b' ? '\b' : next
    } else if (!quoted && (char === '#' || char === ';')) break
    else out += char
  }
  return quoted ? out : out.trimEnd()
}
