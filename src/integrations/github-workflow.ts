import {readdirSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {packagePath, packageVersion} from '../package-files.js'
import type {Check} from '../model/results.js'
import {deleteInstallFile, readInstallFile, resolveInstallFile, writeInstallFile, type InstallRoot} from './files.js'
import type {InstalledFile, Installer} from './installers.js'
import {onFirstUse} from '../lazy-module.js'

const yaml = onFirstUse<typeof import('yaml')>('yaml')

// The GitHub workflows `trail init --github` installs (DESIGN.md section 6): a read-only `pull_request` job renders
// the review of the pull request's range into the job summary and an artifact (trail-review.yml); a `workflow_run`
// job, which never checks out or runs the pull request's code, turns that artifact into one comment on the pull
// request (trail-review-comment.yml). Two files, not one: a workflow that listened to its own `workflow_run` would
// start a third, empty run after every comment. Templates in templates/github/; the relay-trail version they
// install is this one's.

export const WORKFLOW_FILES = ['trail-review.yml', 'trail-review-comment.yml'] as const
/** The line that marks the workflow file as ours (a file of the same name without it is the user's, left alone). */
const MARKER = '# Installed by `trail init --github`'

/** A workflow's text, for relay-trail at `version`. */
export function renderWorkflow(name: (typeof WORKFLOW_FILES)[number], version = packageVersion()): string {
  return readFileSync(packagePath('templates', 'github', name), 'utf8').replaceAll('{{version}}', version)
}

function install(root: InstallRoot): InstalledFile[] {
  // Both files are read and checked before either is written.
  const plans = WORKFLOW_FILES.map((name) => {
    const relative = `.github/workflows/${name}`
    const file = resolveInstallFile(root, relative)
    return {name, file, path: join(root.workTree, relative), previous: readInstallFile(file)}
  })
  return plans.map(({name, file, path, previous}): InstalledFile => {
    const next = renderWorkflow(name)
    // A file of that name that we did not write is the user's: left alone.
    if (previous === next || (previous !== null && !previous.includes(MARKER))) return {path, action: 'unchanged'}
    writeInstallFile(file, next)
    return {path, action: previous === null ? 'created' : 'updated'}
  })
}

function remove(root: InstallRoot): InstalledFile[] {
  return WORKFLOW_FILES.map((name): InstalledFile => {
    const relative = `.github/workflows/${name}`
    const file = resolveInstallFile(root, relative)
    const path = join(root.workTree, relative)
    const previous = readInstallFile(file)
    if (previous === null || !previous.includes(MARKER)) return {path, action: 'unchanged'}
    deleteInstallFile(file)
    return {path, action: 'deleted'}
  })
}

/**
 * `trail doctor`: every workflow of the repository that runs on `pull_request_target` (with the base repository's
 * secrets and a write token) and checks out or fetches the pull request's head: the "pwn request" GitHub's security
 * guide warns of, where the pull request's code runs with those rights.
 */
function doctor(root: InstallRoot): Check[] {
  const dir = join(root.workTree, '.github', 'workflows')
  let names: string[]
  try {
    names = readdirSync(dir)
      .filter((name) => /\.ya?ml$/.test(name))
      .sort()
  } catch {
    return []
  }
  const risky = names.flatMap((name) => {
    let text: string
    try {
      text = readFileSync(join(dir, name), 'utf8')
    } catch {
      return []
    }
    const jobs = pwnRequestJobs(text)
    return jobs.map((job) => `.github/workflows/${name} (job ${job})`)
  })
  if (risky.length === 0) return []
  return [
    {
      name: 'workflows',
      status: 'warning',
      message: `a pull_request_target workflow checks out the pull request's head, so its code runs with the base repository's secrets and write token: ${risky.join(', ')}`,
      fix: 'run untrusted code in a pull_request workflow (read-only) and do the privileged part in a workflow_run one, as trail-review.yml and trail-review-comment.yml do',
    },
  ]
}

type Yaml = Record<string, unknown>

/** The jobs of a workflow that runs on pull_request_target and checks out, fetches or runs the pull request's head. */
export function pwnRequestJobs(text: string): string[] {
  let workflow: unknown
  try {
    const {parse} = yaml()
    workflow = parse(text)
  } catch {
    return []
  }
  if (workflow === null || typeof workflow !== 'object') return []
  const on = (workflow as Yaml).on ?? (workflow as Yaml).true
  const events = typeof on === 'string' ? [on] : Array.isArray(on) ? on : on !== null && typeof on === 'object' ? Object.keys(on) : []
  if (!events.includes('pull_request_target')) return []
  const head = /github\.event\.pull_request\.head\.(sha|ref)|github\.head_ref|refs\/pull\/|pull\/\$\{\{|gh pr checkout|\bpr checkout\b/
  const jobs = (workflow as Yaml).jobs
  if (jobs === null || typeof jobs !== 'object') return []
  return Object.entries(jobs as Yaml).flatMap(([name, job]) => {
    const steps = (job as Yaml | null)?.steps
    if (!Array.isArray(steps)) return []
    const checksOut = steps.some((step: Yaml | null) => {
      if (step === null || typeof step !== 'object') return false
      const uses = typeof step.uses === 'string' ? step.uses : ''
      const withs = (step.with ?? {}) as Yaml
      if (/^actions\/checkout@/.test(uses) && (head.test(String(withs.ref ?? '')) || head.test(String(withs.repository ?? '')))) return true
      const run = typeof step.run === 'string' ? step.run : ''
      return /\bgit\b[^\n]*\b(checkout|fetch|switch|merge)\b/.test(run) ? head.test(run) : /gh pr checkout/.test(run)
    })
    return checksOut ? [name] : []
  })
}

export const GITHUB_WORKFLOW_INSTALLER: Installer = {
  name: 'github',
  label: 'GitHub workflow',
  files: () => WORKFLOW_FILES.map((name) => `.github/workflows/${name}`),
  install: (root) => install(root),
  remove,
  doctor: (root) => doctor(root),
}
