import {ok} from '../helpers/cli.js'
import type {TestRepo} from '../helpers/repo.js'
import {commitAs, gitAs} from '../review/helpers.js'

// A history for the dashboard's file view, written as agents and people write one: `trail init --hooks`, then
// agents that start a trajectory, record a decision (with reasoning, alternatives, confidence), commit through the
// git hooks and complete; a person's commit; a binary file; and, last, a dirty work tree and index (which the view
// must leave as they are).

/** A title a hostile agent might record: markup with an event handler, and a right-to-left override. */
export const HOSTILE_TITLE = '<img src=x onerror="window.__pwned=\'why\'">Trust \u202egnp.exe'

export interface WhyHistory {
  alice: string
  bob: string
  mallory: string
}

/** `agent` starts a trajectory, records a decision (and a handoff), commits `files` through the hooks, completes. */
export async function agentWork(
  repo: TestRepo,
  agent: string,
  title: string,
  decision: string[],
  files: Record<string, string>,
  handoff?: string,
): Promise<string> {
  const id = (await ok(repo.dir, ['trail', 'start', title, '--agent', agent, '--quiet'])).trim()
  await ok(repo.dir, ['trail', 'decision', ...decision, '--agent', agent])
  if (handoff) await ok(repo.dir, ['relay', 'continuity', 'save', '--handoff', handoff, '--agent', agent])
  commitAs(repo, agent, files, title)
  await ok(repo.dir, ['trail', 'complete', '--summary', `${title}: done`, '--confidence', '0.85', '--agent', agent])
  return id
}

/**
 * f.js: lines 1-2 by alice ("Parse the header"), line 3 by bob ("Add the footer"), line 4 by mallory (a hostile
 * title), line 5 by a person. logo.bin: binary. src/deep/name.js: a person's.
 */
export async function writeWhyHistory(repo: TestRepo): Promise<WhyHistory> {
  await ok(repo.dir, ['trail', 'init', '--hooks'])
  const alice = await agentWork(
    repo,
    'alice',
    'Parse the header',
    ['Read two header lines', '--reasoning', 'The format has exactly two', '--alternatives', 'one line,a length prefix', '--confidence', '0.7'],
    {'f.js': 'h1\nh2\n'},
    'Current task: header parsing\nNext steps: the footer',
  )
  const bob = await agentWork(repo, 'bob', 'Add the footer', ['One footer line', '--reasoning', 'Short is enough'], {'f.js': 'h1\nh2\nfooter\n'})
  const mallory = await agentWork(repo, 'mallory', HOSTILE_TITLE, [HOSTILE_TITLE, '--reasoning', `${HOSTILE_TITLE} because`], {
    'f.js': 'h1\nh2\nfooter\nmallory\n',
  })
  commitAs(repo, null, {'f.js': 'h1\nh2\nfooter\nmallory\nperson\n', 'src/deep/name.js': 'x\n'}, 'A person adds a line')
  repo.write('logo.bin', '\u0000\u0001binary\u0000')
  gitAs(repo, null, ['add', 'logo.bin'])
  gitAs(repo, null, ['commit', '--quiet', '-m', 'Logo'])
  // The user's work in progress: an unstaged change, a staged one, an untracked file.
  repo.write('f.js', 'uncommitted work\n')
  repo.write('src/deep/name.js', 'staged\n')
  gitAs(repo, null, ['add', 'src/deep/name.js'])
  repo.write('untracked.txt', 'mine\n')
  return {alice, bob, mallory}
}
