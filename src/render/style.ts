// How text output adapts to where it goes: colour and relative times on a terminal (with NO_COLOR unset), plain
// stable lines into a pipe. And the one rule for printing text an agent wrote: control characters are shown, never
// sent to the terminal (an escape sequence in a title must not repaint the user's screen).

import {clip, oneLine} from '../model/text.js'

export interface OutputStyle {
  isTTY: boolean
  color: boolean
  now: Date
}

export const PLAIN_STYLE: OutputStyle = {isTTY: false, color: false, now: new Date(0)}

type Paint = 'bold' | 'dim' | 'green' | 'yellow' | 'red' | 'cyan'
const CODES: Record<Paint, [number, number]> = {
  bold: [1, 22],
  dim: [2, 22],
  green: [32, 39],
  yellow: [33, 39],
  red: [31, 39],
  cyan: [36, 39],
}

export function paint(style: OutputStyle, how: Paint, text: string): string {
  if (!style.color) return text
  const [open, close] = CODES[how]
  return `\u001b[${open}m${text}\u001b[${close}m`
}

/** Shows control characters (other than line breaks and tabs) as visible escapes. */
export function printable(text: string): string {
  return text.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, (char) => `\\x${char.charCodeAt(0).toString(16).padStart(2, '0')}`)
}

/** One printable line: line breaks become spaces, long text is cut with an ellipsis. */
export function printableLine(text: string, maxChars = Infinity): string {
  return clip(printable(oneLine(text)), maxChars)
}

/** "2026-11-21 10:05" on a terminal with "(12 minutes ago)", the ISO time into a pipe. */
export function formatTime(iso: string, style: OutputStyle): string {
  if (!style.isTTY) return iso
  const date = new Date(iso)
  return `${iso.slice(0, 16).replace('T', ' ')} (${relativeTime(date, style.now)})`
}

export function relativeTime(date: Date, now: Date): string {
  const seconds = Math.round((now.getTime() - date.getTime()) / 1000)
  if (seconds < 0) return 'in the future'
  const steps: [number, string][] = [
    [60, 'second'],
    [60, 'minute'],
    [24, 'hour'],
    [30, 'day'],
    [12, 'month'],
    [Infinity, 'year'],
  ]
  let value = seconds
  for (const [size, unit] of steps) {
    if (value < size) return value <= 1 && unit === 'second' ? 'just now' : `${value} ${unit}${value === 1 ? '' : 's'} ago`
    value = Math.floor(value / size)
  }
  return 'long ago'
}

/** Aligned columns on a terminal; tab-separated fields into a pipe (stable, for cut and awk). */
export function table(rows: readonly (readonly string[])[], style: OutputStyle, header?: readonly string[]): string {
  if (!style.isTTY) return rows.map((row) => `${row.join('\t')}\n`).join('')
  const all = header ? [header, ...rows] : rows
  const widths = all[0]?.map((_, column) => Math.max(...all.map((row) => [...(row[column] ?? '')].length))) ?? []
  const line = (row: readonly string[]) =>
    row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column]!))).join('  ').trimEnd()
  return all.map((row, index) => `${header && index === 0 ? paint(style, 'bold', line(row)) : line(row)}\n`).join('')
}
