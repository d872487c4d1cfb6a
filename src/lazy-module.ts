import {createRequire} from 'node:module'

// Modules a command may not need, loaded on its first use and kept: node:crypto alone costs about 5 ms to load, so
// the hot commands load nothing they do not use. Asking `require` again on every use is no answer either: a
// createRequire and a look-up cost about 30 microseconds, which a write that hashes ten objects pays twenty times.
// In a bundle (CommonJS, bin/fast-path.cjs) the require it is given serves: it resolves Node's modules and this
// package's dependencies alike, and making one here would load node:module (its source-map and ES loader parts,
// about half a millisecond of every write). Compiled as an ES module (dist/src, what oclif loads), there is no
// require: one is made, on the first load (a bundle's import.meta.url is built when asked: scripts/build.mjs).
let load: ((id: string) => unknown) | undefined

/** The CommonJS wrapper's require in a bundle; absent (typeof: 'undefined') in an ES module. */
declare const require: ((id: string) => unknown) | undefined

/**
 * A getter for module `name`, loaded by the first call.
 *
 * @example const crypto = onFirstUse<typeof import('node:crypto')>('node:crypto'); crypto().createHash('sha1')
 */
export function onFirstUse<T>(name: string): () => T {
  let module: T | undefined
  return () => {
    load ??= typeof require === 'function' ? require : createRequire(import.meta.url)
    module ??= load(name) as T
    return module
  }
}
