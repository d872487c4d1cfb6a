import {renameSync} from 'node:fs'
import {buildStore} from '../../bench/stores.js'
import {makeTempDir} from './repo.js'

/**
 * A repository whose refs/trail/records holds `trajectories` completed trajectories, written by one git
 * fast-import (bench/stores.ts), moved into a relay-trail-test- folder. The caller removes it.
 */
export function buildTestStore(trajectories: number, options: Parameters<typeof buildStore>[1] = {}): string {
  const built = buildStore(trajectories, options)
  const dir = makeTempDir('store')
  // rename(2) puts a folder in the place of an empty one.
  renameSync(built, dir)
  return dir
}
