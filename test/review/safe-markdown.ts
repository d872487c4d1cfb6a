import assert from 'node:assert/strict'

// What "safe for the page it lands on" means for a review document, checked on the Markdown source: the only HTML
// is ours (details, summary, br, the marker comment) and balanced; no comment opens or closes but the marker; no
// `@name` or `#123` that GitHub would turn into a mention or a reference; every code block closes with its own
// fence and every code span with its own run of backticks; no link or image made from record text.

const OURS = /^(<details>|<\/details>|<summary>.*<\/summary>|<!-- relay-trail:review -->)$/

export function assertSafeMarkdown(md: string): void {
  const outside: string[] = []
  const lines = md.split('\n')
  let fence: string | null = null
  let opened = 0
  for (const [index, line] of lines.entries()) {
    if (fence !== null) {
      if (line === fence) fence = null
      else assert.ok(!/^`{3,}\s*$/.test(line) || line.length < fence.length, `line ${index + 1} would close the code block early: ${line}`)
      continue
    }
    const open = /^(`{3,})text$/.exec(line)
    if (open) {
      fence = open[1]!
      continue
    }
    assert.ok(!/^(`{3,}|~{3,})/.test(line), `line ${index + 1} opens a code block we did not: ${line}`)
    if (line === '<details>') opened++
    if (line === '</details>') opened--
    assert.ok(opened >= 0 && opened <= 1, `line ${index + 1}: details blocks are not balanced`)
    if (OURS.test(line)) {
      const summary = /^<summary>(.*)<\/summary>$/.exec(line)?.[1]
      if (summary !== undefined) outside.push(summary)
      continue
    }
    outside.push(line)
  }
  assert.equal(fence, null, 'a code block is left open')
  assert.equal(opened, 0, 'a details block is left open')
  for (const line of outside) {
    const text = withoutCodeSpans(line).replace(/&#\d+;/g, '&')
    assert.doesNotMatch(text, /<(?!br>)/, `HTML from a record: ${line}`)
    assert.doesNotMatch(text, /-->/, `a comment closes: ${line}`)
    assert.doesNotMatch(text, /@[A-Za-z0-9]/, `a mention: ${line}`)
    assert.doesNotMatch(text, /(^|[^\\])#\d|\\#\d/, `an issue reference: ${line}`)
    assert.doesNotMatch(text, /(^|[^\\])!?\[[^\]]*\]\(/, `a link or image: ${line}`)
    assert.doesNotMatch(withoutCodeSpans(line), /&(?!#\d+;)/, `an entity that is not ours: ${line}`)
  }
}

/** The line with its code spans taken out (a run of backticks opens a span that the same run closes). */
function withoutCodeSpans(line: string): string {
  let out = ''
  for (let i = 0; i < line.length; ) {
    if (line[i] === '\\') {
      out += line.slice(i, i + 2)
      i += 2
      continue
    }
    if (line[i] !== '`') {
      out += line[i]
      i++
      continue
    }
    const run = /^`+/.exec(line.slice(i))![0]
    const close = findRun(line, i + run.length, run.length)
    assert.ok(close >= 0, `a code span that never closes: ${line}`)
    i = close + run.length
  }
  return out
}

function findRun(line: string, from: number, length: number): number {
  for (let i = from; i < line.length; ) {
    const run = /^`+/.exec(line.slice(i))?.[0]
    if (run === undefined) {
      i++
      continue
    }
    if (run.length === length) return i
    i += run.length
  }
  return -1
}
