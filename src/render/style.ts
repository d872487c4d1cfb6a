// How text output adapts to where it goes: colour and relative times on a terminal (with NO_COLOR unset), plain
// stable lines into a pipe. Control characters in text an agent or a sibling wrote are shown, never sent to the
// terminal: that is done for every byte printed, on the way out (./terminal.ts); paint() marks colour so that it
// survives that pass and nothing else can pass as colour. What renderers do here is shape: a one-line field stays
// on one line (printableLine), a table cell stays one cell.

import {clip, oneLine} from '../model/text.js'
import {colourMarker, escapeControls, visibleWidth} from './terminal.js'

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
  if (!style.isTTY) return rows.map((row) => `${row.map(tableCell).join('\t')}\n`).join('')
  const lines = alignColumns(header ? [header, ...rows] : rows)
  return lines.map((line, index) => `${header && index === 0 ? paint(style, 'bold', line) : line}\n`).join('')
}

/**
 * Rows as lines of aligned columns, two spaces apart: every cell of a column starts at the same column of the
 * terminal, whatever the cells hold (colour, escapes, wide characters: ./terminal.ts visibleWidth measures them as
 * shown). Cells are made one line as in table(). Every table and column list of the CLI is laid out here.
 *
 * @example alignColumns([['ID', 'TITLE'], ['traj_1', '日本']]) // ['ID      TITLE', 'traj_1  日本']
 */
export function alignColumns(rows: readonly (readonly string[])[]): string[] {
  const cells = rows.map((row) => row.map((text) => ({text: tableCell(text), width: 0})))
  const widths: number[] = []
  for (const row of cells) {
    for (const [column, cell] of row.entries()) {
      cell.width = visibleWidth(cell.text)
      widths[column] = Math.max(widths[column] ?? 0, cell.width)
    }
  }
  return cells.map((row) =>
    row
      .map((cell, column) => (column === row.length - 1 ? cell.text : cell.text + ' '.repeat(widths[column]! - cell.width)))
      .join('  ')
      .trimEnd(),
  )
}

function tableCell(text: string): string {
  return printable(oneLine(text)).replace(/\t/g, '\\t')
}
