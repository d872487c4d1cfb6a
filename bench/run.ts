import {benchTrailCommands} from './trail-commands.js'

// `npm run bench`: every benchmark, printed as Markdown. Options: --quick (fewer rounds, smaller stores),
// --only <name> (trail).

const args = process.argv.slice(2)
const quick = args.includes('--quick')
const only = args.includes('--only') ? args[args.indexOf('--only') + 1] : undefined

const sections: string[] = []
if (!only || only === 'trail') {
  sections.push(benchTrailCommands({sizes: quick ? [0, 1000] : [0, 10_000, 100_000], rounds: quick ? 5 : 21, compare: !quick}))
}
process.stdout.write(`${sections.join('\n\n')}\n`)
