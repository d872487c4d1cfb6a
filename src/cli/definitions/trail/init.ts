import {initJson, initText} from '../../../render/setup.js'
import {initStore} from '../../../services/setup.js'
import {defineCommand} from '../../definition.js'

export const init = defineCommand({
  bin: 'trail',
  name: 'init',
  summary: 'Set up the record store in this repository',
  description:
    'Creates refs/trail/records with its first commit, mirrors the records into .trail/ and .relay/, and lists ' +
    'those folders in .git/info/exclude. Every write command does this silently on first use; init is for doing ' +
    'it explicitly. Running it again changes nothing that is in place.',
  examples: ['trail init'],
  args: [],
  flags: {},
  json: true,
  run: (ctx) => initStore(ctx),
  text: initText,
  toJson: initJson,
})
