import assert from 'node:assert/strict'
import {describe, it} from 'node:test'
import {confidenceLevel, describeConfidence, parseConfidence} from '../../src/model/confidence.js'
import {parseAgentName, parseOutboxFileName, resolveAgentName} from '../../src/model/names.js'
import {parseCount, parseSince} from '../../src/model/time.js'
import {parseAlternatives, parseTaskUrl, parseTitle} from '../../src/model/trajectory.js'
import {UsageError} from '../../src/errors.js'

describe('confidence', () => {
  it('accepts numbers from 0 to 1 and names their level by the spec rubric', () => {
    for (const [raw, value, level] of [
      ['0.95', 0.95, 'high'],
      ['0.9', 0.9, 'high'],
      ['0.85', 0.85, 'good'],
      ['0.7', 0.7, 'good'],
      ['0.6', 0.6, 'some uncertainty'],
      ['0.5', 0.5, 'some uncertainty'],
      ['0.3', 0.3, 'needs review'],
      ['0', 0, 'needs review'],
      ['1', 1, 'high'],
      ['.5', 0.5, 'some uncertainty'],
    ] as const) {
      assert.equal(parseConfidence(raw), value)
      assert.equal(confidenceLevel(value), level)
    }
    assert.equal(describeConfidence(0.85), '0.85 (good)')
  })

  it('refuses anything else with the rubric in the hint', () => {
    for (const raw of ['1.5', '-0.1', 'high', '', 'NaN', 'Infinity', '0x1', '1e-1', '85%']) {
      assert.throws(
        () => parseConfidence(raw),
        (error: UsageError) => error.code === 'E_CONFIDENCE' && /0.9\+ high/.test(error.hint ?? ''),
      )
    }
  })
})

describe('names', () => {
  it('accepts agent names made of letters, digits, dot, dash and underscore', () => {
    for (const name of ['claude', 'Designer', 'agent-1', 'a.b_c', '7']) assert.equal(parseAgentName(name), name)
  })

  it('refuses names that could escape a folder or break a ref', () => {
    for (const name of ['', '../x', 'a/b', '..', '.hidden', '-flag', 'a..b', 'x.lock', 'a b', 'x'.repeat(65), 'é']) {
      assert.throws(
        () => parseAgentName(name),
        (error: UsageError) => error.code === 'E_NAME',
      )
    }
  })

  it('resolves the agent from --agent, then $AGENT_RELAY_NAME, then $TRAIL_AGENT, then default', () => {
    assert.equal(resolveAgentName('flag', {AGENT_RELAY_NAME: 'relay', TRAIL_AGENT: 'trail'}), 'flag')
    assert.equal(resolveAgentName(undefined, {AGENT_RELAY_NAME: 'relay', TRAIL_AGENT: 'trail'}), 'relay')
    assert.equal(resolveAgentName(undefined, {AGENT_RELAY_NAME: '', TRAIL_AGENT: 'trail'}), 'trail')
    assert.equal(resolveAgentName(undefined, {}), 'default')
  })

  it('allows outbox file names of the spec only', () => {
    assert.equal(parseOutboxFileName('continuity'), 'continuity')
    for (const name of ['../../etc/passwd', 'a.b', '', 'a b']) assert.throws(() => parseOutboxFileName(name), UsageError)
  })
})

describe('dates and counts', () => {
  const now = new Date('2026-11-21T12:00:00Z')
  it('read dates, times and spans', () => {
    assert.equal(parseSince('2026-11-01', now).toISOString(), '2026-11-01T00:00:00.000Z')
    assert.equal(parseSince('2026-11-01T09:30:00Z', now).toISOString(), '2026-11-01T09:30:00.000Z')
    assert.equal(parseSince('3d', now).toISOString(), '2026-11-18T12:00:00.000Z')
    assert.equal(parseSince('12h', now).toISOString(), '2026-11-21T00:00:00.000Z')
    assert.equal(parseSince('2 weeks ago', now).toISOString(), '2026-11-07T12:00:00.000Z')
    assert.equal(parseSince('yesterday', now).toISOString(), '2026-11-20T00:00:00.000Z')
    assert.throws(() => parseSince('last tuesday', now), /cannot read the date/)
  })

  it('read counts', () => {
    assert.equal(parseCount('20', '--limit'), 20)
    for (const raw of ['0', '-1', 'ten', '1.5', '']) assert.throws(() => parseCount(raw, '--limit'), /--limit must be a whole number/)
  })
})

describe('trajectory values', () => {
  it('refuse an empty or over-long title, and keep any other exactly', () => {
    assert.throws(() => parseTitle('   '), /empty/)
    assert.throws(() => parseTitle('x'.repeat(1001)), /1001 characters long; the limit is 1000/)
    assert.equal(parseTitle(' spaced \u001b title '), ' spaced \u001b title ')
  })

  it('split alternatives on commas', () => {
    assert.deepEqual(parseAlternatives('Redis, SQS,,Kafka '), ['Redis', 'SQS', 'Kafka'])
    assert.deepEqual(parseAlternatives(undefined), [])
  })

  it('accept links with a scheme only', () => {
    assert.equal(parseTaskUrl('https://example.com/x'), 'https://example.com/x')
    assert.throws(() => parseTaskUrl('not a url'), /not a URL/)
  })
})
