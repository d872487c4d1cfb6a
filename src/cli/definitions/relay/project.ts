import {parseAgentName, parseProjectName} from '../../../model/names.js'
import {projectJson, projectText} from '../../../render/projects.js'
import {setProject, showProject} from '../../../services/projects.js'
import {defineCommand} from '../../definition.js'

export const project = defineCommand({
  bin: 'relay',
  name: 'project',
  summary: "Show or set this project's id and lead",
  description:
    "Siblings address this project's agents as <id>:<agent>; <id>:lead reaches the lead. Kept in .relay/project.yaml " +
    "on the store; the default id is the repository folder's name.",
  examples: ['relay project', 'relay project --id backend --lead Architect'],
  args: [],
  flags: {
    id: {type: 'string', description: 'set the project id', helpValue: '<name>'},
    lead: {type: 'string', description: 'set the lead agent', helpValue: '<agent>'},
  },
  json: true,
  run: (ctx, {flags}) =>
    flags.id === undefined && flags.lead === undefined
      ? showProject(ctx)
      : setProject(ctx, {
          ...(flags.id === undefined ? {} : {id: parseProjectName(flags.id)}),
          ...(flags.lead === undefined ? {} : {lead: parseAgentName(flags.lead)}),
        }),
  text: projectText,
  toJson: projectJson,
})
