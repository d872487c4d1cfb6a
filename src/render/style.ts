// How text output adapts to where it goes: colour and relative times on a terminal (with NO_COLOR unset), plain
// stable lines into a pipe. Control characters in text an agent or a sibling wrote are shown, never sent to the
// terminal: that is done for every byte printed, on the way out (./terminal.ts); paint() marks colour so that it
// survives that pass and nothing else can pass as colour. What renderers do here is shape: a one-line field stays
// on one line (printableLine), a table cell stays one cell.

import {clip, oneLine} from '../model/text.js'
import {colourMarker, escapeControls, visibleLength} from './terminal.js'

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

/** `text` in colour on a terminal: marked here, turned into SGR codes only on the way out (./terminal.ts). */
export function paint(style: OutputStyle, how: Paint, text: string): string {
  if (!style.color) return text
  const [open, close] = CODES[how]
  return `${colourMarker(open)}${text}${colourMarker(close)}`
}

/** Shows control characters (other than line breaks and tabs) as visible escapes (./terminal.ts says which). */
export function printable(text: string): string {
  return escapeControls(text)
}

/** One printable line: line breaks become spaces, long text is cut with an ellipsis. */
export function printableLine(text: string, maxChars = Infinity): string {
  return clip(printable(oneLine(text)), maxChars)
}

/** "2026-11-21 10:05" on a terminal with "(12 minutes ago)", the ISO time into a pipe; one line either way. */
export function formatTime(iso: string, style: OutputStyle): string {
  if (!style.isTTY) return printableLine(iso)
  const date = new Date(iso)
  return `${printableLine(iso.slice(0, 16).replace('T', ' '))} (${relativeTime(date, style.now)})`
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

/**
 * Aligned columns on a terminal; tab-separated fields into a pipe (stable, for cut and awk). Either way a row is
 * one line and a cell one column: in a cell, line breaks become a space (as in every one-line field) and a TAB is
 * shown as \t.
 */
export function table(rows: readonly (readonly string[])[], style: OutputStyle, header?: readonly string[]): string {
  const cells = rows.map((row) => row.map(tableCell))
  if (!style.isTTY) return cells.map((row) => `${row.join('\t')}\n`).join('')
  const all = header ? [header, ...cells] : cells
  const widths = all[0]?.map((_, column) => Math.max(...all.map((row) => visibleLength(row[column] ?? '')))) ?? []
  const line = (row: readonly string[]) =>
    row
      .map((cell, column) => (column === row.length - 1 ? cell : cell + ' '.repeat(Math.max(0, widths[column]! - visibleLength(cell)))))
      .join('  ')
      .trimEnd()
  return all.map((row, index) => `${header && index === 0 ? paint(style, 'bold', line(row)) : line(row)}\n`).join('')
}

function tableCell(text: string): string {
  return printable(oneLine(text)).replace(/\t/g, '\\t')
}
