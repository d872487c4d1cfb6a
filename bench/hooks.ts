import {execFileSync} from 'node:child_process'
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {benchEnv, figure, markdownTable, measure, msFigure, RATIO_METHOD, RELAY, samplesOf, TRAIL, type Step} from './harness.js'

// The claim of issue 9: an installed hook with nothing to do costs at most 2x `node -e 0`. Measured: a Claude
// Code Stop hook whose transcript has nothing new, and a prompt hook in a session that already has a trajectory,
// each as Claude Code starts it (the installed command through /bin/sh, the payload on stdin).

export function benchHooks(rounds: number): string {
  const dir = mkdtempSync(join(tmpdir(), 'relay-trail-bench-hooks-'))
  try {
    const env = benchEnv({
      GIT_CONFIG_NOSYSTEM: '1',
      GIT_AUTHOR_NAME: 'Bench',
      GIT_AUTHOR_EMAIL: 'bench@example.com',
      GIT_COMMITTER_NAME: 'Bench',
      GIT_COMMITTER_EMAIL: 'bench@example.com',
    })
    execFileSync('git', ['init', '--quiet', dir], {env})
    execFileSync(process.execPath, [TRAIL, 'init', '--claude', '--no-mcp'], {cwd: dir, env, stdio: 'ignore'})
    const transcript = join(dir, '..', `${dir.split('/').pop()}.jsonl`)
    writeFileSync(transcript, `${JSON.stringify({type: 'assistant', message: {role: 'assistant', content: [{type: 'text', text: 'Hello.'}]}})}\n`)
    const payload = (event: string, extra: object) =>
      JSON.stringify({session_id: 'bench0001-0000', transcript_path: transcript, cwd: dir, hook_event_name: event, ...extra})
    const hook = (kind: string) => `${process.execPath} ${RELAY} hook claude ${kind}`
    execFileSync('/bin/sh', ['-c', hook('prompt')], {
      cwd: dir,
      env,
      input: payload('UserPromptSubmit', {prompt: 'Bench work'}),
      stdio: ['pipe', 'ignore', 'ignore'],
    })
    const steps: Step[] = [
      {name: 'node -e 0', argv: [process.execPath, '-e', '0'], cwd: dir, env},
      {name: 'Stop, nothing new', argv: ['/bin/sh', '-c', hook('stop')], cwd: dir, env, input: payload('Stop', {stop_hook_active: false})},
      {name: 'UserPromptSubmit, trajectory open', argv: ['/bin/sh', '-c', hook('prompt')], cwd: dir, env, input: payload('UserPromptSubmit', {prompt: 'more'})},
    ]
    const times = measure(steps, rounds)
    rmSync(transcript, {force: true})
    const cell = (name: string) => (name === 'node -e 0' ? msFigure(samplesOf(times, name)) : figure(times, name, 'node -e 0'))
    return [
      `### Agent hooks with nothing to do (${RATIO_METHOD}; baseline: node -e 0)`,
      '',
      markdownTable(
        ['hook', 'time'],
        steps.map((step) => [step.name, cell(step.name)]),
      ),
    ].join('\n')
  } finally {
    rmSync(dir, {recursive: true, force: true})
  }
}
