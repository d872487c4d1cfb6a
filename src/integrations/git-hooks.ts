import {chmodSync, existsSync, lstatSync, readFileSync, renameSync, statSync, unlinkSync} from 'node:fs'
import {join} from 'node:path'
import {packagePath} from '../package-files.js'
import {UsageError} from '../errors.js'
import {writeFileAtomic} from '../files.js'
import type {Check} from '../model/results.js'
import type {InstallRoot} from './files.js'
import type {InstalledFile, Installer} from './installers.js'
import {resolvesExecutable, shellCommand, splitShellWords, trailCommandWords} from './relay-command.js'

// The git hooks `trail init --hooks` installs (DESIGN.md section 6): prepare-commit-msg adds the Trajectory
// trailer, post-commit and post-rewrite record links (../services/commit-links.ts). They go where git runs hooks
// from (core.hooksPath, else the common git dir's hooks/); a hook already there is kept beside ours as
// `<name>.before-trail` and runs first, with the same arguments and input, and its exit status is the hook's.
// Ours only ever warns: a commit never fails or waits because of relay-trail. `trail init --remove hooks` puts
// the kept hook back.

/** The hooks installed, in the order git runs them in a commit. */
export const GIT_HOOKS = ['prepare-commit-msg', 'post-commit', 'post-rewrite'] as const
export type GitHookName = (typeof GIT_HOOKS)[number]

/** The line that marks a hook file as ours. */
const MARKER = '# relay-trail git hook: '
/** The suffix of the user's hook we replaced. */
export const CHAINED_SUFFIX = '.before-trail'

const TEMPLATE = packagePath('templates', 'git-hooks', 'hook.sh')

/** What each hook runs after the one it chains to. `$1`... are git's arguments to the hook. */
function hookBody(hook: GitHookName, command: string): string {
  // Only a commit made in an agent's session can be linked to a trajectory: a person's commit (no agent named in
  // the environment) costs nothing more than this test.
  // biome-ignore lint/suspicious/noTemplateCurlyInString: shell parameter expansion, not a template
  const agentNamed = '[ -n "${AGENT_RELAY_NAME:-}${TRAIL_AGENT:-}" ]'
  switch (hook) {
    case 'prepare-commit-msg':
      return [
        'status=0',
        'if [ -x "$chained" ]; then "$chained" "$@"; status=$?; fi',
        `if [ "$status" -eq 0 ] && ${agentNamed}; then`,
        `  ${command} hook-git prepare-commit-msg --message-file "$1" --source "\${2:-}" </dev/null || true`,
        'fi',
        'exit "$status"',
      ].join('\n')
    case 'post-commit':
      return [
        'status=0',
        'if [ -x "$chained" ]; then "$chained" "$@"; status=$?; fi',
        `if ${agentNamed}; then`,
        `  ${command} hook-git post-commit </dev/null || true`,
        'fi',
        'exit "$status"',
      ].join('\n')
    case 'post-rewrite':
      // git gives "<old> <new>" lines on stdin: both hooks read them. Anyone's rewrite carries links over.
      return [
        'input=$(cat)',
        'status=0',
        `if [ -x "$chained" ]; then printf '%s\\n' "$input" | "$chained" "$@"; status=$?; fi`,
        `printf '%s\\n' "$input" | ${command} hook-git post-rewrite --kind "\${1:-}" || true`,
        'exit "$status"',
      ].join('\n')
  }
}

/** The text of one of our hooks, running this installation's trail by absolute paths. */
export function renderGitHook(hook: GitHookName): string {
  const command = shellCommand(trailCommandWords())
  return readFileSync(TEMPLATE, 'utf8').replaceAll('{{hook}}', hook).replace('{{body}}', hookBody(hook, command))
}

function isOurs(path: string): boolean {
  try {
    return lstatSync(path).isFile() && readFileSync(path, 'utf8').includes(MARKER)
  } catch {
    return false
  }
}

