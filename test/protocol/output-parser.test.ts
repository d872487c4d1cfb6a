import assert from 'node:assert/strict'
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, it} from 'node:test'
import {MAX_BLOCK_CHARS, OutputParser, type OutputEvent} from '../../src/protocol/output-parser.js'
import {ROOT} from '../helpers/cli.js'
import {codeBlocks} from '../helpers/shell-words.js'

// The agent-output parser: every pattern of the spec, the spec's examples verbatim, and the promise that the same
// input gives the same events however it is cut into chunks.

function parseWhole(text: string): OutputEvent[] {
  const parser = new OutputParser()
  return [...parser.push(text), ...parser.end()]
}

function parseInPieces(text: string, size: number): OutputEvent[] {
  const parser = new OutputParser()
  const events: OutputEvent[] = []
  for (let i = 0; i < text.length; i += size) events.push(...parser.push(text.slice(i, i + size)))
  return [...events, ...parser.end()]
}

function parseByLine(text: string): OutputEvent[] {
  const parser = new OutputParser()
  const events: OutputEvent[] = []
  for (const line of text.split(/(?<=\n)/)) events.push(...parser.push(line))
  return [...events, ...parser.end()]
}

/** Parses `text` whole, line by line, in 7-character pieces and one character at a time; all must agree. */
function parse(text: string): OutputEvent[] {
  const whole = parseWhole(text)
  assert.deepEqual(parseByLine(text), whole, 'line by line')
  assert.deepEqual(parseInPieces(text, 7), whole, 'in 7-character chunks')
  assert.deepEqual(parseInPieces(text, 1), whole, 'one character at a time')
  return whole
}

