import assert from 'node:assert/strict'
import {describe, it} from 'node:test'
import {resultText, startMcp} from '../mcp/mcp-client.js'
import {runCli, type CliResult} from '../helpers/cli.js'
import {useRepos} from '../helpers/repo.js'
import {ALNUM, B64, DIGITS, fake, UPPER, withDigit} from '../fixtures/redaction/credentials.js'

// What a write tells its caller is what it recorded: the record redacted. A command's text and --json output, and
// an MCP tool's result, never echo a credential the record itself does not hold (stdout is the agent's transcript,
// which leaves the machine). Every write, every text field it takes, each with a credential of its own.

const newRepo = useRepos()

/** A different credential for each field, so a leak names the field it came through. */
function credentials(count: number): string[] {
  return Array.from({length: count}, (_, index) =>
    index % 2 === 0 ? `ghp_${withDigit(36, ALNUM)}` : `AKIA${fake(16, UPPER + DIGITS)} with secret ${withDigit(40, B64)}`,
  )
}

/** `shown`: the output holds the fields (a marker must be there), not only a line that the write was done. */
function assertNoneShown(result: CliResult, secrets: readonly string[], what: string, shown: boolean): void {
  assert.equal(result.code, 0, `${what} failed: ${result.stderr}`)
  for (const secret of secrets) {
    for (const part of secret.split(' with secret ')) {
      assert.ok(!result.stdout.includes(part), `${what} printed ${part}:\n${result.stdout}`)
      assert.ok(!result.stderr.includes(part), `${what} printed ${part} on stderr:\n${result.stderr}`)
    }
  }
  if (shown && secrets.length > 0) assert.match(result.stdout, /\[REDACTED:/, `${what} shows where the credential was`)
}

describe('a write echoes what it recorded, redacted', () => {
  for (const json of [false, true]) {
    it(`in every trail and relay write, ${json ? 'with --json' : 'as text'}`, async () => {
      const repo = newRepo()
      const before = repo.userState()
      const env = {AGENT_RELAY_NAME: 'echo'}
      // Text output that only says the write was done (a save, a send) is checked for leaks all the same.
      const run = async (argv: Parameters<typeof runCli>[1], secrets: readonly string[], echoedAsText = true) => {
        const result = await runCli(repo.dir, json ? ([...argv, '--json'] as typeof argv) : argv, {env})
        assertNoneShown(result, secrets, argv.join(' ').slice(0, 60), json || echoedAsText)
      }
      const [title, task] = credentials(2)
      await run(['trail', 'start', `Rotate ${title}`, '--task', task!], [title!])
      const [decision, reasoning, alternative, question] = credentials(4)
      await run(
        [
          'trail',
          'decision',
          `Keep ${decision}`,
          '--reasoning',
          `because ${reasoning}`,
          '--alternatives',
          `drop ${alternative}`,
          '--question',
          `which ${question}`,
        ],
        [decision!, reasoning!, alternative!, question!],
      )
      const [event] = credentials(1)
      await run(['trail', 'event', `saw ${event}`], [event!])
      const [phaseReason] = credentials(1)
      await run(['trail', 'phase', 'execute', '--reason', `now ${phaseReason}`], [phaseReason!])
      const [synthesis, focal, adjustment] = credentials(3)
      await run(
        ['trail', 'reflect', `so far ${synthesis}`, '--focal-points', `on ${focal}`, '--adjustments', `then ${adjustment}`],
        [synthesis!, focal!, adjustment!],
      )
      const [summary, approach, challenge, learning] = credentials(4)
      await run(
        [
          'trail',
          'complete',
          '--summary',
          `did ${summary}`,
          '--approach',
          `by ${approach}`,
          '--challenges',
          `was ${challenge}`,
          '--learnings',
          `is ${learning}`,
        ],
        [summary!, approach!, challenge!, learning!],
      )
      await run(['trail', 'start', 'Second'], [])
      const [reason] = credentials(1)
      await run(['trail', 'abandon', '--reason', reason!], [reason!])
      const [ledger] = credentials(1)
      await run(['relay', 'continuity', 'save', '--handoff', `Current task: rotate ${ledger}\nNext steps: ship`], [ledger!], false)
      const [uncertain] = credentials(1)
      await run(['relay', 'continuity', 'uncertain', `whether ${uncertain} expired`], [uncertain!], false)
      const [body] = credentials(1)
      await run(['relay', 'send', 'bob', `use ${body}`], [body!], false)
      repo.assertUserStateUnchanged(before)
    })
  }

  it('in the results of relay mcp, text and structured', async () => {
    const repo = newRepo()
    const server = await startMcp({cwd: repo.dir, clientName: 'echo'})
    try {
      const call = async (name: string, args: Record<string, unknown>, secrets: readonly string[]) => {
        const result = await server.call(name, args)
        assert.notEqual(result.isError, true, `${name} failed: ${resultText(result)}`)
        const shown = `${resultText(result)}\n${JSON.stringify(result.structuredContent ?? {})}`
        for (const secret of secrets) for (const part of secret.split(' with secret ')) assert.ok(!shown.includes(part), `${name} returned ${part}:\n${shown}`)
        assert.match(shown, /\[REDACTED:/, `${name} shows where the credential was`)
      }
      const [title, decision, reasoning, summary, ledger, body] = credentials(6)
      await call('trail_start', {title: `Rotate ${title}`, agent: 'echo'}, [title!])
      await call('trail_decision', {title: `Keep ${decision}`, reasoning: `because ${reasoning}`, agent: 'echo'}, [decision!, reasoning!])
      await call('trail_complete', {summary: `did ${summary}`, agent: 'echo'}, [summary!])
      await call('relay_continuity_save', {text: `Current task: rotate ${ledger}`, handoff: true, agent: 'echo'}, [ledger!])
      await call('relay_send', {target: 'bob', body: `use ${body}`, agent: 'echo'}, [body!])
    } finally {
      await server.close()
    }
  })
})
