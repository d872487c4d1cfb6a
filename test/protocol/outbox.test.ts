import assert from 'node:assert/strict'
import {describe, it} from 'node:test'
import {parseOutboxFile} from '../../src/protocol/outbox.js'

// Outbox files (docs/spec/relay-protocol-outbox-and-trail.md): headers, a blank line, a body.

describe('outbox files', () => {
  it("reads the spec's outbox examples", () => {
    assert.deepEqual(parseOutboxFile('KIND: continuity\nACTION: save\n\nCurrent task: Implementing user authentication\nFiles: src/auth/*.ts\n'), {
      kind: 'continuity',
      action: 'save',
      handoff: false,
      content: 'Current task: Implementing user authentication\nFiles: src/auth/*.ts',
    })
    assert.deepEqual(parseOutboxFile('KIND: continuity\nACTION: load\n'), {kind: 'continuity', action: 'load'})
    assert.deepEqual(parseOutboxFile('KIND: continuity\r\nACTION: uncertain\r\n\r\nAPI rate limit handling unclear\r\n'), {
      kind: 'continuity',
      action: 'uncertain',
      text: 'API rate limit handling unclear',
    })
    assert.deepEqual(parseOutboxFile('TO: frontend:Designer\n\nPlease update the login UI.\n'), {
      kind: 'message',
      to: 'frontend:Designer',
      thread: null,
      body: 'Please update the login UI.',
    })
    assert.deepEqual(parseOutboxFile('KIND: continuity\nACTION: handoff\n\nNext steps: x'), {
      kind: 'continuity',
      action: 'save',
      handoff: true,
      content: 'Next steps: x',
    })
    assert.deepEqual(parseOutboxFile('TO: backend:lead\nTHREAD: auth\n\nq?'), {kind: 'message', to: 'backend:lead', thread: 'auth', body: 'q?'})
  })

  it('names what is wrong with a bad one', () => {
    assert.throws(() => parseOutboxFile('hello'), /no KIND: header/)
    assert.throws(() => parseOutboxFile('KIND: continuity\nACTION: fly\n'), /unknown ACTION 'fly'/)
    assert.throws(() => parseOutboxFile('KIND: continuity\nACTION: search\n'), /a search needs a query/)
    assert.throws(() => parseOutboxFile('TO: a:b\n\n'), /has no text/)
  })
})
