// JSON text of values parsed from agent output, at any depth. JSON.parse reads 100,000 nested levels (V8 parses
// iteratively), but JSON.stringify and every recursive walk overflow the stack a few thousand levels down; a
// [[SUMMARY]] nested that deep was lost whole. This walk keeps its own stack, so depth costs memory, not stack.
//
// Pure: no I/O.

type Frame =
  | {kind: 'array'; items: readonly unknown[]; at: number}
  | {kind: 'object'; entries: [string, unknown][]; at: number}

/**
 * The same text as JSON.stringify(value) for what JSON.parse returns (objects, arrays, strings, numbers, booleans,
 * null), at any depth; `undefined`, functions and symbols inside are left out as JSON.stringify leaves them out.
 *
 * @example stringifyJson(JSON.parse('[[[1]]]')) // '[[[1]]]'
 */
export function stringifyJson(value: unknown): string {
  const out: string[] = []
  const stack: Frame[] = []
  let next: unknown = value
  let pending = true
  for (;;) {
    if (pending) {
      pending = false
      if (Array.isArray(next)) {
        out.push('[')
        stack.push({kind: 'array', items: next, at: 0})
      } else if (next !== null && typeof next === 'object' && typeof (next as {toJSON?: unknown}).toJSON !== 'function') {
        out.push('{')
        stack.push({kind: 'object', entries: Object.entries(next).filter(([, item]) => isWritten(item)), at: 0})
      } else {
        out.push(isWritten(next) ? JSON.stringify(next) : 'null')
      }
    }
    const frame = stack[stack.length - 1]
    if (!frame) break
    if (frame.kind === 'array') {
      if (frame.at === frame.items.length) {
        out.push(']')
        stack.pop()
        continue
      }
      if (frame.at > 0) out.push(',')
      const item = frame.items[frame.at++]
      next = isWritten(item) ? item : null
      pending = true
    } else {
      if (frame.at === frame.entries.length) {
        out.push('}')
        stack.pop()
        continue
      }
      const [key, item] = frame.entries[frame.at++]!
      out.push(`${frame.at > 1 ? ',' : ''}${JSON.stringify(key)}:`)
      next = item
      pending = true
    }
  }
  return out.join('')
}

function isWritten(value: unknown): boolean {
  return value !== undefined && typeof value !== 'function' && typeof value !== 'symbol'
}
