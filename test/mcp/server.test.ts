import assert from 'node:assert/strict'
import {describe, it} from 'node:test'
import {ResourceListChangedNotificationSchema, ResourceUpdatedNotificationSchema} from '@modelcontextprotocol/sdk/types.js'
import {toolName, MCP_TOOLS, parameterName} from '../../src/mcp/tools.js'
import {json, ok, runCli} from '../helpers/cli.js'
import {useRepos, type TestRepo} from '../helpers/repo.js'
import {resultText, startMcp, type McpSession} from './mcp-client.js'

// `relay mcp` driven by the SDK's client over stdio, against the built bin/relay.cjs in temporary repositories:
// what it lists, that every tool does what its command does (same records, same text, same errors), resources and
// their change notifications, prompts, and who is acting.

const TOOLS = [
  'trail_start',
  'trail_decision',
  'trail_complete',
  'trail_abandon',
  'trail_status',
  'trail_list',
  'trail_show',
  'trail_why',
  'relay_continuity_save',
  'relay_continuity_load',
  'relay_continuity_search',
  'relay_continuity_uncertain',
  'relay_send',
  'relay_inbox',
  'relay_thread',
  'relay_search',
]

/** A record's text with its ids and times replaced, so two records made apart compare by what they say. */
function withoutIdsAndTimes(text: string): string {
  return text.replace(/\b(traj|ev|ho|msg)_[0-9a-z]{26}\b/g, '$1_<id>').replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z/g, '<time>')
}

/** The newest commit's record files of a kind, by path. */
function eventFiles(repo: TestRepo): string[] {
  return repo
    .git(['ls-tree', '-r', '--name-only', 'refs/trail/records', '--', '.trail/trajectories'])
    .split('\n')
    .filter((path) => path.includes('/events/'))
}

async function withServer<T>(
  repo: TestRepo,
  work: (mcp: McpSession) => Promise<T>,
  options: {env?: Record<string, string | undefined>; args?: string[]; clientName?: string; cwd?: string} = {},
): Promise<T> {
  const mcp = await startMcp({cwd: options.cwd ?? repo.dir, ...options})
  try {
    return await work(mcp)
  } finally {
    await mcp.close()
  }
}

