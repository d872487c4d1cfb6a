import {idTime} from '../model/ids.js'
import {messagePath} from '../model/layout.js'
import {parseMessageBody, parseTarget, renderMessage, type Message} from '../model/message.js'
import {parseThreadId, type AgentName} from '../model/names.js'
import type {Context} from './context.js'

// Messages: written into the sender's own store. Routing to inboxes is read-side (relay inbox, relay sync).

/**
 * Records a message from `from` to `to` (agent, project:agent, project:lead, project:* or *:*), in a thread.
 * Throws UsageError for an invalid target, thread or an empty body.
 *
 * @example await recordMessage(ctx, {from: agent, to: 'frontend:Designer', thread: 'auth-feature', body: 'UI ready'})
 */
export async function recordMessage(ctx: Context, input: {from: AgentName; to: string; thread: string | null; body: string}): Promise<Message> {
  parseTarget(input.to)
  const thread = input.thread === null ? undefined : parseThreadId(input.thread)
  const body = parseMessageBody(input.body)
  const store = await ctx.store()
  return store.transact(async () => {
    const id = ctx.ids.next('msg')
    const message: Message = {id, from: input.from, to: input.to.trim(), ...(thread ? {thread} : {}), created: idTime(id).toISOString(), body}
    return {
      writes: [{path: messagePath(id), content: renderMessage(message)}],
      subject: `message ${id} from ${input.from} to ${message.to}`,
      trailers: [['Trail-Record', id], ['Trail-Agent', input.from]],
      result: message,
    }
  })
}
