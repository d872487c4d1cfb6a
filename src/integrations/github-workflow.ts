import {readdirSync, readFileSync} from 'node:fs'
import {createRequire} from 'node:module'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'
import type {Check} from '../model/results.js'
import {deleteInstallFile, readInstallFile, resolveInstallFile, writeInstallFile, type InstallRoot} from './files.js'
import type {InstalledFile, Installer} from './installers.js'

// The GitHub workflow `trail init --github` installs (DESIGN.md section 6): a read-only `pull_request` job renders
// the review of the pull request's range into the job summary and an artifact; a `workflow_run` job, which never
// checks out or runs the pull request's code, turns that artifact into one comment on the pull request. The
// template is templates/github/trail-review.yml; the package version it installs is this one's.

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..')
export const WORKFLOW_PATH = '.github/workflows/trail-review.yml'
/** The line that marks the workflow file as ours (a file of the same name without it is the user's, left alone). */
const MARKER = '# Installed by `trail init --github`'

/** The version of relay-trail the workflow installs: this one. */
export function packageVersion(): string {
  return (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {version: string}).version
}

/** The workflow's text, for relay-trail at `version`. */
export function renderWorkflow(version = packageVersion()): string {
  return readFileSync(join(ROOT, 'templates', 'github', 'trail-review.yml'), 'utf8').replaceAll('{{version}}', version)
}

function install(root: InstallRoot): InstalledFile[] {
  const file = resolveInstallFile(root, WORKFLOW_PATH)
  const path = join(root.workTree, WORKFLOW_PATH)
  const previous = readInstallFile(file)
  const next = renderWorkflow()
  if (previous === next) return [{path, action: 'unchanged'}]
  if (previous !== null && !previous.includes(MARKER)) return [{path, action: 'unchanged'}]
  writeInstallFile(file, next)
  return [{path, action: previous === null ? 'created' : 'updated'}]
}

function remove(root: InstallRoot): InstalledFile[] {
  const file = resolveInstallFile(root, WORKFLOW_PATH)
  const path = join(root.workTree, WORKFLOW_PATH)
  const previous = readInstallFile(file)
  if (previous === null || !previous.includes(MARKER)) return [{path, action: 'unchanged'}]
  deleteInstallFile(file)
  return [{path, action: 'deleted'}]
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
    names = readdirSync(dir).filter((name) => /\.ya?ml$/.test(name)).sort()
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
      fix: 'run untrusted code in a pull_request workflow (read-only) and do the privileged part in a workflow_run one, as .github/workflows/trail-review.yml does',
    },
  ]
}

type Yaml = Record<string, unknown>

/** The jobs of a workflow that runs on pull_request_target and checks out, fetches or runs the pull request's head. */
export function pwnRequestJobs(text: string): string[] {
  let workflow: unknown
  try {
    const {parse} = createRequire(import.meta.url)('yaml') as typeof import('yaml')
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
  files: () => [WORKFLOW_PATH],
  install: (root) => install(root),
  remove,
  doctor: (root) => doctor(root),
}