const CASES: {name: string; input: string; events: OutputEvent[]}[] = [
  {
    name: 'a summary block',
    input: '[[SUMMARY]]\n{"currentTask": "Auth", "completedTasks": ["a"], "files": ["x.ts"]}\n[[/SUMMARY]]\n',
    events: [
      {
        kind: 'summary',
        data: {currentTask: 'Auth', completedTasks: ['a'], files: ['x.ts']},
        raw: '{"currentTask": "Auth", "completedTasks": ["a"], "files": ["x.ts"]}',
        line: 1,
      },
    ],
  },
  {
    name: 'a summary on one line',
    input: 'text before\n[[SUMMARY]]{"currentTask":"x"}[[/SUMMARY]]\n',
    events: [{kind: 'summary', data: {currentTask: 'x'}, raw: '{"currentTask":"x"}', line: 2}],
  },
  {
    name: 'a summary with invalid JSON is kept as text with a warning',
    input: '[[SUMMARY]]\n{currentTask: oops\n[[/SUMMARY]]\n',
    events: [{kind: 'summary', data: null, raw: '{currentTask: oops', line: 1, warning: 'the [[SUMMARY]] on line 1 is not a JSON object; kept as text'}],
  },
  {
    name: 'a session end with JSON',
    input: '[[SESSION_END]]\n{"summary": "Done", "completedTasks": ["t1"]}\n[[/SESSION_END]]\n',
    events: [{kind: 'session-end', data: {summary: 'Done', completedTasks: ['t1']}, raw: '{"summary": "Done", "completedTasks": ["t1"]}', line: 1}],
  },
  {
    name: 'a simple session end',
    input: '[[SESSION_END]]Work complete.[[/SESSION_END]]\n',
    events: [{kind: 'session-end', data: {summary: 'Work complete.'}, raw: 'Work complete.', line: 1}],
  },
  {
    name: 'a continuity save with the terminator at the end of the last line',
    input: '->continuity:save <<<\nCurrent task: A\nFiles: src/a.ts:10-50, src/b.ts>>>\n',
    events: [{kind: 'continuity', action: 'save', handoff: false, content: 'Current task: A\nFiles: src/a.ts:10-50, src/b.ts', line: 1}],
  },
  {
    name: 'a save with handoff',
    input: '->continuity:save --handoff <<<\nNext steps: B\n>>>\n',
    events: [{kind: 'continuity', action: 'save', handoff: true, content: 'Next steps: B\n', line: 1}],
  },
  {
    name: '>>> inside a line of a body is text',
    input: '->continuity:save <<<\nShift: use a >>> b for the bits\nDone>>>\n',
    events: [{kind: 'continuity', action: 'save', handoff: false, content: 'Shift: use a >>> b for the bits\nDone', line: 1}],
  },
  {name: 'load', input: '->continuity:load\n', events: [{kind: 'continuity', action: 'load', line: 1}]},
  {
    name: 'search, quoted and not',
    input: '->continuity:search "authentication patterns"\n->continuity:search database migration\n',
    events: [
      {kind: 'continuity', action: 'search', query: 'authentication patterns', line: 1},
      {kind: 'continuity', action: 'search', query: 'database migration', line: 2},
    ],
  },
  {
    name: 'uncertain',
    input: '->continuity:uncertain "API rate limit handling unclear"\n',
    events: [{kind: 'continuity', action: 'uncertain', text: 'API rate limit handling unclear', line: 1}],
  },
  {
    name: 'relay messages, with threads and broadcasts',
    input:
      '->relay:frontend:Designer <<<\nPlease update the login UI for the new auth flow>>>\n\n->relay:shared-lib:* <<<\nNew utility functions available>>>\n->relay:frontend:Designer [thread:auth-feature] <<<\nUI mockups ready for review>>>\n->relay:*:* <<<all>>>\n',
    events: [
      {kind: 'relay', target: 'frontend:Designer', thread: null, body: 'Please update the login UI for the new auth flow', line: 1},
      {kind: 'relay', target: 'shared-lib:*', thread: null, body: 'New utility functions available', line: 4},
      {kind: 'relay', target: 'frontend:Designer', thread: 'auth-feature', body: 'UI mockups ready for review', line: 6},
      {kind: 'relay', target: '*:*', thread: null, body: 'all', line: 8},
    ],
  },
  {
    name: 'a one-line relay message',
    input: '->relay:backend:lead API question - should we use REST or GraphQL?\n->relay:Reviewer please look\n',
    events: [
      {kind: 'relay', target: 'backend:lead', thread: null, body: 'API question - should we use REST or GraphQL?', line: 1},
      {kind: 'relay', target: 'Reviewer', thread: null, body: 'please look', line: 2},
    ],
  },
  {name: 'an outbox file', input: '->relay-file:continuity\n', events: [{kind: 'relay-file', name: 'continuity', line: 1}]},
  {
    name: 'an outbox name that tries to escape',
    input: '->relay-file:../../etc/passwd\n',
    events: [
      {
        kind: 'raw',
        text: '->relay-file:../../etc/passwd',
        line: 1,
        warning: `invalid outbox file name '../../etc/passwd': names are letters, digits, "_" and "-"`,
      },
    ],
  },
  {
    name: 'ANSI colours around a pattern',
    input: '\u001b[32m->continuity:load\u001b[0m\r\n\u001b[1m[[SUMMARY]]{"currentTask":"c"}[[/SUMMARY]]\u001b[0m\n',
    events: [
      {kind: 'continuity', action: 'load', line: 1},
      {kind: 'summary', data: {currentTask: 'c'}, raw: '{"currentTask":"c"}', line: 2},
    ],
  },
  {
    name: 'patterns inside code fences are ignored',
    input:
      'Example:\n```\n->continuity:load\n[[SUMMARY]]{}[[/SUMMARY]]\n```\n~~~~md\n->relay:a:b <<<x>>>\n~~~\nstill fenced ->continuity:load\n~~~~\n->continuity:load\n',
    events: [{kind: 'continuity', action: 'load', line: 11}],
  },
  {
    name: 'patterns not at the start of a line are text',
    input: 'I will now ->continuity:load and [[SUMMARY]]{}[[/SUMMARY]]\n  ->continuity:load\n',
    events: [{kind: 'continuity', action: 'load', line: 2}],
  },
  {
    name: 'an unclosed <<< is kept as raw text at the end',
    input: '->continuity:save <<<\nCurrent task: lost?\n',
    events: [{kind: 'raw', text: 'Current task: lost?', line: 1, warning: 'the block opened on line 1 is not closed (>>>) by the end of the output'}],
  },
  {
    name: 'an unclosed block does not swallow the next pattern',
    input: '->relay:a:b <<<\nforgot the end\n->continuity:load\n',
    events: [
      {kind: 'raw', text: 'forgot the end', line: 1, warning: 'the block opened on line 1 is not closed (>>>) before the next pattern on line 3'},
      {kind: 'continuity', action: 'load', line: 3},
    ],
  },
  {
    name: 'unreadable patterns become raw text',
    input: '->continuity:frobnicate\n->relay:a/b <<<x>>>\n->relay:a:b\n',
    events: [
      {
        kind: 'raw',
        text: '->continuity:frobnicate',
        line: 1,
        warning: "cannot read '->continuity:frobnicate': the actions are save, load, search and uncertain",
      },
      {kind: 'raw', text: '->relay:a/b <<<x>>>', line: 2, warning: "cannot read the target of '->relay:a/b <<<x>>>': use ->relay:project:agent <<<message>>>"},
      {kind: 'raw', text: '->relay:a:b', line: 3, warning: 'the message to a:b has no text: use ->relay:a:b <<<message>>>'},
    ],
  },
  {
    name: 'a repeated block is a new event',
    input: '->continuity:load\n->continuity:load\n',
    events: [
      {kind: 'continuity', action: 'load', line: 1},
      {kind: 'continuity', action: 'load', line: 2},
    ],
  },
  {
    name: 'a last line without a newline',
    input: 'text\n->continuity:load',
    events: [{kind: 'continuity', action: 'load', line: 2}],
  },
  // Openers with words between the target or action and <<<: the words are the body's first line.
  {
    name: 'a save with words before <<< keeps them as the first line of the content',
    input: '->continuity:save progress <<<\nCurrent task: A>>>\n->continuity:save --handoff before the build <<<\nNext steps: B>>>\n',
    events: [
      {kind: 'continuity', action: 'save', handoff: false, content: 'progress\nCurrent task: A', line: 1},
      {kind: 'continuity', action: 'save', handoff: true, content: 'before the build\nNext steps: B', line: 3},
    ],
  },
  {
    name: 'a message with words before <<< keeps them as the first line of the body',
    input: '->relay:Lead Status report below <<<\nall green\n>>>\n->relay:a:b [thread:t1] Re: review <<<done>>>\n',
    events: [
      {kind: 'relay', target: 'Lead', thread: null, body: 'Status report below\nall green\n', line: 1},
      {kind: 'relay', target: 'a:b', thread: 't1', body: 'Re: review\ndone', line: 4},
    ],
  },
  {
    name: 'a malformed thread tag keeps the whole block as raw text, and the output after it is read',
    input: '->relay:bob [thread:review 123] <<<\nthe body\n>>>\n->relay:bob [thread:open <<<\nx>>>\n->continuity:load\n',
    events: [
      {
        kind: 'raw',
        text: '->relay:bob [thread:review 123] <<<\nthe body\n>>>',
        line: 1,
        warning: "cannot read the thread tag of '->relay:bob [thread:review 123] <<<': use [thread:<id>] or [thread:<project>:<id>], with no spaces",
      },
      {
        kind: 'raw',
        text: '->relay:bob [thread:open <<<\nx>>>',
        line: 4,
        warning: "cannot read the thread tag of '->relay:bob [thread:open <<<': use [thread:<id>] or [thread:<project>:<id>], with no spaces",
      },
      {kind: 'continuity', action: 'load', line: 6},
    ],
  },
  {
    name: 'an unreadable opener with <<< keeps its whole block as raw text',
    input: '->relay:a/b <<<\nline one\nline two>>>\n->continuity:frobnicate <<<\nbody\n>>>\nafter\n',
    events: [
      {
        kind: 'raw',
        text: '->relay:a/b <<<\nline one\nline two>>>',
        line: 1,
        warning: "cannot read the target of '->relay:a/b <<<': use ->relay:project:agent <<<message>>>",
      },
      {
        kind: 'raw',
        text: '->continuity:frobnicate <<<\nbody\n>>>',
        line: 4,
        warning: "cannot read '->continuity:frobnicate <<<': the actions are save, load, search and uncertain",
      },
    ],
  },
  {
    name: 'an unreadable block never closed is kept as raw text, and does not swallow the next pattern',
    input: '->relay:bob [thread:a b] <<<\nlost?\n->continuity:load\n',
    events: [
      {
        kind: 'raw',
        text: '->relay:bob [thread:a b] <<<\nlost?',
        line: 1,
        warning:
          "cannot read the thread tag of '->relay:bob [thread:a b] <<<': use [thread:<id>] or [thread:<project>:<id>], with no spaces; the block opened on line 1 is not closed (>>>) before the next pattern on line 3",
      },
      {kind: 'continuity', action: 'load', line: 3},
    ],
  },
  // Project-qualified threads.
  {
    name: 'a project-qualified thread names the thread by its id',
    input: '->relay:frontend:Designer [thread:backend:auth-feature] <<<\nready>>>\n->relay:Bob [thread:x:y] one line\n',
    events: [
      {kind: 'relay', target: 'frontend:Designer', thread: 'auth-feature', body: 'ready', line: 1},
      {kind: 'relay', target: 'Bob', thread: 'y', body: 'one line', line: 3},
    ],
  },
  // One-line messages with continuation lines.
  {
    name: 'a one-line message takes the lines after it up to a blank line',
    input: '->relay:Bob First line\nsecond line\n  - a list item\n\nnot part of it\n',
    events: [{kind: 'relay', target: 'Bob', thread: null, body: 'First line\nsecond line\n  - a list item', line: 1}],
  },
  {
    name: 'a one-line message ends at the next pattern, at a code fence, and at the end of the output',
    input: '->relay:Bob one\n->relay:Carol two\n```\n->continuity:load\n```\n->relay:Dave three\nand more',
    events: [
      {kind: 'relay', target: 'Bob', thread: null, body: 'one', line: 1},
      {kind: 'relay', target: 'Carol', thread: null, body: 'two', line: 2},
      {kind: 'relay', target: 'Dave', thread: null, body: 'three\nand more', line: 6},
    ],
  },
  // Decorations before a pattern.
  {
    name: 'agent marks and list markers before a pattern are decoration',
    input: [
      '✦ ->continuity:uncertain "from Gemini"',
      '⏺ ->continuity:uncertain "from Claude Code"',
      '● [[SUMMARY]]{"currentTask": "bulleted"}[[/SUMMARY]]',
      '- ->relay:Bob in a list',
      '',
      '* ->relay-file:msg',
      '+ ->continuity:load',
      '  12. ->continuity:search "numbered"',
      '3) ->continuity:uncertain "numbered too"',
      '• ✦ ->continuity:load',
      '✦ - ->relay:Carol <<<',
      'a block in a list>>>',
      '',
    ].join('\n'),
    events: [
      {kind: 'continuity', action: 'uncertain', text: 'from Gemini', line: 1},
      {kind: 'continuity', action: 'uncertain', text: 'from Claude Code', line: 2},
      {kind: 'summary', data: {currentTask: 'bulleted'}, raw: '{"currentTask": "bulleted"}', line: 3},
      {kind: 'relay', target: 'Bob', thread: null, body: 'in a list', line: 4},
      {kind: 'relay-file', name: 'msg', line: 6},
      {kind: 'continuity', action: 'load', line: 7},
      {kind: 'continuity', action: 'search', query: 'numbered', line: 8},
      {kind: 'continuity', action: 'uncertain', text: 'numbered too', line: 9},
      {kind: 'relay', target: 'Carol', thread: null, body: 'a block in a list', line: 11},
    ],
  },
  {
    name: 'a pattern behind a quote mark is kept as raw text with a warning, with its block',
    input: '> ->relay:Bob quoted\n> ->continuity:save <<<\n> Current task: theirs\n> >>>\n>> [[SUMMARY]]{}[[/SUMMARY]]\n->continuity:load\n',
    events: [
      {kind: 'raw', text: '> ->relay:Bob quoted', line: 1, warning: 'a pattern in a quote (">") on line 1 is not carried out'},
      {
        kind: 'raw',
        text: '> ->continuity:save <<<\n> Current task: theirs\n> >>>',
        line: 2,
        warning: 'a pattern in a quote (">") on line 2 is not carried out',
      },
      {kind: 'raw', text: '>> [[SUMMARY]]{}[[/SUMMARY]]', line: 5, warning: 'a pattern in a quote (">") on line 5 is not carried out'},
      {kind: 'continuity', action: 'load', line: 6},
    ],
  },
  {
    name: 'other text before a pattern, or a mark without a space, leaves it text',
    input: 'I will now ->continuity:load\n✦->continuity:load\n-->relay:Bob x\n1.->continuity:load\n`->continuity:load`\n',
    events: [],
  },
  {
    name: 'decorated patterns inside code fences are still ignored',
    input: '```\n✦ ->continuity:load\n- ->relay:Bob hi\n> ->relay:Bob hi\n```\n',
    events: [],
  },
]

