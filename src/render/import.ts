import {counted} from '../model/names.js'
import type {ImportResult} from '../services/import.js'
import {shownPath} from '../services/import.js'
import {printableLine} from './style.js'

// `trail import`'s summary: what was imported, what was there already, and every file that could not be, with why.

export interface ImportJson {
  dryRun: boolean
  folders: string[]
  imported: {id: string; legacyId: string; title: string; status: string; events: number; updated: boolean}[]
  alreadyThere: number
  unreadable: {path: string; problem: string}[]
  commit: string | null
  /** True when the records are on the ref but not yet in .trail/ and .relay/ (a large import): trail init writes them. */
  mirrorDeferred: boolean
}

export function importJson(result: ImportResult): ImportJson {
  return {
    dryRun: result.dryRun,
    folders: result.folders,
    imported: result.imported,
    alreadyThere: result.alreadyThere,
    unreadable: result.unreadable,
    commit: result.commit,
    mirrorDeferred: result.mirrorDeferred,
  }
}

export function importText(result: ImportResult, cwd: string): string {
  const added = result.imported.filter((t) => !t.updated)
  const updated = result.imported.filter((t) => t.updated)
  const events = result.imported.reduce((sum, t) => sum + t.events, 0)
  const verb = result.dryRun ? 'would import' : 'imported'
  const lines = [`from ${result.folders.map((folder) => shownPath(cwd, folder)).join(', ')}:`]
  lines.push(`  ${verb} ${plural(added.length)} and ${counted(events, 'event')}`)
  if (updated.length > 0) lines.push(`  ${result.dryRun ? 'would add' : 'added'} what the old tool wrote since the last import to ${plural(updated.length)}`)
  lines.push(`  already there: ${plural(result.alreadyThere)}`)
  if (result.unreadable.length > 0) {
    lines.push(`  unreadable: ${counted(result.unreadable.length, 'file')}`)
    for (const file of result.unreadable) lines.push(`    ${printableLine(shownPath(cwd, file.path), 200)}: ${printableLine(file.problem, 300)}`)
  }
  if (result.commit) lines.push(`  in one commit: ${result.commit.slice(0, 12)} (git log refs/trail/records)`)
  if (result.mirrorDeferred) {
    lines.push('  every command sees them now; the .trail/ and .relay/ folders are not written for so many files: trail init writes them')
  }
  return `${lines.join('\n')}\n`
}

function plural(count: number): string {
  return `${count} ${count === 1 ? 'trajectory' : 'trajectories'}`
}
