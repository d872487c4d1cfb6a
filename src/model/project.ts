import {parseAgentName, parseProjectName, type AgentName, type ProjectName} from './names.js'
import {compact, FieldReader, renderYamlRecord, type Extensible} from './record.js'

// A project's identity in bridge mode (.relay/project.yaml): its id, which siblings put before ":" to address its
// agents, and its lead, whom "project:lead" reaches. Written by its own project only.

export interface Project extends Extensible {
  id: ProjectName
  lead?: AgentName
  updated?: string
}

export function renderProject(project: Project): string {
  return renderYamlRecord(project, (p) => ({id: p.id, lead: p.lead, updated: p.updated}))
}

export function parseProject(text: string, path: string): Project {
  const r = FieldReader.fromYaml(text, path)
  return compact({
    id: r.name('id', parseProjectName),
    lead: r.has('lead') ? r.name('lead', parseAgentName) : undefined,
    updated: r.optionalString('updated'),
    extra: r.rest(),
  })
}

/**
 * The id a project gets when none is set: its folder's name, made a valid project id ("My App" → "My-App").
 *
 * @example defaultProjectId('/home/me/shared-lib') // 'shared-lib'
 */
export function defaultProjectId(folder: string): ProjectName {
  const base = folder
    .replace(/\/+$/, '')
    .split('/')
    .pop()!
    .replace(/\.git$/, '')
  const cleaned = base
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/^[^A-Za-z0-9]+/, '')
    .replace(/\.+$/, '')
    .replace(/\.\.+/g, '.')
    .slice(0, 64)
  return parseProjectName(cleaned === '' || cleaned.toLowerCase().endsWith('.lock') ? 'project' : cleaned)
}
