import {isAscii} from 'node:buffer'

// Bytes of agent output to text, chunk by chunk. TextDecoder with {stream: true} decodes at about 150-250 MB/s on
// this machine kind, which alone kept `relay ingest` under its goal of 100 MB/s for the whole command; most agent
// output is ASCII, which `isAscii` (simdutf) recognises and latin1Slice turns into a string several times faster.
// Other chunks are decoded as UTF-8 up to their last whole character; the rest is carried into the next chunk,
// so a character cut between two chunks is decoded whole. Invalid bytes become U+FFFD, and a "\n" byte is always
// one "\n" (the parser's line ends map to byte offsets by counting 0x0A).

/**
 * @example
 * const decoder = new ChunkDecoder(true)
 * const text = decoder.decode(chunk) + decoder.end()
 */
export class ChunkDecoder {
  private carry: Buffer | null = null

  /** `atStart`: the first chunk is the start of the input, where a byte order mark is dropped. */
  constructor(private atStart: boolean) {}

  decode(chunk: Buffer | string): string {
    if (typeof chunk === 'string') return this.end() + chunk
    let bytes = this.carry ? Buffer.concat([this.carry, chunk]) : chunk
    this.carry = null
    if (this.atStart) {
      if (bytes.length < 3 && isBomStart(bytes)) {
        this.carry = Buffer.from(bytes)
        return ''
      }
      this.atStart = false
      if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) bytes = bytes.subarray(3)
    }
    if (isAscii(bytes)) return bytes.toString('latin1')
    const whole = wholeLength(bytes)
    if (whole < bytes.length) this.carry = Buffer.from(bytes.subarray(whole))
    return bytes.toString('utf8', 0, whole)
  }

  /** What is left (an unfinished character becomes U+FFFD). */
  end(): string {
    const rest = this.carry
    this.carry = null
    this.atStart = false
    return rest ? rest.toString('utf8') : ''
  }
}

function isBomStart(bytes: Buffer): boolean {
  return [0xef, 0xbb, 0xbf].slice(0, bytes.length).every((byte, index) => bytes[index] === byte)
}

/** The length of `bytes` without an unfinished UTF-8 sequence at its end. */
function wholeLength(bytes: Buffer): number {
  for (let back = 1; back <= Math.min(3, bytes.length); back++) {
    const byte = bytes[bytes.length - back]!
    if ((byte & 0xc0) === 0x80) continue
    const need = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1
    return need > back ? bytes.length - back : bytes.length
  }
  return bytes.length
}
