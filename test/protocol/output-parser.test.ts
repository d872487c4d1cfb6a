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
    events: [{kind: 'summary', data: {currentTask: 'Auth', completedTasks: ['a'], files: ['x.ts']}, raw: '{"currentTask": "Auth", "completedTasks": ["a"], "files": ["x.ts"]}', line: 1}],
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
    input: '->relay:frontend:Designer <<<\nPlease update the login UI for the new auth flow>>>\n\n->relay:shared-lib:* <<<\nNew utility functions available>>>\n->relay:frontend:Designer [thread:auth-feature] <<<\nUI mockups ready for review>>>\n->relay:*:* <<<all>>>\n',
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
    events: [{kind: 'raw', text: '->relay-file:../../etc/passwd', line: 1, warning: `invalid outbox file name '../../etc/passwd': names are letters, digits, "_" and "-"`}],
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
    input: 'Example:\n```\n->continuity:load\n[[SUMMARY]]{}[[/SUMMARY]]\n```\n~~~~md\n->relay:a:b <<<x>>>\n~~~\nstill fenced ->continuity:load\n~~~~\n->continuity:load\n',
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
      {kind: 'raw', text: '->continuity:frobnicate', line: 1, warning: "cannot read '->continuity:frobnicate': the actions are save, load, search and uncertain"},
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
    assert.deepEqual(events.slice(1).map((event) => event.kind), ['continuity'])
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

  it('never throws and never loses a block in random text (property test)', () => {
    let seed = 7
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648
      return seed / 2147483648
    }
    const noise = ['plain words', '', '   indented', '- a list item', '[link](x)', '->', '[[', '>>>', '<<<', '`code`', '\u001b[31mred\u001b[0m', 'é😀', '\r', '```\ninside a fence ->continuity:load\n```']
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
      assert.ok(events.every((event) => event.kind !== 'raw'), `round ${round}: ${JSON.stringify(events.filter((e) => e.kind === 'raw'))}`)
    }
  })
})
