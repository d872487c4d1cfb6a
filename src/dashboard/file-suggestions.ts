// The JSON of GET /api/files (./why.ts): the tracked files that complete a path typed in the file view. Its own
// module without imports, so the page's code (./web) reads the shape without the server's.

export interface FileSuggestionsJson {
  query: string
  /** The tracked files that match, best first: the path starts with the query, then its file name does, then it holds it. */
  files: string[]
  /** How many tracked files match in all (more than `files` holds when the list was cut). */
  total: number
}
