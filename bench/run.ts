import {benchDashboard} from './dashboard.js'
import {benchFsReplace} from './fs-replace.js'
import {benchHooks} from './hooks.js'
import {benchIngest} from './ingest.js'
import {benchMcp} from './mcp.js'
import {benchCompat} from './compat.js'
import {benchParser} from './parser.js'
import {benchRedaction} from './redact.js'
import {benchCloneSync} from './clone-sync.js'
import {benchReview} from './review.js'
import {benchSiblingSync, RELAY_HOT, RELAY_SEARCH} from './relay-commands.js'
import {benchStoreTables, type StoreTable} from './store-tables.js'
import {benchAgainstAgentTrajectories, OTHER_COMMANDS, TRAIL_HOT, TRAIL_READS} from './trail-commands.js'
import {benchWhy} from './why.js'

// `npm run bench`: every benchmark, printed as Markdown; every command as its median time and the median and mean
// of its per-round ratio to a baseline run in the same rounds (node -e 0, or raw git). Options:
//   --quick          fewer rounds and smaller stores (0 and 1,000 trajectories), no comparison
//   --only <names>   comma-separated: trail, reads, relay, search, sync, parser, ingest, compare, hooks, redact,
//                    dashboard, mcp, compat, review, why, clone, fs, other

const args = process.argv.slice(2)
const quick = args.includes('--quick')
const only = args.includes('--only') ? new Set(args[args.indexOf('--only') + 1]!.split(',')) : null
const wanted = (name: string) => only === null || only.has(name)
const rounds = quick ? 5 : 21

const sections: string[] = []
if (wanted('parser')) sections.push(benchParser(quick ? 16 : 64, quick ? 3 : 7))
if (wanted('ingest')) sections.push(benchIngest(quick ? 20 : 100, quick ? 3 : 7))
const tables: StoreTable[] = [
  wanted('trail') ? TRAIL_HOT : null,
  wanted('relay') ? RELAY_HOT : null,
  wanted('reads') ? TRAIL_READS : null,
  wanted('search') ? RELAY_SEARCH : null,
  wanted('other') ? OTHER_COMMANDS : null,
].filter((table): table is StoreTable => table !== null)
if (tables.length > 0) sections.push(benchStoreTables(tables, quick ? [0, 1000] : [0, 10_000, 100_000], rounds))
if (wanted('sync')) sections.push(benchSiblingSync(rounds))
if (wanted('clone')) sections.push(benchCloneSync(quick ? [1000] : [10_000, 100_000], quick ? 3 : 5))
if (wanted('mcp')) sections.push(await benchMcp(quick ? [0, 1000] : [0, 10_000, 100_000], rounds))
if (wanted('compare') && !quick) sections.push(benchAgainstAgentTrajectories(rounds))
if (wanted('hooks')) sections.push(benchHooks(rounds))
if (wanted('redact')) sections.push(benchRedaction())
if (wanted('dashboard')) sections.push(await benchDashboard(quick ? [0, 1000] : [0, 10_000, 100_000], quick ? 3 : 7))
if (wanted('compat')) sections.push(benchCompat(quick ? 5 : rounds, quick ? {importCount: 1000, importRuns: 1} : {}))
if (wanted('review')) sections.push(await benchReview(quick ? 5 : 11, quick ? [0, 1000] : [0, 10_000]))
if (wanted('fs')) sections.push(benchFsReplace(rounds))
if (wanted('why')) sections.push(await benchWhy(quick ? 5 : 11, quick ? [0, 1000] : [0, 10_000]))
process.stdout.write(`${sections.join('\n\n')}\n`)
