import {alignColumns, paint, printableLine, type OutputStyle} from './style.js'
import type {InitResult, Check, DoctorResult} from '../model/results.js'

export function initText(result: InitResult, style: OutputStyle): string {
  const lines = [
    result.created
      ? `Created the record store at ${result.ref} (commit ${result.tip.slice(0, 12)}).`
      : `The record store at ${result.ref} is already set up (commit ${result.tip.slice(0, 12)}).`,
  ]
  if (result.mirror !== null) {
    lines.push(`Records are mirrored into ${printableLine(result.mirror)}/.trail and .relay (listed in .git/info/exclude).`)
    if (result.mirrored > 0) lines.push(`The mirror caught up: ${result.mirrored} files written or removed.`)
  } else {
    lines.push('This is a bare repository: records live on the ref only (no mirror).')
  }
  if (result.identity.isFallback) {
    lines.push(
      paint(style, 'yellow', 'warning:') +
        ` git has no identity here; records are committed as ${printableLine(result.identity.name)} <${printableLine(result.identity.email)}>.` +
        ' Set yours with: git config --global user.email "you@example.com"',
    )
  }
  lines.push('Next: trail start "<what you are working on>"')
  return `${lines.join('\n')}\n`
}

export interface InitJson {
  created: boolean
  ref: string
  tip: string
  mirror: string | null
  identity: {name: string; email: string; fallback: boolean}
}

export function initJson(result: InitResult): InitJson {
  return {
    created: result.created,
    ref: result.ref,
    tip: result.tip,
    mirror: result.mirror,
    identity: {name: result.identity.name, email: result.identity.email, fallback: result.identity.isFallback},
  }
}

const MARKS: Record<Check['status'], [string, 'green' | 'yellow' | 'red' | 'cyan']> = {
  ok: ['ok', 'green'],
  warning: ['warn', 'yellow'],
  problem: ['FAIL', 'red'],
  fixed: ['fixed', 'cyan'],
}

export function doctorText(result: DoctorResult, style: OutputStyle): string {
  const rows = alignColumns(result.checks.map((check) => [paint(style, MARKS[check.status][1], MARKS[check.status][0]), check.name, check.message]))
  const lines = result.checks.map((check, index) => {
    // A check's message may quote a path on the ref, and a path may hold a line break.
    const fix = check.fix && check.status !== 'ok' ? `\n        fix: ${printableLine(check.fix)}` : ''
    return `${rows[index]}${fix}`
  })
  lines.push(result.healthy ? 'No problems found.' : 'Problems found: see the fix lines above, or run: trail doctor --fix')
  return `${lines.join('\n')}\n`
}

export interface DoctorJson {
  healthy: boolean
  checks: {name: string; status: string; message: string; fix: string | null}[]
}

export function doctorJson(result: DoctorResult): DoctorJson {
  return {healthy: result.healthy, checks: result.checks.map((check) => ({...check, fix: check.fix ?? null}))}
}
