import {EVENTS_NOTE, NO_REASONING} from '../model/trajectory.js'
import {escapeExtended, type GrepExpression} from '../store/snapshot.js'

// What `relay search` counts on a line of a record. A record is front matter, the data (`key: value`, a list of
// `  - item` lines, a nested value as one line of JSON: ../model/front-matter.ts), and a Markdown body made from
// the same fields for people (`- Agent: bob`, `## Current task`, `# Decision: <title>`). A search finds what was
// written into records, the values and the text, never the names the format gives them: `agent`, `title` or
// `status:` find the records that say so, not every record that has such a field. git grep takes each line on its
// own, so these patterns say which part of a line is a name. The front matter holds every value, so a body line
// left out (a label, a heading) never loses a record.

/** A front matter key, or a fact's label in a body: one word. */
const WORD = '[a-z][a-z0-9_]*'

/**
 * The start of a line that names what follows, then its value (git grep -i): a front matter key or a body fact
 * (`agent: `, `- Status: `, `Question: `), a heading's label (`# Decision: `, `# Event (observation): `,
 * `## Trajectory traj_01...: `). One group.
 */
const NAMED = `^(-? ?${WORD}|#+ [a-z][a-z0-9_ ()-]*): `

/**
 * A nested value: one line of JSON after a key or a list's dash (`  - {"title": "Chose JWT", "reasoning": "..."}`).
 * Its keys are names too: a query counts in it where no `":` follows before the next quote, in a value. One group.
 */
const NESTED = `^(  - |${WORD}: )[[{]`
const IN_VALUE = '[^"]*("[^:]|"?$)'

/** Lines that hold only ids, times and states, in the front matter (`status: completed`) and a body (`- Status: completed`). */
const STATES = '(- )?(id|trajectory|handoff|at|created|started|updated|ended|kind|status|imported from agent-trajectories):'

/**
 * The lines where a query may stand in a name, or that the format writes whatever the content: a name's line
 * (above), a nested value's, a line of ids, times and states; in a body, its dates (`Updated 2026-...`), headings
 * and labels that name a field (`## Current task`, `Focal points:`: words alone, which the front matter also holds
 * when they are a title), the heading naming who wrote a record and to whom (`# Message from backend:Architect to
 * frontend:lead [thread:auth]`, all of it in the front matter), and the sentences every record of a kind has.
 */
const FORMAT = `^(-? ?${WORD}:( |$)|#+ [a-z][a-z0-9_ ()-]*:( |$)|  - [[{]|${STATES}|(written|updated|printed|ended) [0-9]{4}-|#+ [a-z][a-z ]*$|[a-z][a-z ]*:$|# [a-z][a-z ]* from |_${escapeExtended(NO_REASONING)}_$|${escapeExtended(EVENTS_NOTE)}$)`

/** A name's line whose value is no text: ids, times and states, or a nested value (IN_VALUE reads that). */
const NO_TEXT = `^(${WORD}: [[{]|${STATES})`

/**
 * What git grep looks for, for a query: the lines where it stands in a value or in text, never only in a name or in
 * a line of the format. Literal text that can touch neither is one plain pattern, which git searches a whole file at
 * a time; otherwise each line holding the query is tested: not a line of FORMAT, or one where the query follows the
 * name, or stands in a nested value.
 *
 * @example searchTerm('agent', false) // finds "the agent index", not "agent: bob"
 */
export function searchTerm(text: string, regex: boolean): GrepExpression {
  if (!regex && !mayMatchFormat(text)) return escapeExtended(text)
  // After NAMED's or NESTED's group: a regular expression keeps its own groups' numbers, one on.
  const after = regex ? grouped(text, 2) : escapeExtended(text)
  // One that refers to its eighth or ninth group cannot (POSIX has nine): it is matched against whole lines.
  if (after === null) return {all: [text, {not: `^${STATES}`}]}
  const afterName = {all: [`${NAMED}.*${after}`, {not: NO_TEXT}]}
  const inNestedValue = `${NESTED}.*${after}${IN_VALUE}`
  return {all: [regex ? text : after, {not: {all: [FORMAT, {not: afterName}, {not: inNestedValue}]}}]}
}

/**
 * Whether literal text could stand, on some line, only in a name or in a line of the format. Text with a character
 * none of those hold (a quote mark, an accent, `@`, `=`) and without `:`, `"` or `#` can only be part of what was
 * written.
 *
 * @example mayMatchFormat('agent') // true
 */
export function mayMatchFormat(text: string): boolean {
  return /^[\w ()#:"{},.[\]/`-]*$/.test(text) || /[:"#]/.test(text)
}

/**
 * An extended regular expression as one group, for after `groups` groups of the pattern it goes into (the group
 * itself counted): its back-references (\1) are renumbered to match. Null when one would pass \9 (POSIX has nine).
 * Bracket expressions are copied as they are: a backslash in one is a character.
 *
 * @example grouped('(a|b)\\1', 2) // '((a|b)\\3)'
 */
export function grouped(regex: string, groups: number): string | null {
  let out = ''
  for (let i = 0; i < regex.length; i++) {
    const char = regex[i]!
    if (char === '\\' && i + 1 < regex.length) {
      const next = regex[++i]!
      if (/[1-9]/.test(next) && Number(next) + groups > 9) return null
      out += /[1-9]/.test(next) ? `\\${Number(next) + groups}` : `\\${next}`
    } else if (char === '[') {
      const end = bracketEnd(regex, i)
      out += regex.slice(i, end)
      i = end - 1
    } else {
      out += char
    }
  }
  return `(${out})`
}

/** Where the bracket expression opened at `start` ends (after its "]"): "]" first is a member, as are [:alpha:] and its kin. */
function bracketEnd(regex: string, start: number): number {
  let i = start + 1
  if (regex[i] === '^') i++
  if (regex[i] === ']') i++
  while (i < regex.length && regex[i] !== ']') {
    const close = regex[i] === '[' && /[:.=]/.test(regex[i + 1] ?? '') ? regex.indexOf(`${regex[i + 1]}]`, i + 2) : -1
    i = close === -1 ? i + 1 : close + 2
  }
  return Math.min(regex.length, i + 1)
}
