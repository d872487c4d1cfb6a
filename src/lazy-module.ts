import {createRequire} from 'node:module'

// Modules a command may not need, loaded on its first use and kept: node:crypto alone costs about 5 ms to load, so
// the hot commands load nothing they do not use. Asking `require` again on every use is no answer either: a
// createRequire and a look-up cost about 30 microseconds, which a write that hashes ten objects pays twenty times.
// The require itself is made on the first load: a bundle's import.meta.url is built when asked (scripts/build.mjs).
let load: ReturnType<typeof createRequire> | undefined

/**
 * A getter for module `name`, loaded by the first call.
 *
 * @example const crypto = onFirstUse<typeof import('node:crypto')>('node:crypto'); crypto().createHash('sha1')
 */
export function onFirstUse<T>(name: string): () => T {
  let module: T | undefined
  return () => {
    load ??= createRequire(import.meta.url)
    module ??= load(name) as T
    return module
  }
}
