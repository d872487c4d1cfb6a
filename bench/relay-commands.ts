import {benchEnv, NODE_BASELINE, RELAY} from './harness.js'
import type {StoreTable} from './store-tables.js'

// The hot `relay` commands (issue: continuity and the agent-output protocol): save and load of the continuity
// ledger, and ingest of a short block, as ratios to `node -e 0`. Goal: at most 2.0x, flat at 100,000 records.

const SAVE = 'Current task: Implementing user authentication\nCompleted: User model, JWT utils\nIn progress: Login endpoint\nKey decisions: Using refresh tokens\nFiles: src/auth/jwt.ts:10-50, src/models/user.ts'

export const RELAY_HOT: StoreTable = {
  title: 'relay, hot commands',
  steps: (cwd) => {
    const env = benchEnv({AGENT_RELAY_NAME: 'bench'})
    const relay = (...args: string[]) => [process.execPath, RELAY, ...args]
    return [
      {...NODE_BASELINE, cwd},
      {name: 'relay continuity save', argv: relay('continuity', 'save', SAVE), cwd, env},
      {name: 'relay continuity save --handoff', argv: relay('continuity', 'save', '--handoff', SAVE), cwd, env},
      {name: 'relay continuity load', argv: relay('continuity', 'load'), cwd, env},
      {name: 'relay continuity uncertain', argv: relay('continuity', 'uncertain', 'API rate limit handling unclear'), cwd, env},
      {name: 'relay ingest (a short block on stdin)', argv: relay('ingest'), input: '->continuity:uncertain "rate limits"\n', cwd, env},
    ]
  },
}
