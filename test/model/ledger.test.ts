import assert from 'node:assert/strict'
import {describe, it} from 'node:test'
import {addUncertain, applySave, parseLedger, parseSaveContent, renderLedger, type Ledger} from '../../src/model/ledger.js'
import {parseAgentName} from '../../src/model/names.js'

const agent = parseAgentName('claude')
const at = '2026-11-21T10:00:00.000Z'

describe('save content', () => {
  it("reads the spec's save example", () => {
    assert.deepEqual(
      parseSaveContent(
        'Current task: Implementing user authentication\nCompleted: User model, JWT utils, Login endpoint\nIn progress: Logout endpoint, Token refresh\nKey decisions: Using refresh tokens for security\nFiles: src/auth/jwt.ts:10-50, src/models/user.ts',
      ),
      {
        currentTask: 'Implementing user authentication',
        completed: ['User model', 'JWT utils', 'Login endpoint'],
        inProgress: ['Logout endpoint', 'Token refresh'],
        keyDecisions: ['Using refresh tokens for security'],
        files: [{path: 'src/auth/jwt.ts', lines: '10-50'}, {path: 'src/models/user.ts'}],
      },
    )
  })

  it('reads "## Section" lists, continuation bullets, globs, and keeps what it does not know as text', () => {
    const content = parseSaveContent(
      [
        'Current task: Auth module',
        'Next steps:',
        '- Login endpoint',
        '- Session middleware',
        'Files: src/auth/*.ts',
        'Blockers: waiting on API keys',
        '',
        '## Key Decisions',
        '- JWT with refresh tokens, rotated daily',
        '* bcrypt for passwords',
        '',
        '## Risks',
        'Token theft if the refresh token leaks.',
        'Second line.',
        '',
        'A free sentence at the end.',
      ].join('\n'),
    )
    assert.deepEqual(content, {
      currentTask: 'Auth module',
      nextSteps: ['Login endpoint', 'Session middleware'],
      files: [{path: 'src/auth/*.ts'}],
      keyDecisions: ['JWT with refresh tokens, rotated daily', 'bcrypt for passwords'],
      notes: [
        {label: 'Blockers', text: 'waiting on API keys'},
        {label: 'Risks', text: 'Token theft if the refresh token leaks.\nSecond line.\nA free sentence at the end.'},
      ],
    })
  })

  it('keeps a save with no known field as text, and refuses an empty one', () => {
    assert.deepEqual(parseSaveContent('just some thoughts\nmore'), {notes: [{label: 'Notes', text: 'just some thoughts\nmore'}]})
    assert.throws(() => parseSaveContent('  \n '), /nothing to save/)
  })

  it("reads its own sections and load's output back: headings with blank lines, bold labels", () => {
    assert.deepEqual(parseSaveContent('## Current task\n\nAuth module\n\n## Next steps\n\n- a\n- b\n\n## Files\n\n- `src/a.ts:10-20,30-40`'), {
      currentTask: 'Auth module',
      nextSteps: ['a', 'b'],
      files: [{path: 'src/a.ts', lines: '10-20,30-40'}],
    })
    assert.deepEqual(parseSaveContent('**Current task:** Auth\n\n**Next steps:**\n- a\n- b'), {currentTask: 'Auth', nextSteps: ['a', 'b']})
  })

  it('keeps line ranges with commas in a Files list', () => {
    assert.deepEqual(parseSaveContent('Files: src/a.ts:10-20,30-40, src/b.ts, 2fa.ts').files, [
      {path: 'src/a.ts', lines: '10-20,30-40'},
      {path: 'src/b.ts'},
      {path: '2fa.ts'},
    ])
  })

  it('reads CRLF and labels in any case and with Markdown emphasis', () => {
    assert.deepEqual(parseSaveContent('**CURRENT TASK**: A\r\nnext steps: b, c\r\n'), {currentTask: 'A', nextSteps: ['b', 'c']})
  })
})

describe('the ledger', () => {
  it('keeps what a save does not mention and replaces what it does', () => {
    const first = applySave(null, agent, parseSaveContent('Current task: A\nNext steps: x, y\nUncertain: rate limits'), at)
    const second = applySave(first, agent, parseSaveContent('In progress: z'), at)
    assert.equal(second.currentTask, 'A')
    assert.deepEqual(second.nextSteps, ['x', 'y'])
    assert.deepEqual(second.inProgress, ['z'])
    assert.deepEqual(second.uncertain, ['rate limits'])
    const cleared = applySave(second, agent, parseSaveContent('Uncertain: none\nNext steps: -'), at)
    assert.deepEqual(cleared.uncertain, [])
    assert.deepEqual(cleared.nextSteps, [])
  })

  it('adds uncertain items, with or without a ledger, once each', () => {
    const ledger = addUncertain(addUncertain(null, agent, 'API rate limit handling unclear', at), agent, 'API rate limit handling unclear', at)
    assert.deepEqual(ledger.uncertain, ['API rate limit handling unclear'])
  })

  it('renders and parses back equal', () => {
    const ledger: Ledger = {
      ...applySave(null, agent, parseSaveContent('Current task: A: with "quotes"\nCompleted: one\nFiles: a.ts:1-2\nRisks: many\n## Notes to self\n- x'), at),
      handoff: 'ho_01jd2k3m4n5p6q7r8s9t0v1w2x',
    }
    assert.deepEqual(parseLedger(renderLedger(ledger), '.relay/ledger/claude.md'), ledger)
  })
})
