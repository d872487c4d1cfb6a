// The shell blocks of a Markdown guide, as test/docs/shell-blocks.test.ts runs them.
//
// A block runs when its fence's info string is `sh`, `bash` or `console` (in a `console` block, only the lines
// after a `$ ` prompt are commands; the rest is output, not checked). A block not meant to run has an HTML comment
// on the line just before its fence: `<!-- not run: <reason> -->`, the reason required (an agent tool, a browser,
// a remote, a server that does not end, the developer set-up of a clone...). Fences are ``` or longer, and a fence
// closes only with one at least as long (a block may show another).

export interface ShellBlock {
  /** The 1-based line of the opening fence. */
  line: number
  /** The heading the block is under ('' before the first). */
  heading: string
  /** The commands, as bash runs them. */
  script: string
  /** Why the block is not run, or null when it is. */
  notRun: string | null
}

const SHELLS = new Set(['sh', 'bash', 'console'])
const NOT_RUN = /^<!--\s*not run:\s*(\S.*?)\s*-->$/

/** Every sh, bash and console block of a Markdown text, in order. */
export function shellBlocks(markdown: string): ShellBlock[] {
  const lines = markdown.split('\n')
  const blocks: ShellBlock[] = []
  let heading = ''
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!
    const heads = /^#{1,6} (.*)$/.exec(line)
    if (heads) heading = heads[1]!
    const fence = /^(`{3,}|~{3,})\s*([^\s`]*)/.exec(line)
    if (!fence) continue
    const marker = fence[1]!
    const start = i
    const body: string[] = []
    const closes = (text: string) => {
      const closing = /^(`{3,}|~{3,})$/.exec(text.trim())?.[1]
      return closing !== undefined && closing[0] === marker[0] && closing.length >= marker.length
    }
    for (i++; i < lines.length && !closes(lines[i]!); i++) body.push(lines[i]!)
    const info = fence[2]!.toLowerCase()
    if (!SHELLS.has(info)) continue
    const script =
      info === 'console'
        ? body
            .filter((text) => text.startsWith('$ '))
            .map((text) => text.slice(2))
            .join('\n')
        : body.join('\n')
    const before = lines[start - 1]?.trim() ?? ''
    const notRun = NOT_RUN.exec(before)?.[1] ?? null
    blocks.push({line: start + 1, heading, script: `${script}\n`, notRun})
  }
  return blocks
}
