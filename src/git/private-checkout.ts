import {mkdirSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import type {ObjectFormat, Oid} from './objects.js'
import {type Env, runGit} from './process.js'

// Many blobs written out as files by git's own checkout machinery (`update-index` into a private index, then
// `checkout-index -a`), for a whole mirror at once: git creates 20,000 files in a third of the time Node's
// file-by-file calls take (bench: clone, issue 8).
//
// Nothing of the user's configuration may change the bytes: the checkout runs with a private git directory (its own
// HEAD, index and config, the repository's objects), no system or global configuration (so no core.autocrlf, no
// core.attributesFile), no system attributes, and a work tree that is a new folder holding nothing but these files
// (so no .gitattributes, and no info/attributes of the repository's, can reach a filter or an end-of-line rule).
// Every file is written as a regular, non-executable file; links are never made (core.symlinks=false).

/** Where the repository's objects are, and how they are named. */
export interface ObjectPlace {
  commonDir: string
  objectFormat: ObjectFormat
  env: Env
}

/** One file to write: its path inside the folder, and the blob that holds its bytes. */
export interface CheckoutFile {
  path: string
  oid: Oid
}

/**
 * Writes every file of `files` under `<scratch>/work/` and returns that folder. `scratch` must not exist; the
 * caller removes it afterwards, whatever happened. Paths must already be checked (relative, no `.`, `..` or
 * `.git` part): git refuses some others, and then this throws GitError.
 *
 * @example const work = await checkoutFiles(place, join(gitDir, 'trail', 'checkout'), [{path: '.trail/a.md', oid}])
 */
export async function checkoutFiles(place: ObjectPlace, scratch: string, files: readonly CheckoutFile[]): Promise<string> {
  const gitDir = join(scratch, 'git')
  const work = join(scratch, 'work')
  mkdirSync(scratch)
  mkdirSync(gitDir)
  mkdirSync(join(gitDir, 'refs'))
  mkdirSync(work)
  writeFileSync(join(gitDir, 'HEAD'), 'ref: refs/heads/mirror\n')
  writeFileSync(join(gitDir, 'config'), privateConfig(place.objectFormat))
  const run = (args: string[], input?: string) =>
    runGit(args, {
      cwd: work,
      env: place.env,
      input,
      extraEnv: {
        GIT_DIR: gitDir,
        GIT_WORK_TREE: work,
        GIT_INDEX_FILE: join(gitDir, 'index'),
        GIT_OBJECT_DIRECTORY: join(place.commonDir, 'objects'),
        GIT_CONFIG_NOSYSTEM: '1',
        GIT_CONFIG_GLOBAL: '/dev/null',
        GIT_ATTR_NOSYSTEM: '1',
        // Configuration given on the command line of an outer git (an alias, a hook) would reach this one too.
        GIT_CONFIG_PARAMETERS: undefined,
        GIT_CONFIG_COUNT: undefined,
      },
    })
  await run(['update-index', '-z', '--index-info'], files.map((file) => `100644 ${file.oid}\t${file.path}\0`).join(''))
  await run(['checkout-index', '--all', '--force'])
  return work
}

/** The private git directory's configuration: the repository's object format, and nothing that converts or links. */
function privateConfig(format: ObjectFormat): string {
  return [
    '[core]',
    `\trepositoryformatversion = ${format === 'sha1' ? 0 : 1}`,
    '\tbare = false',
    '\tfilemode = true',
    '\tsymlinks = false',
    '\tautocrlf = false',
    '\teol = lf',
    '\tattributesFile = /dev/null',
    '\tfsmonitor = false',
    '\tsparseCheckout = false',
    ...(format === 'sha1' ? [] : ['[extensions]', `\tobjectFormat = ${format}`]),
    '',
  ].join('\n')
}
