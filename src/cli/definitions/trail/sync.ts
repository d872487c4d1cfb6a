import type {CloneSyncResult} from '../../../model/results.js'
import {cloneSyncText} from '../../../render/sync.js'
import {syncWithRemote} from '../../../services/sync.js'
import {defineCommand} from '../../definition.js'

export const sync = defineCommand({
  bin: 'trail',
  name: 'sync',
  summary: 'Bring the records of this clone and a remote together',
  description:
    "Fetches the remote's refs/trail/records, then adopts it (a new clone), fast-forwards to it, or merges it: a " +
    'union of records, where a record changed on both sides is merged by meaning (a finished trajectory beats an ' +
    'active one, later changes win field by field, lists are united), never with conflict markers. Then pushes, ' +
    "fast-forward only (never forced), going round again if the remote moved meanwhile. Whatever the remote's " +
    'commits bring is checked first: symbolic links, paths outside the layout and records over the size limit are ' +
    "left out with a warning, and then the remote's commits do not become part of this store.",
  examples: ['trail sync', 'trail sync upstream', 'trail sync ../other-clone'],
  args: [{name: 'remote', description: 'a remote of this repository, a path or a URL (default: origin)'}],
  flags: {},
  json: true,
  run: (ctx, {args}, io) => syncWithRemote(ctx, args.remote ?? 'origin', io.progress),
  text: cloneSyncText,
  toJson: (result: CloneSyncResult) => result,
  // A remote whose commits hold entries that do not fit: what fits is merged, and nothing could be pushed there.
  exitCode: (result: CloneSyncResult) => (result.pushBlocked ? 1 : 0),
})
