import {parseAgentName, parseSiblingName} from '../../../model/names.js'
import {siblingJson, siblingsText} from '../../../render/projects.js'
import {addSibling, listSiblings, removeSibling} from '../../../services/projects.js'
import {defineCommand} from '../../definition.js'
import {withoutCredentials} from '../../../model/redact.js'
import {printableLine} from '../../../render/style.js'

export const bridgeAdd = defineCommand({
  bin: 'relay',
  name: 'bridge add',
  summary: 'Add a sibling project, by path or URL',
  description:
    "Kept in this repository's git config (relay.sibling.<name>.url). relay sync fetches its store with git: a local " +
    'path, a file:// URL, ssh and https all work. The name is what this project calls it; its agents address this ' +
    'project by the id relay project shows.',
  examples: ['relay bridge add frontend ../frontend', 'relay bridge add backend git@github.com:org/backend.git --lead Architect'],
  args: [
    {name: 'name', description: "the sibling's name here", required: true},
    {name: 'location', description: 'its path or URL', required: true},
  ],
  flags: {lead: {type: 'string', description: 'its lead agent, when its store names none', helpValue: '<agent>'}},
  json: true,
  run: async (ctx, {args, flags}) => {
    const result = await addSibling(ctx, {
      name: parseSiblingName(args.name!),
      location: args.location!,
      ...(flags.lead ? {lead: parseAgentName(flags.lead)} : {}),
    })
    if (result.warning) ctx.warn(result.warning)
    return result.sibling
  },
  text: (sibling) => `Added sibling ${sibling.name} at ${printableLine(withoutCredentials(sibling.url))}. Fetch its records with: relay sync\n`,
  toJson: siblingJson,
})

export const bridgeList = defineCommand({
  bin: 'relay',
  name: 'bridge list',
  summary: 'List the sibling projects',
  examples: ['relay bridge list', 'relay bridge list --json'],
  args: [],
  flags: {},
  json: true,
  run: (ctx) => listSiblings(ctx),
  text: siblingsText,
  toJson: (siblings) => siblings.map(siblingJson),
})

export const bridgeRemove = defineCommand({
  bin: 'relay',
  name: 'bridge remove',
  summary: 'Remove a sibling project and the copy of its records',
  examples: ['relay bridge remove frontend'],
  args: [{name: 'name', description: "the sibling's name", required: true}],
  flags: {},
  json: true,
  run: async (ctx, {args}) => ({name: parseSiblingName(args.name!), removed: await removeSibling(ctx, parseSiblingName(args.name!))}),
  text: (result) => `Removed sibling ${result.name}.\n`,
  toJson: (result) => result,
})
