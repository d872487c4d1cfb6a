import {EXIT} from '../../../errors.js'
import {importJson, importText} from '../../../render/import.js'
import {importTrajectories} from '../../../services/import.js'
import {defineCommand} from '../../definition.js'

export const importCommand = defineCommand({
  bin: 'trail',
  name: 'import',
  summary: 'Import the history agent-trajectories left in this repository, in one commit',
  description:
    'Reads .trajectories/ (index.json, active/, completed/YYYY-MM/) and .agentworkforce/trajectories/ (active/<id>/, ' +
    'completed/YYYY-MM/<id>/), or the folders named, and $TRAJECTORIES_DATA_DIR and $TRAJECTORIES_SEARCH_PATHS when ' +
    'none is. Each trajectory keeps its times and its old id (trail show accepts it); what does not map to a field is ' +
    'kept verbatim, so trail export --format agent-trajectories gives the file back. Running it again adds only what ' +
    'is new. Files agent-trajectories itself cannot load are listed with the reason, and the exit code is then 1.',
  examples: ['trail import', 'trail import --dry-run', 'trail import ../old-checkout/.trajectories'],
  args: [{name: 'dir', description: 'a data folder, or a folder holding .trajectories/ or .agentworkforce/trajectories/'}],
  variadic: true,
  flags: {
    'dry-run': {type: 'boolean', description: 'say what would be imported, and what cannot be, without writing'},
  },
  json: true,
  run: (ctx, {args, rest, flags}) => {
    const stderr = process.stderr
    let shown = 0
    const progress = stderr.isTTY
      ? (step: string, done: number, total: number) => {
          const now = Date.now()
          if (done === total || now - shown > 100) {
            shown = now
            stderr.write(`\r${step} ${done}/${total}${done === total ? '\n' : ''}`)
          }
        }
      : undefined
    return importTrajectories(ctx, {dirs: [args.dir, ...(rest ?? [])].filter((dir): dir is string => dir !== undefined), dryRun: flags['dry-run'], progress})
  },
  text: (result) => importText(result, process.cwd()),
  toJson: importJson,
  exitCode: (result) => (result.unreadable.length > 0 ? EXIT.failure : EXIT.ok),
})
