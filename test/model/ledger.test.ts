import assert from 'node:assert/strict'
import {describe, it} from 'node:test'
import {addUncertain, applySave, parseLedger, parseSaveContent, renderLedger, type Ledger} from '../../src/model/ledger.js'
import {parseAgentName} from '../../src/model/names.js'
import {parseOutboxFile} from '../../src/protocol/outbox.js'

const agent = parseAgentName('claude')
const at = '2026-11-21T10:00:00.000Z'

describe('save content', () => {
  it('reads the spec\'s save example', () => {
    assert.deepEqual(
      parseSaveContent('Current task: Implementing user authentication\nCompleted: User model, JWT utils, Login endpoint\nIn progress: Logout endpoint, Token refresh\nKey decisions: Using refresh tokens for security\nFiles: src/auth/jwt.ts:10-50, src/models/user.ts'),
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

describe('outbox files', () => {
  it('reads the spec\'s outbox examples', () => {
    assert.deepEqual(parseOutboxFile('KIND: continuity\nACTION: save\n\nCurrent task: Implementing user authentication\nFiles: src/auth/*.ts\n'), {
      kind: 'continuity',
      action: 'save',
      handoff: false,
      content: 'Current task: Implementing user authentication\nFiles: src/auth/*.ts',
    })
    assert.deepEqual(parseOutboxFile('KIND: continuity\nACTION: load\n'), {kind: 'continuity', action: 'load'})
    assert.deepEqual(parseOutboxFile('KIND: continuity\r\nACTION: uncertain\r\n\r\nAPI rate limit handling unclear\r\n'), {kind: 'continuity', action: 'uncertain', text: 'API rate limit handling unclear'})
    assert.deepEqual(parseOutboxFile('TO: frontend:Designer\n\nPlease update the login UI.\n'), {kind: 'message', to: 'frontend:Designer', thread: null, body: 'Please update the login UI.'})
    assert.deepEqual(parseOutboxFile('KIND: continuity\nACTION: handoff\n\nNext steps: x'), {kind: 'continuity', action: 'save', handoff: true, content: 'Next steps: x'})
    assert.deepEqual(parseOutboxFile('TO: backend:lead\nTHREAD: auth\n\nq?'), {kind: 'message', to: 'backend:lead', thread: 'auth', body: 'q?'})
  })

  it('names what is wrong with a bad one', () => {
    assert.throws(() => parseOutboxFile('hello'), /no KIND: header/)
    assert.throws(() => parseOutboxFile('KIND: continuity\nACTION: fly\n'), /unknown ACTION 'fly'/)
    assert.throws(() => parseOutboxFile('KIND: continuity\nACTION: search\n'), /a search needs a query/)
    assert.throws(() => parseOutboxFile('TO: a:b\n\n'), /has no text/)
  })
})
