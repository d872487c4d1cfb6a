import type {ProjectInfo, Sibling} from '../model/results.js'
import {table, type OutputStyle} from './style.js'
import {withoutCredentials} from '../model/redact.js'

export interface ProjectJson {
  id: string
  lead: string | null
  /** True when no project.yaml was written yet: the id is the repository folder's name. */
  isDefault: boolean
}

export function projectJson(info: ProjectInfo): ProjectJson {
  return {id: info.project.id, lead: info.project.lead ?? null, isDefault: info.isDefault}
}

export function projectText(info: ProjectInfo): string {
  const lead = info.project.lead ? `lead ${info.project.lead}` : 'no lead (project:lead reaches nobody; set one with: relay project --lead <agent>)'
  return `${info.project.id}${info.isDefault ? " (the repository folder's name; set one with: relay project --id <name>)" : ''}\n${lead}\n`
}

export interface SiblingJson {
  name: string
  url: string
  lead: string | null
  ref: string
  synced: boolean
}

export function siblingJson(sibling: Sibling): SiblingJson {
  return {name: sibling.name, url: withoutCredentials(sibling.url), lead: sibling.lead ?? null, ref: sibling.ref, synced: sibling.tip !== null}
}

export function siblingsText(siblings: readonly Sibling[], style: OutputStyle): string {
  if (siblings.length === 0) return style.isTTY ? 'No siblings. Add one with: relay bridge add <name> <path|url>\n' : ''
  const rows = siblings.map((s) => [s.name, withoutCredentials(s.url), s.lead ?? '-', s.tip === null ? 'not synced' : 'synced'])
  return table(rows, style, style.isTTY ? ['NAME', 'LOCATION', 'LEAD', 'STATE'] : undefined)
}
