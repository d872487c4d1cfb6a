import {UsageError} from '../../../errors.js'
import {parseThreadId, resolveAgentName} from '../../../model/names.js'
import {entriesText, inboxEntryJson, markedText} from '../../../render/messages.js'
import {markRead, readInbox} from '../../../services/messages.js'
import {AGENT_FLAG, defineCommand} from '../../definition.js'

export const inbox = defineCommand({
  bin: 'relay',
  name: 'inbox',
  summary: 'Show the messages for an agent, from this project and every synced sibling',
  description:
    'Newest last, with the sender, the thread and whether it was read. Run relay sync first to receive what ' +
    'siblings sent. --mark-read marks the messages named read, or without ids every unread one (of the thread, with --thread).',
  examples: [
    'relay inbox',
    'relay inbox --unread --agent Designer',
    'relay inbox --thread auth-feature',
    'relay inbox --mark-read',
    'relay inbox --mark-read msg_01jd2k3m4n5p6q7r8s9t0v1w2x',
  ],
  args: [],
  variadic: true,
  flags: {
    unread: {type: 'boolean', description: 'only messages not marked read'},
    thread: {type: 'string', description: 'only messages of this thread', helpValue: '<id>'},
    'mark-read': {type: 'boolean', description: 'mark messages read'},
    ...AGENT_FLAG,
  },
  json: true,
  run: async (ctx, {flags, rest}) => {
    const agent = resolveAgentName(flags.agent, ctx.env)
    const ids = rest ?? []
    if (ids.length > 0 && !flags['mark-read'])
      throw new UsageError(`unexpected argument: ${ids[0]}`, 'ids go with --mark-read: relay inbox --mark-read <id>...')
    const thread = flags.thread === undefined ? undefined : parseThreadId(flags.thread)
    if (flags['mark-read']) return {kind: 'marked' as const, ids: await markRead(ctx, {agent, ids, ...(thread ? {thread} : {})})}
    return {kind: 'inbox' as const, agent, entries: await readInbox(ctx, {agent, unread: flags.unread, ...(thread ? {thread} : {})})}
  },
  text: (result, style) => (result.kind === 'marked' ? markedText(result.ids) : entriesText(result.entries, style, `No messages for ${result.agent}.`)),
  toJson: (result) => (result.kind === 'marked' ? {marked: result.ids} : result.entries.map(inboxEntryJson)),
})
