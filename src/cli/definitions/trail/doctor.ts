import {EXIT, UsageError} from '../../../errors.js'
import {doctorJson, doctorText} from '../../../render/setup.js'
import {runDoctor} from '../../../services/setup.js'
import {defineCommand} from '../../definition.js'

export const doctor = defineCommand({
  bin: 'trail',
  name: 'doctor',
  summary: 'Check the record store and say how to fix what is wrong',
  description:
    'Checks: git fsck of refs/trail/records, that every record parses, stale lock files, the mirror against the ' +
    'ref, info/exclude, the commit identity. Exits 1 when a problem remains. --fix removes stale locks, rebuilds ' +
    'the mirror and adds the exclude entries; it never rewrites the ref.',
  examples: ['trail doctor', 'trail doctor --fix'],
  args: [],
  flags: {
    fix: {type: 'boolean', description: 'repair what can be repaired safely'},
    quarantine: {type: 'boolean', description: "agent-trajectories' flag: refused (relay-trail never moves files)"},
  },
  json: true,
  run: (ctx, {flags}) => {
    if (flags.quarantine) {
      throw new UsageError(
        "trail doctor --quarantine is agent-trajectories' flag: relay-trail never moves your files",
        'list the old files that do not load with: trail import --dry-run; check the store with: trail doctor',
        'E_NOT_SUPPORTED',
      )
    }
    return runDoctor(ctx, {fix: flags.fix})
  },
  text: doctorText,
  toJson: doctorJson,
  exitCode: (result) => (result.healthy ? EXIT.ok : EXIT.failure),
})