describe('the agent-output parser', () => {
  for (const testCase of CASES) {
    it(testCase.name, () => assert.deepEqual(parse(testCase.input), testCase.events))
  }

  it('reads every example block of the spec, verbatim', () => {
    const spec = readFileSync(join(ROOT, 'docs', 'spec', 'relay-protocol-output-blocks.md'), 'utf8')
    const blocks = codeBlocks(spec)
      .filter((block) => block.language === '')
      .map((block) => block.body)
    const kinds = blocks.flatMap((block) => parse(block).map((event) => (event.kind === 'continuity' ? `continuity:${event.action}` : event.kind)))
    assert.deepEqual(kinds, [
      'summary',
      'session-end',
      'continuity:save',
      'continuity:save',
      'continuity:load',
      'continuity:search',
      'continuity:search',
      'continuity:uncertain',
      'relay',
      'relay',
      'relay',
      'relay',
    ])
    assert.ok(parse(blocks.join('\n')).every((event) => event.kind !== 'raw'))
  })

  it('caps a block and keeps its beginning as raw text', () => {
    const body = 'x'.repeat(MAX_BLOCK_CHARS + 10)
    const [event] = parseWhole(`->continuity:save <<<\n${body}>>>\n->continuity:load\n`)
    assert.equal(event?.kind, 'raw')
    assert.equal((event as {text: string}).text.length, MAX_BLOCK_CHARS)
    assert.match((event as {warning: string}).warning, /longer than 1048576 characters/)
  })

  it('passes over 10 MB of output with no pattern', () => {
    const line = 'compiling module 42 of 1000 ... ok, nothing to see [info] -- done\n'
    const text = line.repeat(Math.ceil((10 * 1024 * 1024) / line.length))
    assert.deepEqual(parseInPieces(text, 65536), [])
  })

  it('reads a pattern on a single line longer than 64 KiB, and passes over a long line without one', () => {
    const context = 'c'.repeat(70_000)
    const events = parseInPieces(`${'x'.repeat(200_000)}\n[[SUMMARY]]{"context": "${context}"}[[/SUMMARY]]\n`, 65536)
    assert.equal(events.length, 1)
    assert.equal((events[0] as unknown as {data: {context: string}}).data.context, context)
  })

  // A line that never ends (a spinner redrawn with "\r") is searched once, not once per chunk: quadratically, these
  // 16 MB would take minutes, and the timeout fails the test.
  it('passes over a line that never ends, keeping nothing of it', {timeout: 60_000}, () => {
    const parser = new OutputParser()
    const chunk = `spinner ${'\r-\\|/'.repeat(16384)}`
    for (let i = 0; i < 256; i++) assert.deepEqual(parser.push(chunk), [])
    assert.deepEqual(parser.push('\n->continuity:load\n'), [{kind: 'continuity', action: 'load', line: 2}])
  })

  it('takes a code fence left open for over 1 MiB as unclosed, and reads the patterns after it', () => {
    const events = parseWhole(`\`\`\`\n${'code line\n'.repeat(120_000)}->continuity:load\n`)
    assert.equal(events[0]?.kind, 'raw')
    assert.match((events[0] as {warning: string}).warning, /the code fence opened on line 1 is not closed within 1048576 characters/)
    assert.deepEqual(
      events.slice(1).map((event) => event.kind),
      ['continuity'],
    )
  })

  it('settles the input at the next pattern when an open block is given up, so it is kept only once', () => {
    const parser = new OutputParser()
    const text = '->relay:Carol <<<\nforgot the end\n->continuity:save <<<\nstill open'
    const events = parser.push(text)
    assert.equal(events[0]?.kind, 'raw')
    assert.equal(parser.settledLength, text.indexOf('->continuity:save'))
  })

  it('tells how much input is settled, so a reader can resume without reading a block twice', () => {
    const parser = new OutputParser()
    parser.push('one\n->continuity:save <<<\nhalf')
    assert.equal(parser.settledLength, 4)
    parser.push(' done>>>\ntwo\n')
    assert.equal(parser.settledLength, 'one\n->continuity:save <<<\nhalf done>>>\ntwo\n'.length)
  })

  it('gives the same events wherever a chunk ends: inside <<<, >>>, [[/SUMMARY]], a CRLF, a decoration or an emoji', () => {
    const text =
      '✦ ->relay:Bob [thread:t] Report <<<\r\nline é😀\r\n>>>\r\n- [[SUMMARY]]{"currentTask": "😀"}[[/SUMMARY]]\r\n->relay:Carol one\r\ntwo\r\n\r\n> ->continuity:load\r\n'
    const whole = parseWhole(text)
    assert.deepEqual(
      whole.map((event) => event.kind),
      ['relay', 'summary', 'relay', 'raw'],
    )
    for (let cut = 1; cut < text.length; cut++) {
      const parser = new OutputParser()
      assert.deepEqual([...parser.push(text.slice(0, cut)), ...parser.push(text.slice(cut)), ...parser.end()], whole, `cut at ${cut}`)
    }
  })

  // Fed one character at a time, a pattern on one long line used to be joined again on every push once past
  // 64 KiB: quadratic, minutes for this line; the timeout fails the test.
  it('reads a long pattern line fed one character at a time, looking at each character a bounded number of times', {timeout: 60_000}, () => {
    const context = 'c'.repeat(300_000)
    const text = `[[SUMMARY]]{"context": "${context}"}[[/SUMMARY]]\n`
    const events = parseInPieces(text, 1)
    assert.equal((events[0] as unknown as {data: {context: string}}).data.context, context)
  })

  it("passes over a long line inside a code fence, counting it toward the fence's size", () => {
    const inFence = (chunks: number) => {
      const parser = new OutputParser()
      parser.push('```\n')
      for (let i = 0; i < chunks; i++) parser.push('x'.repeat(16384))
      return [...parser.push('\n```\n->continuity:load\n'), ...parser.end()].map((event) => event.kind)
    }
    assert.deepEqual(inFence(8), ['continuity'], 'a 128 KiB line in a fence closed after it')
    assert.deepEqual(inFence(80), ['raw'], 'a 1.3 MiB line: the fence is taken as unclosed, and the ``` after it opens another')
  })

  it('counts the settled point in line ends too, for readers of bytes', () => {
    const parser = new OutputParser()
    parser.push('one\ntwo\n->continuity:save <<<\nhalf')
    assert.equal(parser.settledLineEnds, 2)
    assert.equal(parser.lineEndsRead, 3)
    parser.push(' done>>>\n->relay:Bob hi\n')
    assert.equal(parser.settledLineEnds, 4, 'a one-line message waits for the lines after it')
    assert.deepEqual(parser.pause(), [{kind: 'relay', target: 'Bob', thread: null, body: 'hi', line: 5}])
    assert.equal(parser.settledLineEnds, 5, 'a pause ends it')
  })

  it('reads every decorated pattern it reads undecorated, in random output cut anywhere (property test)', () => {
    let seed = 11
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648
      return seed / 2147483648
    }
    const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)]!
    const decorations = ['', '  ', '✦ ', '⏺ ', '● ', '- ', '* ', '+ ', '1. ', '10) ', '• ', '✦ - ', '\t- ']
    const noise = ['plain words', 'I will now ->continuity:load later', '> a quote', '✦ Thinking about it', '- a list item', '1. first step', '']
    for (let round = 0; round < 100; round++) {
      const lines: string[] = []
      const expected: string[] = []
      for (let i = 0; i < 20; i++) {
        if (random() < 0.3) {
          const token = `t${round}x${i}`
          const decoration = pick(decorations)
          const shape = Math.floor(random() * 4)
          if (shape === 0) lines.push(`${decoration}->continuity:uncertain "${token}"`)
          if (shape === 1) lines.push(`${decoration}->relay:proj:agent Subject <<<`, `${pick(noise)} ${token}`, 'end>>>')
          if (shape === 2) lines.push(`${decoration}[[SUMMARY]]{"currentTask": "${token}"}[[/SUMMARY]]`)
          if (shape === 3) lines.push(`${decoration}->relay:agent ${token}`, '')
          expected.push(token)
        } else lines.push(pick(noise))
      }
      const text = lines.join('\n')
      const events = parseInPieces(text, 1 + Math.floor(random() * 40))
      assert.deepEqual(events, parseWhole(text), `round ${round}: chunking changed the events`)
      const found = JSON.stringify(events)
      for (const token of expected) assert.ok(found.includes(token), `round ${round}: ${token} lost in ${JSON.stringify(text)}`)
      assert.ok(
        events.every((event) => event.kind !== 'raw'),
        `round ${round}: ${JSON.stringify(events.filter((e) => e.kind === 'raw'))}`,
      )
    }
  })

  it('never throws and never loses a block in random text (property test)', () => {
    let seed = 7
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648
      return seed / 2147483648
    }
    const noise = [
      'plain words',
      '',
      '   indented',
      '- a list item',
      '[link](x)',
      '->',
      '[[',
      '>>>',
      '<<<',
      '`code`',
      '\u001b[31mred\u001b[0m',
      'é😀',
      '\r',
      '```\ninside a fence ->continuity:load\n```',
    ]
    for (let round = 0; round < 200; round++) {
      const expected: string[] = []
      const lines: string[] = []
      for (let i = 0; i < 30; i++) {
        if (random() < 0.2) {
          const token = `item${round}x${i}`
          const shape = Math.floor(random() * 4)
          if (shape === 0) lines.push(`->continuity:uncertain "${token}"`)
          if (shape === 1) lines.push(`->relay:proj:agent <<<`, `${noise[Math.floor(random() * noise.length)]} ${token}`, `end>>>`)
          if (shape === 2) lines.push(`[[SUMMARY]]{"currentTask": "${token}"}[[/SUMMARY]]`)
          if (shape === 3) lines.push(`->relay-file:${token}`)
          expected.push(token)
        } else {
          lines.push(noise[Math.floor(random() * noise.length)]!)
        }
      }
      const text = lines.join('\n')
      const events = parse(text)
      const found = JSON.stringify(events)
      for (const token of expected) assert.ok(found.includes(token), `round ${round}: ${token} lost`)
      assert.ok(
        events.every((event) => event.kind !== 'raw'),
        `round ${round}: ${JSON.stringify(events.filter((e) => e.kind === 'raw'))}`,
      )
    }
  })
})
