import type {HistoryPageJson, MessageItemJson, MessagePageJson, TrajectoryItemJson, TrajectoryPageJson} from '../../render/dashboard.js'

// Where the page's data comes from: the server's API (live), or the JSON files of an export (static), which the
// page filters and pages itself. Views ask for the same paths either way.

export type Params = Record<string, string | undefined>

export interface Source {
  mode: 'live' | 'static'
  get<T>(path: string, params?: Params): Promise<T>
  /** Sends a message (live, with --allow-send). */
  send(input: {to: string; body: string; thread: string | null}): Promise<{message: {id: string; to: string}; warnings: string[]}>
}

/** An answer that is an error: the server's message and hint. */
export class RequestError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly hint?: string,
  ) {
    super(message)
  }
}

function query(params: Params = {}): string {
  const search = new URLSearchParams()
  for (const [key, value] of Object.entries(params)) if (value !== undefined && value !== '') search.set(key, value)
  const text = search.toString()
  return text === '' ? '' : `?${text}`
}

async function answer<T>(response: Response): Promise<T> {
  const body = (await response.json().catch(() => null)) as {error?: {message?: string; hint?: string}} | null
  if (!response.ok) throw new RequestError(body?.error?.message ?? `${response.status} ${response.statusText}`, response.status, body?.error?.hint ?? undefined)
  return body as T
}

export function liveSource(csrf: string): Source {
  return {
    mode: 'live',
    get: async (path, params) => answer(await fetch(`api/${path}${query(params)}`, {credentials: 'same-origin', headers: {Accept: 'application/json'}})),
    send: async (input) =>
      answer(
        await fetch('api/messages', {
          method: 'POST',
          credentials: 'same-origin',
          headers: {'Content-Type': 'application/json', 'X-Relay-CSRF': csrf},
          body: JSON.stringify(input),
        }),
      ),
  }
}

/** The export's files, read once each. */
export function staticSource(): Source {
  const files = new Map<string, Promise<unknown>>()
  const file = <T>(path: string): Promise<T> => {
    let loaded = files.get(path)
    if (!loaded) {
      loaded = fetch(`data/${path}`).then((response) => {
        if (!response.ok)
          throw new RequestError(
            response.status === 404 ? 'not in this snapshot' : `${response.status} ${response.statusText}`,
            response.status,
            'a snapshot holds the newest records only; the live dashboard has all',
          )
        return response.json()
      })
      files.set(path, loaded)
    }
    return loaded as Promise<T>
  }
  const page = <T>(items: T[], params: Params) => {
    const limit = Number(params.limit ?? 30)
    const number = Math.max(1, Number(params.page ?? 1))
    const start = (number - 1) * limit
    return {page: number, limit, more: items.length > start + limit, items: items.slice(start, start + limit)}
  }
  return {
    mode: 'static',
    get: async <T>(path: string, params: Params = {}): Promise<T> => {
      const parts = path.split('/').map(encodeURIComponent)
      if (path === 'trajectories') {
        const since = params.since ? Date.parse(params.since) : undefined
        const until = params.until ? Date.parse(params.until) + (/^\d{4}-\d\d-\d\d$/.test(params.until) ? 86_400_000 - 1 : 0) : undefined
        const all = (await file<TrajectoryItemJson[]>('trajectories.json')).filter(
          (t) =>
            (!params.project || t.project === params.project || t.sibling === params.project) &&
            (!params.agent || t.agent === params.agent) &&
            (!params.status || t.status === params.status) &&
            (since === undefined || Date.parse(t.started) >= since) &&
            (until === undefined || Date.parse(t.started) <= until),
        )
        const {items, ...rest} = page(all, params)
        return {...rest, total: all.length, trajectories: items} satisfies TrajectoryPageJson as T
      }
      if (parts[0] === 'trajectories') return file(`trajectory/${parts[1]}/${parts[2]}.json`)
      if (path === 'messages') {
        const all = await file<MessagePageJson>('messages.json')
        const matching = all.messages.filter(
          (m: MessageItemJson) =>
            (!params.project || m.project === params.project || m.to.split(':')[0] === params.project) &&
            (!params.agent || m.from === params.agent || m.to.split(':').at(-1) === params.agent) &&
            (!params.thread || m.thread === params.thread) &&
            (params.unanswered !== '1' || m.unanswered),
        )
        const {items, ...rest} = page(matching, params)
        return {...rest, total: matching.length, messages: items, threads: all.threads} satisfies MessagePageJson as T
      }
      if (parts[0] === 'threads') {
        const all = await file<MessagePageJson>('messages.json')
        return {thread: path.slice('threads/'.length), messages: all.messages.filter((m) => m.thread === decodeURIComponent(parts[1]!)).reverse()} as T
      }
      if (parts[0] === 'summaries' && parts.length === 3) {
        const history = await file<HistoryPageJson>(`summaries/${parts[1]}/${parts[2]}.json`)
        return (Number(params.page ?? 1) > 1 ? {...history, page: Number(params.page), entries: [], more: false} : history) as T
      }
      if (path === 'search') throw new RequestError('search needs the live dashboard', 400, 'run relay dashboard in the repository')
      if (path === 'why' || path === 'files')
        throw new RequestError('the file view needs the live dashboard: a snapshot holds no history of the files', 400, 'run relay dashboard in the repository')
      return file(`${path}.json`)
    },
    send: async () => {
      throw new RequestError('a snapshot cannot send messages', 400)
    },
  }
}
