import assert from 'node:assert/strict'
import {describe, it} from 'node:test'
import {Parser} from '@oclif/core'
import {allFlags, type CommandDefinition, type FlagSpecs} from '../../src/cli/definition.js'
import {HOT_RELAY} from '../../src/cli/hot-relay.js'
import {HOT_TRAIL} from '../../src/cli/hot-trail.js'
import {prepareArgv} from '../../src/cli/globals.js'
import {normaliseFlags, oclifArgs, oclifFlags} from '../../src/cli/oclif.js'
import {parseArgv} from '../../src/cli/parse-argv.js'

// The hot commands are parsed by two front ends built from one declaration: node:util's parseArgs on the fast
// path, oclif's parser everywhere else (and for --help). For every hot command, the same argv must give the same
// input through both, and what one refuses the other refuses too.

// biome-ignore lint/suspicious/noExplicitAny: a definition of any flags and result (the table serves them all)
type AnyDefinition = CommandDefinition<any, any>

async function parseWithOclif(definition: AnyDefinition, argv: string[]) {
  const specs = allFlags(definition)
  // As src/cli/oclif.ts runs it: a variadic command is not strict, and the words past its arguments are `rest`.
  const parsed = await Parser.parse(argv, {flags: oclifFlags(specs), args: oclifArgs(definition.args), strict: !definition.variadic})
  const args: Record<string, string | undefined> = {}
  for (const arg of definition.args) args[arg.name] = parsed.args[arg.name] as string | undefined
  const rest = definition.variadic ? (parsed.argv as string[]).slice(definition.args.length) : undefined
  return {args, ...(rest ? {rest} : {}), flags: normaliseFlags(specs, parsed.flags as Record<string, unknown>)}
}

/** Argv samples that exercise every flag of a definition: plain values, values with spaces, dashes, repeats. */
function samples(definition: AnyDefinition): string[][] {
  const specs: FlagSpecs = allFlags(definition)
  const required = definition.args.filter((arg) => arg.required).map((_arg, i) => `value ${i}`)
  const requiredFlags = Object.entries(specs)
    .filter(([, spec]) => spec.required)
    .flatMap(([name]) => [`--${name}`, `required ${name}`])
  const base = [...required, ...requiredFlags]
  const out: string[][] = [base]
  for (const [name, spec] of Object.entries(specs)) {
    if (spec.required) continue
    if (spec.type === 'boolean') {
      out.push([...base, `--${name}`])
      if (spec.char) out.push([`-${spec.char}`, ...base])
    } else {
      const value = spec.options?.[0] ?? 'a value, with spaces'
      out.push([...base, `--${name}`, value])
      out.push([`--${name}=${value}`, ...base])
      if (!spec.options) out.push([...base, `--${name}`, '-0.5'])
      if (spec.multiple) out.push([...base, `--${name}`, spec.options?.[0] ?? 'one', `--${name}`, spec.options?.[1] ?? 'two'])
    }
  }
  return out
}

describe('the fast path and oclif parse alike', () => {
  for (const definition of [...HOT_TRAIL, ...HOT_RELAY]) {
    it(`${definition.bin} ${definition.name}`, async () => {
      for (const argv of samples(definition)) {
        assert.deepEqual(parseArgv(definition, argv), await parseWithOclif(definition, argv), argv.join(' '))
      }
      // Extra words are refused, except by a variadic command (relay inbox --mark-read <id>...), which takes them.
      const bad = [['--no-such-flag', ...samples(definition)[0]!], ...(definition.variadic ? [] : [[...samples(definition)[0]!, 'one', 'two', 'three']])]
      for (const argv of bad) {
        assert.throws(() => parseArgv(definition, argv), argv.join(' '))
        await assert.rejects(parseWithOclif(definition, argv), argv.join(' '))
      }
    })
  }
})

describe('the global flags (--color, --no-pager, -P) are taken out alike before either front end parses', () => {
  for (const definition of [...HOT_TRAIL, ...HOT_RELAY]) {
    it(`${definition.bin} ${definition.name}`, async () => {
      for (const argv of samples(definition)) {
        for (const globals of [['--color=never'], ['--color'], ['--no-pager'], ['-P', '--color=auto']]) {
          const words = prepareArgv([...globals, ...argv, ...globals])
          assert.deepEqual(words, argv, `${globals.join(' ')} taken out of ${argv.join(' ')}`)
          assert.deepEqual(parseArgv(definition, words), await parseWithOclif(definition, words), words.join(' '))
        }
      }
    })
  }
})
