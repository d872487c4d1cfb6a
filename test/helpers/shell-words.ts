/**
 * Splits a command line the way a POSIX shell would for the simple forms the spec uses: words, "double" and
 * 'single' quotes, and backslash-newline continuations. Enough to run the spec's examples verbatim.
 */
export function shellWords(line: string): string[] {
  const words: string[] = []
  let current = ''
  let inWord = false
  let quote: '"' | "'" | null = null
  const text = line.replace(/\\\n\s*/g, '')
  for (let i = 0; i < text.length; i++) {
    const char = text[i]!
    if (quote) {
      if (char === quote) quote = null
      else if (char === '\\' && quote === '"' && /["\\$`]/.test(text[i + 1] ?? '')) current += text[++i]
      else current += char
    } else if (char === '"' || char === "'") {
      quote = char
      inWord = true
    } else if (/\s/.test(char)) {
      if (inWord) words.push(current)
      current = ''
      inWord = false
    } else {
      current += char
      inWord = true
    }
  }
  if (inWord) words.push(current)
  return words
}

/** The fenced code blocks of a Markdown text, with their info string ("bash", or "" for none). */
export function codeBlocks(markdown: string): {language: string; body: string}[] {
  const blocks: {language: string; body: string}[] = []
  let open: {fence: string; language: string; lines: string[]} | undefined
  for (const line of markdown.split('\n')) {
    const fence = /^(`{3,}|~{3,})\s*(\S*)\s*$/.exec(line)
    if (!open && fence) open = {fence: fence[1]!, language: fence[2]!, lines: []}
    else if (open && fence && fence[1]!.startsWith(open.fence) && fence[2] === '') {
      blocks.push({language: open.language, body: `${open.lines.join('\n')}\n`})
      open = undefined
    } else open?.lines.push(line)
  }
  return blocks
}

/** The commands in the bash blocks of a Markdown text that start with `program`, continuations joined. */
export function bashExamples(markdown: string, program: string): string[] {
  const blocks = codeBlocks(markdown)
    .filter((block) => block.language === 'bash')
    .map((block) => block.body)
  return blocks.flatMap((block) =>
    block
      .replace(/\\\n\s*/g, '')
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line.startsWith(`${program} `)),
  )
}