function exists(path: string): boolean {
  try {
    lstatSync(path)
    return true
  } catch {
    return false
  }
}

function hooksDirOf(root: InstallRoot): string {
  if (root.hooksDir === undefined) throw new UsageError('the git hooks folder is unknown here', 'run trail init --hooks inside the repository')
  return root.hooksDir
}

function install(root: InstallRoot): InstalledFile[] {
  const dir = hooksDirOf(root)
  // Every hook is checked before any is written: a hook that cannot be chained stops the install untouched.
  for (const hook of GIT_HOOKS) {
    const path = join(dir, hook)
    if (exists(path) && !isOurs(path) && exists(path + CHAINED_SUFFIX)) {
      throw new UsageError(
        `cannot install the ${hook} hook: ${path} is not ours, and ${path}${CHAINED_SUFFIX} is taken`,
        `move one of them away, then run trail init --hooks again`,
        'E_SETTINGS',
      )
    }
  }
  return GIT_HOOKS.map((hook) => {
    const path = join(dir, hook)
    const text = renderGitHook(hook)
    if (isOurs(path)) {
      if (readFileSync(path, 'utf8') === text && (statSync(path).mode & 0o111) !== 0) return {path, action: 'unchanged'}
      writeFileAtomic(path, text)
      chmodSync(path, 0o755)
      return {path, action: 'updated'}
    }
    if (exists(path)) renameSync(path, path + CHAINED_SUFFIX)
    writeFileAtomic(path, text)
    chmodSync(path, 0o755)
    return {path, action: exists(path + CHAINED_SUFFIX) ? 'updated' : 'created'}
  })
}

function remove(root: InstallRoot): InstalledFile[] {
  const dir = hooksDirOf(root)
  return GIT_HOOKS.map((hook) => {
    const path = join(dir, hook)
    if (!isOurs(path)) return {path, action: 'unchanged'}
    unlinkSync(path)
    if (exists(path + CHAINED_SUFFIX)) {
      renameSync(path + CHAINED_SUFFIX, path)
      return {path, action: 'updated'}
    }
    return {path, action: 'deleted'}
  })
}

/** `trail doctor`: our hooks, when installed, still start an existing node and trail. */
function doctor(root: InstallRoot, env: Readonly<Record<string, string | undefined>>): Check[] {
  if (root.hooksDir === undefined) return []
  const installed = GIT_HOOKS.filter((hook) => isOurs(join(root.hooksDir!, hook)))
  if (installed.length === 0) return []
  const broken: string[] = []
  for (const hook of installed) {
    const text = readFileSync(join(root.hooksDir, hook), 'utf8')
    const line = text.split('\n').find((row) => row.includes(' hook-git '))
    const [node, script] = splitShellWords(line?.trim() ?? '')
    if (node === undefined || resolvesExecutable(node, env) === null) broken.push(`${hook}: ${node ?? 'no command'} not found`)
    else if (script !== undefined && !existsSync(script)) broken.push(`${hook}: ${script} not found`)
  }
  if (broken.length > 0)
    return [
      {name: 'git-hooks', status: 'problem', message: `git hooks that cannot run (commits are not linked): ${broken.join('; ')}`, fix: 'trail init --hooks'},
    ]
  const missing = GIT_HOOKS.filter((hook) => !installed.includes(hook))
  if (missing.length > 0)
    return [{name: 'git-hooks', status: 'warning', message: `git hooks missing: ${missing.join(', ')} (in ${root.hooksDir})`, fix: 'trail init --hooks'}]
  return [{name: 'git-hooks', status: 'ok', message: `${installed.length} git hooks installed in ${root.hooksDir}, and each resolves`}]
}

export const GIT_HOOKS_INSTALLER: Installer = {
  name: 'hooks',
  label: 'git hooks',
  files: () => [...GIT_HOOKS],
  install: (root) => install(root),
  remove,
  doctor,
}
