// The page type-checks the shared model and render modules whose JSON shapes it reads. One of them loads a parser
// lazily through node:module (src/model/front-matter.ts), which the page never runs: this is all the page's
// program needs to know of it, so the page's code cannot use Node's APIs by mistake.
declare module 'node:module' {
  export function createRequire(url: string): (id: string) => unknown
}