describe('relay mcp', () => {
  const makeRepo = useRepos()

  it('lists a tool for each command, with parameters from its flags, and the resources and prompts', async () => {
    const repo = makeRepo()
    await withServer(repo, async (mcp) => {
      const {tools} = await mcp.client.listTools()
      assert.deepEqual(tools.map((tool) => tool.name).sort(), [...TOOLS].sort())
      for (const spec of MCP_TOOLS) {
        const tool = tools.find((each) => each.name === toolName(spec.definition))!
        assert.match(tool.description ?? '', /call it/i, `${tool.name} says when to call it`)
        assert.equal(tool.inputSchema.additionalProperties, false, `${tool.name} refuses unknown parameters`)
        assert.equal(tool.annotations?.readOnlyHint, spec.readOnly)
        const expected = [
          ...spec.definition.args.map((arg) => parameterName(arg.name)),
          ...Object.keys(spec.definition.flags)
            .filter((flag) => !spec.omit?.includes(flag))
            .map(parameterName),
          ...(spec.rest ? [spec.rest.name] : []),
        ]
        assert.deepEqual(Object.keys(tool.inputSchema.properties ?? {}).sort(), expected.sort(), `${tool.name}: every flag of the command, and nothing else`)
        const required = spec.definition.args.filter((arg) => arg.required || spec.required?.includes(arg.name)).map((arg) => arg.name)
        const requiredFlags = Object.entries(spec.definition.flags)
          .filter(([, flag]) => (flag as {required?: boolean}).required)
          .map(([name]) => name)
        assert.deepEqual([...(tool.inputSchema.required ?? [])].sort(), [...required, ...requiredFlags].sort(), `${tool.name}: required parameters`)
      }
      assert.equal(mcp.client.getServerCapabilities()?.resources?.subscribe, true)
      const {resources} = await mcp.client.listResources()
      assert.deepEqual(resources.map((resource) => resource.uri).sort(), ['relay-trail://context', 'relay-trail://inbox'])
      const {resourceTemplates} = await mcp.client.listResourceTemplates()
      assert.deepEqual(resourceTemplates.map((template) => template.uriTemplate).sort(), [
        'relay-trail://context/{agent}',
        'relay-trail://inbox/{agent}',
        'relay-trail://ledger/{agent}',
        'relay-trail://trajectory/{id}',
      ])
      const {prompts} = await mcp.client.listPrompts()
      assert.deepEqual(prompts.map((prompt) => prompt.name).sort(), ['decision', 'end-of-session', 'handoff', 'start-of-work'])
      assert.match(mcp.client.getInstructions() ?? '', /trail_start/)
    })
  })

  it('runs every tool as its command runs: the same records, the same text, the same JSON', async () => {
    const repo = makeRepo()
    const before = repo.userState()
    await withServer(repo, async (mcp) => {
      const started = await mcp.call('trail_start', {title: 'Implement auth', task: 'AR-1', source: 'github'})
      assert.match(resultText(started), /^Started traj_[0-9a-z]{26} for agent test-client: Implement auth\n/)
      const id = (started.structuredContent as {id: string}).id
      const decided = await mcp.call('trail_decision', {title: 'Chose JWT', reasoning: 'Stateless', alternatives: 'Sessions, Cookies', confidence: 0.7})
      assert.deepEqual((decided.structuredContent as {alternatives: string[]}).alternatives, ['Sessions', 'Cookies'])
      assert.equal((decided.structuredContent as {confidenceLevel: string}).confidenceLevel, 'good')
      // The same decision through the CLI: the two records differ only in their ids and times.
      await ok(repo.dir, [
        'trail',
        'decision',
        'Chose JWT',
        '--reasoning',
        'Stateless',
        '--alternatives',
        'Sessions, Cookies',
        '--confidence',
        '0.7',
        '--agent',
        'test-client',
      ])
      const [viaMcp, viaCli] = eventFiles(repo).map((path) => repo.git(['show', `refs/trail/records:${path}`]))
      assert.equal(withoutIdsAndTimes(viaMcp!), withoutIdsAndTimes(viaCli!))
      const [cliCommit, mcpCommit] = [0, 1].map((back) => repo.git(['log', '-1', `--skip=${back}`, '--format=%an <%ae>%n%B', 'refs/trail/records']))
      assert.equal(withoutIdsAndTimes(mcpCommit!), withoutIdsAndTimes(cliCommit!), 'the same author, subject and trailers')

      // Reads: the same text as the CLI prints into a pipe, and the same JSON as --json.
      assert.equal(await mcp.ok('trail_status'), await ok(repo.dir, ['trail', 'status', '--agent', 'test-client']))
      assert.deepEqual((await mcp.call('trail_status')).structuredContent, await json(repo.dir, ['trail', 'status', '--agent', 'test-client']))
      assert.equal(await mcp.ok('trail_show', {id: id.slice(0, 14)}), await ok(repo.dir, ['trail', 'show', id]))
      assert.deepEqual((await mcp.call('trail_list', {})).structuredContent, await json(repo.dir, ['trail', 'list']))

      const saved = await mcp.call('relay_continuity_save', {text: 'Current task: Auth module\nNext steps: Logout endpoint', handoff: true})
      assert.match((saved.structuredContent as {handoff: string}).handoff, /^ho_/)
      await mcp.ok('relay_continuity_uncertain', {text: 'Rate limit handling unclear'})
      const context = await mcp.ok('relay_continuity_load')
      assert.equal(context, await ok(repo.dir, ['relay', 'continuity', 'load', '--agent', 'test-client']))
      assert.match(context, /# Session context for test-client/)
      assert.match(context, /Rate limit handling unclear/)
      assert.match(await mcp.ok('relay_continuity_search', {query: 'Logout'}), /Logout endpoint/)

      const sent = await mcp.call('relay_send', {target: 'Designer', body: 'Please update the login UI', thread: 'auth-feature'})
      const messageId = (sent.structuredContent as {id: string}).id
      assert.match(resultText(sent), /^Sent msg_/)
      assert.equal(Array.isArray((await mcp.call('relay_inbox', {agent: 'Designer', unread: true})).structuredContent?.messages), true)
      assert.equal(await mcp.ok('relay_inbox', {agent: 'Designer'}), await ok(repo.dir, ['relay', 'inbox', '--agent', 'Designer']))
      assert.deepEqual((await mcp.call('relay_inbox', {agent: 'Designer', mark_read: true, ids: [messageId]})).structuredContent, {marked: [messageId]})
      assert.deepEqual((await mcp.call('relay_inbox', {agent: 'Designer', unread: true})).structuredContent, {messages: []})
      assert.equal(await mcp.ok('relay_thread', {id: 'auth-feature'}), await ok(repo.dir, ['relay', 'thread', 'auth-feature']))
      assert.deepEqual(
        (await mcp.call('relay_search', {query: 'login UI', kind: ['message']})).structuredContent,
        await json(repo.dir, ['relay', 'search', 'login UI', '--kind', 'message']),
      )

      const completed = await mcp.call('trail_complete', {
        summary: 'Added JWT auth',
        confidence: 0.85,
        challenges: ['Flaky CI', 'Clock skew'],
        learnings: ['Lock before read'],
      })
      assert.deepEqual((completed.structuredContent as {challenges: string[]}).challenges, ['Flaky CI', 'Clock skew'])
      assert.match(resultText(completed), /^Completed traj_/)
      await mcp.ok('trail_start', {title: 'Second try'})
      assert.match(await mcp.ok('trail_abandon', {reason: 'Blocked by missing credentials'}), /^Abandoned traj_[\s\S]*reason: Blocked by missing credentials/)
      const listed = (await mcp.call('trail_list', {status: 'completed', limit: 5})).structuredContent as {trajectories: {id: string}[]}
      assert.deepEqual(
        listed.trajectories.map((t) => t.id),
        [id],
      )
    })
    repo.assertUserStateUnchanged(before)
    await repo.fsck('refs/trail/records')
  })

  it("refuses bad arguments through the schema, and bad values with the CLI's own message and hint", async () => {
    const repo = makeRepo()
    await withServer(repo, async (mcp) => {
      // Types and unknown parameters: the schema, for every tool.
      for (const name of TOOLS) {
        assert.match(await mcp.fails(name, {bogus: 1, ...requiredArguments(name)}), /unknown parameter: bogus/, name)
      }
      assert.match(await mcp.fails('trail_decision', {}), /missing required parameter at title/)
      assert.match(await mcp.fails('trail_decision', {title: 5}), /must be a string at title/)
      assert.match(await mcp.fails('trail_decision', {title: 'x', confidence: 'high'}), /must be a number at confidence/)
      assert.match(await mcp.fails('trail_list', {status: 'finished'}), /must be one of: active, completed, abandoned at status/)
      assert.match(await mcp.fails('trail_complete', {summary: 'x', challenges: 'one'}), /must be a list at challenges/)
      assert.match(await mcp.fails('relay_search', {query: 'x', kind: ['bogus']}), /must be one of/)
      // Counts are whole numbers with a least value, in the schema a client sees.
      for (const [name, args, where] of [
        ['trail_list', {limit: 1.5}, 'limit'],
        ['trail_list', {limit: 0}, 'limit'],
        ['trail_list', {page: 0}, 'page'],
        ['relay_search', {query: 'x', limit: 2.5}, 'limit'],
        ['relay_continuity_search', {query: 'x', limit: -1}, 'limit'],
        ['relay_continuity_load', {max_chars: 1.5}, 'max_chars'],
      ] as const)
        assert.match(await mcp.fails(name, args), new RegExp(`must be a whole number of at least \\d at ${where}`), `${name} ${JSON.stringify(args)}`)
      const {tools} = await mcp.client.listTools()
      const listLimit = tools.find((tool) => tool.name === 'trail_list')!.inputSchema.properties!.limit as {type: string; minimum: number}
      assert.deepEqual([listLimit.type, listLimit.minimum], ['integer', 1])

      // Values: the command's own checks, worded as the CLI words them (its stderr, byte for byte).
      const agent = ['--agent', 'test-client']
      const cases: [string, Record<string, unknown>, string[]][] = [
        ['trail_decision', {title: 'x'}, ['trail', 'decision', 'x', ...agent]],
        ['trail_complete', {summary: 'x'}, ['trail', 'complete', '--summary', 'x', ...agent]],
        ['trail_abandon', {}, ['trail', 'abandon', ...agent]],
        ['trail_start', {title: '   '}, ['trail', 'start', '   ', ...agent]],
        ['trail_status', {agent: '../etc'}, ['trail', 'status', '--agent', '../etc']],
        ['trail_show', {id: 'traj_nope'}, ['trail', 'show', 'traj_nope']],
        ['trail_list', {since: 'whenever'}, ['trail', 'list', '--since', 'whenever']],
        ['relay_send', {target: 'bad target!', body: 'x'}, ['relay', 'send', 'bad target!', 'x', ...agent]],
        ['relay_send', {target: 'Designer', body: ''}, ['relay', 'send', 'Designer', '', ...agent]],
        ['relay_inbox', {ids: ['msg_x']}, ['relay', 'inbox', 'msg_x', ...agent]],
        ['relay_thread', {id: '../x'}, ['relay', 'thread', '../x']],
        ['relay_continuity_load', {max_chars: 5}, ['relay', 'continuity', 'load', '--max-chars', '5', ...agent]],
        ['relay_continuity_uncertain', {text: ''}, ['relay', 'continuity', 'uncertain', '', ...agent]],
        ['relay_search', {query: 'x(', regex: true, timeout: 'soon'}, ['relay', 'search', 'x(', '--regex', '--timeout', 'soon']],
        ['relay_search', {query: 'x', since: 'tomorrow-ish'}, ['relay', 'search', 'x', '--since', 'tomorrow-ish']],
      ]
      for (const [name, args, argv] of cases) {
        const cli = await runCli(repo.dir, argv as ['trail' | 'relay', ...string[]])
        assert.notEqual(cli.code, 0, argv.join(' '))
        const result = await mcp.call(name, args)
        assert.equal(result.isError, true, name)
        assert.equal(resultText(result), cli.stderr.trimEnd(), `${name} ${JSON.stringify(args)}`)
        const error = (result.structuredContent as {error: {exitCode: number}}).error
        assert.equal(error.exitCode, cli.code, `${name}: the exit code the CLI gives, in the structured error`)
      }
      // The server is still serving after all that.
      assert.match(await mcp.ok('trail_status'), /No active trajectory for agent 'test-client'/)
    })
  })

  it('takes a search timeout as a number of seconds, and keeps each item of a list parameter whole, commas and all', async () => {
    const repo = makeRepo()
    await withServer(repo, async (mcp) => {
      for (const timeout of [5, '5', 0.5]) {
        await mcp.ok('relay_search', {query: 'x+', regex: true, timeout})
        await mcp.ok('relay_continuity_search', {query: 'x+', regex: true, timeout})
      }
      const {id} = (await mcp.call('trail_start', {title: 'Lists'})).structuredContent as {id: string}
      const challenges = ['Tests were slow, flaky, and hard to debug', 'One more']
      const learnings = ['A comma\\, escaped', 'Plain']
      await mcp.ok('trail_complete', {summary: 'Done', challenges, learnings})
      const shown = (await mcp.call('trail_show', {id})).structuredContent as {challenges: string[]; learnings: string[]}
      assert.deepEqual(shown.challenges, challenges)
      assert.deepEqual(shown.learnings, learnings)
    })
  })

  it('refuses a search query over 1000 characters with a usage error before git starts, as the CLI does', async () => {
    const repo = makeRepo()
    await ok(repo.dir, ['trail', 'start', 'Searchable', '--agent', 'test-client'])
    await withServer(repo, async (mcp) => {
      for (const length of [1001, 40_000, 131_072]) {
        const query = 'x'.repeat(length)
        for (const [name, args, argv] of [
          ['relay_search', {query}, ['relay', 'search', query]],
          ['relay_continuity_search', {query}, ['relay', 'continuity', 'search', query]],
          ['trail_list', {search: query}, ['trail', 'list', '--search', query]],
        ] as const) {
          const text = await mcp.fails(name, args)
          assert.match(text, new RegExp(`^error: (the search query|--search) is ${length} characters, over the limit of 1000\\nhint: `), name)
          if (length === 1001) assert.equal(text, (await runCli(repo.dir, [...argv] as ['trail' | 'relay', ...string[]])).stderr.trimEnd(), name)
        }
      }
      assert.match(await mcp.ok('relay_search', {query: 'S'.padEnd(1000, 'x')}), /No records match/)
    })
  })

  it('serves the context, ledgers, trajectories and inboxes as resources', async () => {
    const repo = makeRepo()
    await ok(repo.dir, ['trail', 'start', 'Resource work', '--agent', 'claude'])
    await ok(repo.dir, ['trail', 'decision', 'Chose resources', '--reasoning', 'Readable', '--agent', 'claude'])
    await ok(repo.dir, ['relay', 'continuity', 'save', 'Current task: Resources\nNext steps: Notifications', '--agent', 'claude'])
    await ok(repo.dir, ['relay', 'send', 'claude', 'Hello there', '--agent', 'codex'])
    const id = (await json<{active: {id: string}}>(repo.dir, ['trail', 'status', '--agent', 'claude'])).active.id
    await withServer(
      repo,
      async (mcp) => {
        const read = async (uri: string) => {
          const {contents} = await mcp.client.readResource({uri})
          assert.equal(contents.length, 1)
          assert.equal(contents[0]!.uri, uri)
          const content = contents[0]!
          return 'text' in content ? content.text : ''
        }
        const context = await read('relay-trail://context')
        assert.equal(context, await ok(repo.dir, ['relay', 'continuity', 'load', '--agent', 'claude']))
        assert.equal(await read('relay-trail://context/claude'), context)
        assert.match(await read('relay-trail://context/codex'), /Nothing saved yet for codex/)
        assert.equal(await read('relay-trail://ledger/claude'), repo.git(['show', 'refs/trail/records:.relay/ledger/claude.md']))
        assert.equal(await read(`relay-trail://trajectory/${id}`), await ok(repo.dir, ['trail', 'export', id, '--format', 'md']))
        assert.equal(await read('relay-trail://inbox'), await ok(repo.dir, ['relay', 'inbox', '--agent', 'claude']))
        assert.match(await read('relay-trail://inbox/codex'), /No messages for codex/)
        const {resources} = await mcp.client.listResources()
        assert.ok(resources.some((resource) => resource.uri === `relay-trail://trajectory/${id}`))
        assert.ok(resources.some((resource) => resource.uri === 'relay-trail://ledger/claude'))
        await assert.rejects(
          mcp.client.readResource({uri: 'relay-trail://trajectory/traj_01zzzzzzzz'}),
          /-32002[\s\S]*no trajectory matches 'traj_01zzzzzzzz'\nhint: /,
        )
        await assert.rejects(mcp.client.readResource({uri: 'relay-trail://trajectory/nope'}), /-32602[\s\S]*error: /)
        await assert.rejects(mcp.client.readResource({uri: 'relay-trail://ledger/codex'}), /agent 'codex' has no continuity ledger/)
        await assert.rejects(mcp.client.readResource({uri: 'relay-trail://ledger/..%2Fetc'}), /invalid agent name/)
        await assert.rejects(mcp.client.readResource({uri: 'relay-trail://inbox/a%20b'}), /invalid agent name 'a b'/)
        for (const uri of ['garbage', 'relay-trail://nothing', 'relay-trail://ledger/a/b', 'https://example.com/'])
          await assert.rejects(mcp.client.subscribeResource({uri}), /-32602[\s\S]*not a resource of this server/, uri)
        for (const uri of ['relay-trail://context', `relay-trail://trajectory/${id}`, 'relay-trail://inbox/codex']) await mcp.client.subscribeResource({uri})
      },
      {env: {AGENT_RELAY_NAME: 'claude'}},
    )
  })

  it('notifies subscribers when another process writes, and lists change when a trajectory is added', async () => {
    const repo = makeRepo()
    await ok(repo.dir, ['trail', 'start', 'Watched work', '--agent', 'claude'])
    const id = (await json<{active: {id: string}}>(repo.dir, ['trail', 'status', '--agent', 'claude'])).active.id
    const before = repo.userState()
    await withServer(
      repo,
      async (mcp) => {
        const updated: string[] = []
        let listChanged = 0
        mcp.client.setNotificationHandler(ResourceUpdatedNotificationSchema, (notification) => void updated.push(notification.params.uri))
        mcp.client.setNotificationHandler(ResourceListChangedNotificationSchema, () => void listChanged++)
        for (const uri of [`relay-trail://trajectory/${id}`, 'relay-trail://context', 'relay-trail://inbox', 'relay-trail://ledger/codex']) {
          await mcp.client.subscribeResource({uri})
        }
        const waitFor = async (what: () => boolean, label: string) => {
          for (let i = 0; i < 200 && !what(); i++) await new Promise((resolve) => setTimeout(resolve, 25))
          assert.ok(what(), `no notification: ${label} (got ${JSON.stringify(updated)}, list changed ${listChanged})`)
        }

        await ok(repo.dir, ['trail', 'decision', 'Chose watching', '--agent', 'claude'])
        await waitFor(
          () => updated.includes(`relay-trail://trajectory/${id}`) && updated.includes('relay-trail://context'),
          'a decision in the subscribed trajectory',
        )
        assert.ok(!updated.includes('relay-trail://inbox'), 'the inbox did not change')
        assert.ok(!updated.includes('relay-trail://ledger/codex'), 'that ledger did not change')

        updated.length = 0
        await ok(repo.dir, ['relay', 'send', 'claude', 'News', '--agent', 'codex'])
        await waitFor(() => updated.includes('relay-trail://inbox'), 'a message')

        updated.length = 0
        await ok(repo.dir, ['relay', 'continuity', 'save', 'Current task: Listening', '--agent', 'codex'])
        await waitFor(() => updated.includes('relay-trail://ledger/codex') && listChanged > 0, 'a new ledger')
        assert.ok(!updated.includes(`relay-trail://trajectory/${id}`))

        listChanged = 0
        await ok(repo.dir, ['trail', 'start', "Another agent's work", '--agent', 'codex'])
        await waitFor(() => listChanged > 0, 'a new trajectory')

        // And the server's own writes, once unsubscribed, are not announced for that resource.
        await mcp.client.unsubscribeResource({uri: `relay-trail://trajectory/${id}`})
        updated.length = 0
        await mcp.ok('trail_decision', {title: 'Through MCP'})
        await waitFor(() => updated.includes('relay-trail://context'), "the server's own write")
        assert.ok(!updated.includes(`relay-trail://trajectory/${id}`))
      },
      {env: {AGENT_RELAY_NAME: 'claude'}},
    )
    repo.assertUserStateUnchanged(before)
  })

  it("offers the protocol's moments as prompts, with the startup context where it helps", async () => {
    const repo = makeRepo()
    await ok(repo.dir, ['relay', 'continuity', 'save', 'Current task: Prompts', '--agent', 'test-client'])
    await withServer(repo, async (mcp) => {
      const start = await mcp.client.getPrompt({name: 'start-of-work', arguments: {task: 'Fix login bug', task_id: 'AR-7'}})
      const [context, text] = start.messages
      assert.equal(context?.content.type, 'resource')
      assert.match(JSON.stringify(context?.content), /Current task: Prompts|Prompts/)
      assert.match(String(text?.content.type === 'text' ? text.content.text : ''), /trail_start with title "Fix login bug" and task "AR-7"/)
      for (const name of ['decision', 'handoff', 'end-of-session']) {
        const prompt = await mcp.client.getPrompt({name, arguments: {}})
        const last = prompt.messages.at(-1)!
        assert.equal(last.content.type, 'text')
        assert.match(last.content.type === 'text' ? last.content.text : '', /trail_|relay_/, name)
      }
    })
  })

  it("acts for the agent named in the call, else --agent, else $AGENT_RELAY_NAME, else the client's name", async () => {
    const repo = makeRepo()
    const before = repo.userState()
    const whoStarts = async (options: Parameters<typeof withServer>[2], args: Record<string, unknown> = {}) =>
      withServer(repo, async (mcp) => (await mcp.call('trail_start', {title: 'Who', ...args})).structuredContent as {agent: string}, options)
    assert.equal((await whoStarts({clientName: 'Claude Code'})).agent, 'Claude-Code')
    assert.equal((await whoStarts({env: {AGENT_RELAY_NAME: 'Designer'}, clientName: 'Claude Code'})).agent, 'Designer')
    assert.equal((await whoStarts({env: {TRAIL_AGENT: 'Trailer'}})).agent, 'Trailer')
    assert.equal((await whoStarts({env: {AGENT_RELAY_NAME: 'Designer'}, args: ['--agent', 'Lead']})).agent, 'Lead')
    assert.equal((await whoStarts({env: {AGENT_RELAY_NAME: 'Designer'}}, {agent: 'Named'})).agent, 'Named')
    assert.equal((await whoStarts({clientName: '../..'})).agent, 'default', 'a client name with nothing path-safe in it')
    repo.assertUserStateUnchanged(before)
  })

  it('finds the repository from a subfolder, or from $CLAUDE_PROJECT_DIR, and says so when there is none', async () => {
    const repo = makeRepo()
    const before = repo.userState()
    await withServer(repo, async (mcp) => assert.match(await mcp.ok('trail_start', {title: 'From src'}), /^Started/), {cwd: `${repo.dir}/src`})
    repo.assertUserStateUnchanged(before)
    const outside = makeRepo({empty: true})
    const nowhere = `${outside.dir}/..`
    await withServer(repo, async (mcp) => assert.match(await mcp.ok('trail_status'), /active traj_/), {
      cwd: nowhere,
      env: {CLAUDE_PROJECT_DIR: repo.dir, GIT_CEILING_DIRECTORIES: nowhere},
    })
    await withServer(
      repo,
      async (mcp) => {
        const text = await mcp.fails('trail_status')
        assert.match(text, /^error: not a git repository \(or any of its parent directories\)\nhint: /)
        assert.equal((await mcp.client.listTools()).tools.length, TOOLS.length, 'still serving')
        const {resources} = await mcp.client.listResources()
        assert.deepEqual(resources.map((resource) => resource.uri).sort(), ['relay-trail://context', 'relay-trail://inbox'])
      },
      {cwd: nowhere, env: {GIT_CEILING_DIRECTORIES: nowhere}},
    )
  })

  it("takes trail_why's target as a path from the top of the repository, wherever the server was started", async () => {
    const repo = makeRepo()
    for (const [path, text] of [
      ['b.js', 'one\ntwo\n'],
      ['sub/dir/s.txt', 'line\n'],
    ])
      repo.write(path!, text!)
    repo.git(['add', '.'])
    repo.git(['commit', '-q', '-m', 'Add files'])
    const before = repo.userState()
    await withServer(
      repo,
      async (mcp) => {
        for (const target of ['b.js:2', 'sub/dir/s.txt:1']) {
          const json = (await mcp.call('trail_why', {target})).structuredContent as {path?: string}
          assert.equal(json.path, target.split(':')[0], target)
        }
        assert.match(await mcp.fails('trail_why', {target: 'dir/s.txt'}), /^error: dir\/s\.txt is not a file in HEAD/)
      },
      {cwd: `${repo.dir}/sub/dir`},
    )
    repo.assertUserStateUnchanged(before)
  })

  it('ends when the client closes the connection', async () => {
    const repo = makeRepo()
    const before = repo.userState()
    const mcp = await startMcp({cwd: repo.dir})
    await mcp.ok('trail_start', {title: 'Short session'})
    const exited = new Promise<number | null>((resolve) => {
      const check = setInterval(() => {
        try {
          process.kill(mcp.pid, 0)
        } catch {
          clearInterval(check)
          resolve(0)
        }
      }, 20)
    })
    const started = Date.now()
    await mcp.close()
    await exited
    assert.ok(Date.now() - started < 1900, 'it exits on its own when stdin closes, before the client would kill it')
    assert.equal(mcp.stderr(), '')
    repo.assertUserStateUnchanged(before)
  })
})

/** The required arguments of a tool, so that a test of something else gets past them. */
function requiredArguments(name: string): Record<string, unknown> {
  const spec = MCP_TOOLS.find((each) => toolName(each.definition) === name)!
  const args: Record<string, unknown> = {}
  for (const arg of spec.definition.args) if (arg.required || spec.required?.includes(arg.name)) args[parameterName(arg.name)] = 'x'
  for (const [flag, value] of Object.entries(spec.definition.flags)) if ((value as {required?: boolean}).required) args[parameterName(flag)] = 'x'
  return args
}
