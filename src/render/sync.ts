import type {CloneSyncResult, PushSetup} from '../model/results.js'
import {printableLine, type OutputStyle} from './style.js'

export function cloneSyncText(sync: CloneSyncResult, _style: OutputStyle): string {
  // The remote is what the user typed (a path, a URL), the ids are the records': each shown on one line.
  const result = {
    ...sync,
    remote: printableLine(sync.remote),
    merged: sync.merged.map((id) => printableLine(id)),
    kept: sync.kept.map((id) => printableLine(id)),
  }
  const lines: string[] = []
  const short = result.tip?.slice(0, 12) ?? 'none'
  switch (result.action) {
    case 'adopted':
      lines.push(`Adopted the records of ${result.remote} (commit ${short}).`)
      break
    case 'fast-forward':
      lines.push(`Fast-forwarded to the records of ${result.remote} (commit ${short}).`)
      break
    case 'merged':
      lines.push(`Merged the records of ${result.remote} with this clone's (commit ${short}).`)
      break
    default:
      if (result.pushed) lines.push(result.remoteHadStore ? `${result.remote} was behind this clone.` : `${result.remote} had no records yet.`)
      else if (result.remoteHadStore) lines.push(`Up to date with ${result.remote} (commit ${short}).`)
      else lines.push(result.tip === null ? `Neither this clone nor ${result.remote} has records yet.` : `${result.remote} has no records yet.`)
  }
  if (result.merged.length > 0) lines.push(`Merged by meaning (changed on both sides): ${result.merged.join(', ')}`)
  if (result.kept.length > 0) lines.push(`Changed on both sides and kept as this clone had them: ${result.kept.join(', ')}`)
  if (result.pushed)
    lines.push(`Pushed refs/trail/records to ${result.remote}${result.rounds > 1 ? ` (after ${result.rounds} rounds: it moved meanwhile)` : ''}.`)
  if (result.leftOut.length > 0)
    lines.push(
      `Left out ${result.leftOut.length} ${result.leftOut.length === 1 ? 'entry' : 'entries'} of ${result.remote} that do not fit this store (see the warnings).`,
    )
  if (result.pushBlocked) lines.push(`Nothing pushed to ${result.remote}: its records must be repaired first (see the warnings).`)
  return `${lines.join('\n')}\n`
}

export function pushSetupText(push: PushSetup): string {
  const setup = {...push, remote: printableLine(push.remote)}
  if (setup.added.length === 0) return `Plain git fetch and git push already carry the records with ${setup.remote}.\n`
  const lines = [`Configured ${setup.remote} so plain git fetch and git push carry the records:`, ...setup.added.map((spec) => `  ${spec}`)]
  if (setup.added.includes('HEAD')) lines.push(`git push now pushes the current branch (as push.default=current does) and the records.`)
  lines.push(`When git push says the records were rejected, another clone wrote some first: run trail sync.`)
  return `${lines.join('\n')}\n`
}
