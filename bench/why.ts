import {execFileSync} from 'node:child_process'
import {rmSync} from 'node:fs'
import {join} from 'node:path'
import {
  benchEnv,
  figure,
  markdownTable,
  mean,
  measure,
  median,
  msFigure,
  NODE_BASELINE,
  perRound,
  ratioFigure,
  RELAY,
  samplesOf,
  TRAIL,
  type Step,
} from './harness.js'
import {buildLinkedHistory} from './review.js'

// Claims of issue 15, at 0 and 10,000 trajectories, on the linked history of ./review.ts:
// - `trail why path:line` costs at most 2x (`git blame -L` of the same lines + `node -e 0`);
// - the edit hook (Claude Code's PreToolUse, run as Claude Code runs it) adds at most 50 ms to an edit: its time
//   beyond `node -e 0`, for a file's first edit in a session (decisions looked up), for a later one (nothing), for a
//   file whose history has no recorded decision (a person's commit), for a new file, and for a first edit in a later
//   session at the same HEAD (the file's history remembered: no git process). The path index of the commit links
//   (.git/trail/why-paths.json) is built by the first round and fresh in the others: the store does not move.

export async function benchWhy(rounds: number, sizes: readonly number[]): Promise<string> {
  const rows: string[][] = []
  for (const size of sizes) {
    process.stderr.write(`building a linked history in a store of ${size} trajectories...\n`)
    const {dir, file} = await buildLinkedHistory(size)
    try {
      const env = benchEnv({
        GIT_CONFIG_NOSYSTEM: '1',
        GIT_AUTHOR_NAME: 'Bench',
        GIT_AUTHOR_EMAIL: 'bench@example.com',
        GIT_COMMITTER_NAME: 'Bench',
        GIT_COMMITTER_EMAIL: 'bench@example.com',
      })
      execFileSync(process.execPath, [TRAIL, 'init', '--claude', '--no-mcp'], {cwd: dir, env, stdio: 'ignore'})
      const payload = (path: string) =>
        JSON.stringify({
          session_id: 'bench0001-0000',
          cwd: dir,
          hook_event_name: 'PreToolUse',
          tool_name: 'Edit',
          tool_input: {file_path: join(dir, path), old_string: 'a', new_string: 'b'},
        })
      const hook = `${process.execPath} ${RELAY} hook claude pre-edit`
      const sessions = join(dir, '.git', 'trail', 'sessions')
      const histories = join(dir, '.git', 'trail', 'why-history')
      const steps: Step[] = [
        {...NODE_BASELINE, cwd: dir},
        {name: 'git blame -L 3,5', argv: ['git', 'blame', '-L', '3,5', file], cwd: dir},
        {name: 'trail why path:3-5', argv: [process.execPath, TRAIL, 'why', `${file}:3-5`], cwd: dir, env},
        {name: 'trail why path (whole file)', argv: [process.execPath, TRAIL, 'why', file], cwd: dir, env},
        // A new session, and no history remembered for HEAD (.git/trail/why-history): each file's log is read.
        {name: 'forget the session', argv: ['rm', '-rf', sessions, histories], cwd: dir, timed: false},
        {name: 'edit hook, first edit of the file', argv: ['/bin/sh', '-c', hook], cwd: dir, env, input: payload(file)},
        {name: 'edit hook, file already shown', argv: ['/bin/sh', '-c', hook], cwd: dir, env, input: payload(file)},
        // README.md: a person's commit, no decision recorded; src/new.js: a file the agent creates.
        {name: 'edit hook, file with no decisions', argv: ['/bin/sh', '-c', hook], cwd: dir, env, input: payload('README.md')},
        {name: 'edit hook, new file', argv: ['/bin/sh', '-c', hook], cwd: dir, env, input: payload('src/new.js')},
        // A later session at the same HEAD: the file's history is remembered.
        {name: 'forget the session again', argv: ['rm', '-rf', sessions], cwd: dir, timed: false},
        {name: 'edit hook, first edit in a later session', argv: ['/bin/sh', '-c', hook], cwd: dir, env, input: payload(file)},
      ]
      const times = measure(steps, rounds)
      const node = samplesOf(times, 'node -e 0')
      const blame = samplesOf(times, 'git blame -L 3,5')
      const why = samplesOf(times, 'trail why path:3-5')
      const n = node.length
      // Per round: why over (blame + node) of the same round; the hook's time beyond node -e 0 of the same round.
      const overBlame = ratioFigure(perRound(n, (round) => why[round]! / (blame[round]! + node[round]!)))
      const beyondNode = (name: string) => {
        const hook = samplesOf(times, name)
        const extra = perRound(n, (round) => hook[round]! - node[round]!)
        return `${median(hook).toFixed(1)} ms (+${median(extra).toFixed(1)} ms over node -e 0, mean +${mean(extra).toFixed(1)} ms)`
      }
      const size_ = size.toLocaleString('en')
      rows.push(
        [size_, 'node -e 0', msFigure(node)],
        [size_, 'git blame -L 3,5', figure(times, 'git blame -L 3,5', 'node -e 0')],
        [size_, 'trail why path:3-5', `${median(why).toFixed(1)} ms (${overBlame} blame + node)`],
        [size_, 'trail why path', figure(times, 'trail why path (whole file)', 'node -e 0')],
        [size_, 'edit hook, first edit', beyondNode('edit hook, first edit of the file')],
        [size_, 'edit hook, first edit, later session (history remembered)', beyondNode('edit hook, first edit in a later session')],
        [size_, 'edit hook, already shown', beyondNode('edit hook, file already shown')],
        [size_, 'edit hook, file with no decisions', beyondNode('edit hook, file with no decisions')],
        [size_, 'edit hook, new file', beyondNode('edit hook, new file')],
      )
    } finally {
      rmSync(dir, {recursive: true, force: true})
    }
  }
  return [
    `### trail why and the edit hook (${rounds} rounds: median time; median and mean of the per-round ratio or difference to the baseline named, measured in the same rounds)`,
    '',
    markdownTable(['trajectories', 'command', 'time'], rows),
  ].join('\n')
}
