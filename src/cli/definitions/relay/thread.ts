import {parseThreadId} from '../../../model/names.js'
import {entriesText, inboxEntryJson} from '../../../render/messages.js'
import {readThread} from '../../../services/messages.js'
import {defineCommand} from '../../definition.js'

export const thread = defineCommand({
  bin: 'relay',
  name: 'thread',
  summary: 'Show a whole thread, across this project and every synced sibling',
  examples: ['relay thread auth-feature'],
  args: [{name: 'id', description: 'the thread', required: true}],
  flags: {},
  json: true,
  run: async (ctx, {args}) => ({id: args.id!, entries: await readThread(ctx, parseThreadId(args.id!))}),
  text: (result, style) => entriesText(result.entries, style, `No messages in thread ${result.id}.`),
  toJson: (result) => result.entries.map(inboxEntryJson),
})
