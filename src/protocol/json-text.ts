// JSON text of values parsed from agent output, at any depth. JSON.parse reads 100,000 nested levels (V8 parses
// iteratively), but JSON.stringify and every recursive walk overflow the stack a few thousand levels down; a
// [[SUMMARY]] nested that deep was lost whole. This walk keeps its own stack, so depth costs memory, not stack.
//
// Pure: no I/O.

/** An array or object being written: its items (or keys) and how many are written. */
interface Frame {
  array: readonly unknown[] | null
  object: Record<string, unknown> | null
  keys: string[] | null
  at: number
  /** Whether something is written in it yet (for the commas). */
  written: boolean
}

/**
 * The same text as JSON.stringify(value) for what JSON.parse returns (objects, arrays, strings, numbers, booleans,
 * null), at any depth; `undefined`, functions and symbols inside are left out as JSON.stringify leaves them out.
 *
 * @example stringifyJson(JSON.parse('[[[1]]]')) // '[[[1]]]'
 */
export function stringifyJson(value: unknown): string {
  let out = ''
  const stack: Frame[] = []
  let next: unknown = value
  let pending = true
  for (;;) {
    if (pending) {
      pending = false
      if (Array.isArray(next)) {
        out += '['
        stack.push({array: next, object: null, keys: null, at: 0, written: false})
      } else if (next !== null && typeof next === 'object' && typeof (next as {toJSON?: unknown}).toJSON !== 'function') {
        out += '{'
        stack.push({array: null, object: next as Record<string, unknown>, keys: Object.keys(next), at: 0, written: false})
      } else {
        out += isWritten(next) ? JSON.stringify(next) : 'null'
      }
    }
    const frame = stack[stack.length - 1]
    if (!frame) break
    if (frame.array) {
      if (frame.at === frame.array.length) {
        out += ']'
        stack.pop()
        continue
      }
      if (frame.at > 0) out += ','
      const item = frame.array[frame.at++]
      next = isWritten(item) ? item : null
      pending = true
    } else {
      const keys = frame.keys!
      while (frame.at < keys.length && !isWritten(frame.object![keys[frame.at]!])) frame.at++
      if (frame.at === keys.length) {
        out += '}'
        stack.pop()
        continue
      }
      const key = keys[frame.at++]!
      out += `${frame.written ? ',' : ''}${JSON.stringify(key)}:`
      frame.written = true
      next = frame.object![key]
      pending = true
    }
  }
  return out
}

function isWritten(value: unknown): boolean {
  return value !== undefined && typeof value !== 'function' && typeof value !== 'symbol'
}
