import {UsageError} from '../errors.js'
import {quoteInput} from './text.js'

// The spec's rubric: 0.9+ high, 0.7-0.9 good, 0.5-0.7 some uncertainty, below 0.5 needs review.

export type ConfidenceLevel = 'high' | 'good' | 'some uncertainty' | 'needs review'

/** Parses a confidence typed by a user: a number from 0 to 1 ("0.85", ".9", "1"). */
export function parseConfidence(raw: string): number {
  const text = raw.trim()
  const value = /^(\d+(\.\d*)?|\.\d+)$/.test(text) ? Number(text) : Number.NaN
  if (!(value >= 0 && value <= 1)) {
    throw new UsageError(
      `confidence must be a number from 0 to 1, got '${quoteInput(raw, 20)}'`,
      'for example --confidence 0.85 (0.9+ high, 0.7-0.9 good, 0.5-0.7 some uncertainty, <0.5 needs review)',
      'E_CONFIDENCE',
    )
  }
  return value
}

export function confidenceLevel(value: number): ConfidenceLevel {
  if (value >= 0.9) return 'high'
  if (value >= 0.7) return 'good'
  if (value >= 0.5) return 'some uncertainty'
  return 'needs review'
}

/** "0.85 (good)": the number with its rubric level, as every output shows it. */
export function describeConfidence(value: number): string {
  return `${value} (${confidenceLevel(value)})`
}
