import {resolveAgentName} from '../../../model/names.js'
import {messageJson, sentText} from '../../../render/messages.js'
import {sendMessage} from '../../../services/messages.js'
import {AGENT_FLAG, defineCommand} from '../../definition.js'

export const send = defineCommand({
  bin: 'relay',
  name: 'send',
  summary: 'Send a message to an agent of this project or of a sibling project',
  description:
    'Targets: agent (this project), project:agent, project:lead (the lead that project names), project:* (every ' +
    "agent of it), *:* (every agent of every project). The message is written to this project's store; siblings " +
    'receive it when they run relay sync.',
  examples: [
    'relay send frontend:Designer "Please update the login UI"',
    'relay send backend:lead "REST or GraphQL?" --thread api-style',
    'relay send "*:*" "New utility functions available"',
  ],
  args: [
    {name: 'target', description: 'who it is for', required: true},
    {name: 'body', description: 'the message', required: true},
  ],
  flags: {
    thread: {type: 'string', description: 'the thread it belongs to', helpValue: '<id>'},
    ...AGENT_FLAG,
  },
  json: true,
  run: (ctx, {args, flags}) =>
    sendMessage(ctx, {from: resolveAgentName(flags.agent, ctx.env), to: args.target!, thread: flags.thread ?? null, body: args.body!}),
  text: sentText,
  toJson: messageJson,
})
