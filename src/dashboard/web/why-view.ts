import type {WhyJson} from '../../render/why.js'
import {escapeControls} from '../../render/terminal.js'
import type {FileSuggestionsJson} from '../file-suggestions.js'
import {routeWith, type App, type Route, type View} from './app.js'
import {append, badge, clear, h, route, time} from './dom.js'
import {fill} from './views.js'

// The file view ("why" for any path of the repository): a path, with an optional line or range, and what
// `trail why` shows for it, from the same service (GET api/why): per trajectory, newest first, its decisions with
// reasoning, alternatives, confidence and the lines each covers, its retrospective and handoffs; then the lines no
// trajectory explains. The target lives in the URL (#why?target=src/app.js:10-20&rev=), so a view can be linked.
// Record text is a sibling's to write: it goes in as text nodes only, with bidirectional overrides and invisible
// characters shown as escapes (\u202e), so a title cannot read otherwise than it is.

type WhyTrajectoryJson = WhyJson['trajectories'][number]

/** Text from a record: shown as text, its invisible and direction-changing characters made visible. */
function shown(text: string): string {
  return escapeControls(text)
}

/** "10-12, 15": line numbers as ranges. */
function lineRanges(lines: readonly number[]): string {
  const parts: string[] = []
  for (let i = 0; i < lines.length; ) {
    let j = i
    while (j + 1 < lines.length && lines[j + 1] === lines[j]! + 1) j++
    parts.push(j === i ? String(lines[i]) : `${lines[i]}-${lines[j]}`)
    i = j + 1
  }
  return parts.join(', ')
}

function linesWord(lines: readonly number[]): string {
  return `${lines.length === 1 ? 'line' : 'lines'} ${lineRanges(lines)}`
}

function counted(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`
}

/** "12 lines from 3 commits with no recorded reasoning", as `trail why` says it. */
function unexplainedSentence(why: WhyJson): string | null {
  const {lines, commits} = why.unexplained
  if (commits.length === 0) return null
  return why.ranges === null
    ? `${counted(commits.length, 'commit')} of this file with no recorded reasoning`
    : `${counted(lines, 'line')} from ${counted(commits.length, 'commit')} with no recorded reasoning`
}

function targetOf(why: WhyJson): string {
  return why.ranges === null ? why.path : `${why.path}:${why.ranges.map(([start, end]) => (start === end ? `${start}` : `${start}-${end}`)).join(',')}`
}

/** Up to this long a pause in typing before the suggestions are asked for. */
const SUGGEST_DELAY_MS = 150

export function whyView(app: App, main: HTMLElement, at: Route): View {
  const p = at.params
  const live = app.source.mode === 'live'
  const suggestions = h('datalist', {id: 'why-files'})
  const target = h('input', {
    name: 'target',
    id: 'why-target',
    value: p.target ?? '',
    required: true,
    autocomplete: 'off',
    spellcheck: 'false',
    list: 'why-files',
    placeholder: 'src/app.js:10-20',
    'aria-describedby': 'why-help',
    disabled: !live,
  })
  const form = h(
    'form',
    {class: 'filters why-form', role: 'search', 'aria-label': 'Why is this file like this?'},
    h('label', {class: 'wide'}, 'Path, with an optional line or range', target),
    h(
      'label',
      {},
      'At commit',
      h('input', {name: 'rev', value: p.rev ?? '', size: 12, autocomplete: 'off', spellcheck: 'false', placeholder: 'HEAD', disabled: !live}),
    ),
    suggestions,
    h('button', {type: 'submit', disabled: !live}, 'Explain'),
  )
  form.addEventListener('submit', (event) => {
    event.preventDefault()
    const data = new FormData(form)
    location.hash = routeWith('why', {target: String(data.get('target') ?? '').trim(), rev: String(data.get('rev') ?? '').trim()})
  })
  let timer: ReturnType<typeof setTimeout> | undefined
  let asked = 0
  target.addEventListener('input', () => {
    clearTimeout(timer)
    timer = setTimeout(() => {
      const number = ++asked
      app.source.get<FileSuggestionsJson>('files', {q: target.value, limit: '20'}).then(
        (found) => {
          if (number !== asked) return
          clear(suggestions)
          // The line part typed so far stays on each suggestion, so picking one keeps it.
          const lines = /:\d*(-\d*)?$/.exec(target.value.trim())?.[0] ?? ''
          append(suggestions, ...found.files.map((file) => h('option', {value: `${file}${lines}`})))
        },
        () => {},
      )
    }, SUGGEST_DELAY_MS)
  })
  const results = h('div', {class: 'results'})
  append(
    main,
    h('h2', {tabindex: -1, id: 'view-heading'}, 'Why'),
    h(
      'p',
      {class: 'hint', id: 'why-help'},
      live
        ? 'Why is this line like this? Give a path of the repository, and a line or a range (src/auth.ts:42, src/auth.ts:10-30): the decisions behind its lines, as trail why shows them.'
        : 'The file view needs the live dashboard (relay dashboard): a snapshot holds no history of the files.',
    ),
    form,
    results,
  )
  return {
    kinds: ['trajectories', 'projects'],
    refresh: () =>
      fill(results, async () => {
        if (!live || !p.target) return []
        return whyResult(app, await app.source.get<WhyJson>('why', {target: p.target, rev: p.rev}))
      }),
  }
}

function whyResult(app: App, why: WhyJson): (Node | null)[] {
  const sentence = unexplainedSentence(why)
  return [
    h(
      'p',
      {class: 'why-target'},
      h('code', {}, shown(targetOf(why))),
      ' at ',
      h('code', {title: why.rev}, why.rev.slice(0, 12)),
      why.binary ? ' (a binary file)' : '',
    ),
    why.trajectories.length === 0
      ? h('p', {class: 'empty'}, 'No trajectory explains it.')
      : h('div', {class: 'why-trajectories'}, ...why.trajectories.map((t) => trajectoryBlock(app, why, t))),
    sentence
      ? h(
          'section',
          {class: 'why-unexplained'},
          h('h3', {}, sentence),
          h(
            'ul',
            {class: 'commits'},
            ...why.unexplained.commits.map((c) =>
              h(
                'li',
                {},
                h('code', {}, c.oid.slice(0, 12)),
                ' ',
                shown(c.subject),
                ` (${shown(c.author.replace(/\s*<[^>]*>$/, ''))})`,
                c.lines.length > 0 ? `: ${linesWord(c.lines)}` : '',
              ),
            ),
          ),
        )
      : null,
  ]
}

function trajectoryBlock(app: App, why: WhyJson, t: WhyTrajectoryJson): HTMLElement {
  // The trajectory view knows a store by its project id (this one's) or its sibling's name.
  const project = t.store ?? app.overview.project
  const known = t.store === null || app.overview.projects.some((candidate) => candidate.sibling === t.store || candidate.project === t.store)
  const title = shown(t.title)
  const retrospective = t.status !== 'active' && (t.summary || t.approach || t.challenges.length > 0 || t.learnings.length > 0 || t.reason)
  return h(
    'article',
    {class: `why-trajectory status-${t.status}`, 'data-id': t.id},
    h('h3', {}, known ? h('a', {href: route('trajectory', project, t.id), 'data-key': `${project}/${t.id}`}, title) : title, ' ', badge(t.status)),
    h(
      'p',
      {class: 'meta'},
      h('code', {}, t.id),
      ` · ${shown(t.agent)}`,
      t.store ? ` · records of ${shown(t.store)}` : '',
      ' · started ',
      time(t.started),
      t.confidence === null ? '' : ` · confidence ${t.confidence} (${t.confidenceLevel ?? ''})`,
      why.ranges !== null && t.lines.length > 0 ? ` · ${linesWord(t.lines)}` : '',
    ),
    t.decisions.length === 0
      ? h('p', {class: 'empty'}, 'No decisions recorded.')
      : h(
          'ol',
          {class: 'timeline why-decisions'},
          ...t.decisions.map((d) =>
            h(
              'li',
              {class: `event event-${d.kind}`},
              h(
                'h4',
                {},
                d.kind === 'decision' ? '' : `${d.kind}: `,
                shown(d.title),
                d.lines && why.ranges !== null ? h('span', {class: 'meta'}, ` (${linesWord(d.lines)})`) : null,
              ),
              h('p', {class: 'meta'}, time(d.at), d.confidence === null ? '' : ` · confidence ${d.confidence} (${d.confidenceLevel ?? ''})`),
              d.reasoning ? h('p', {class: 'prose'}, shown(d.reasoning)) : h('p', {class: 'empty'}, '(no reasoning recorded)'),
              d.alternatives.length > 0
                ? h('div', {class: 'alternatives'}, 'Alternatives considered:', h('ul', {}, ...d.alternatives.map((a) => h('li', {}, shown(a)))))
                : null,
            ),
          ),
        ),
    retrospective
      ? h(
          'div',
          {class: 'why-retrospective'},
          h('h4', {}, t.status === 'completed' ? 'Retrospective' : 'Abandoned'),
          t.summary ? h('p', {class: 'prose'}, shown(t.summary)) : null,
          t.approach ? h('p', {class: 'prose'}, 'Approach: ', shown(t.approach)) : null,
          t.challenges.length > 0 ? h('div', {}, 'Challenges:', h('ul', {}, ...t.challenges.map((c) => h('li', {}, shown(c))))) : null,
          t.learnings.length > 0 ? h('div', {}, 'Learnings:', h('ul', {}, ...t.learnings.map((l) => h('li', {}, shown(l))))) : null,
          t.reason ? h('p', {class: 'prose'}, 'Why it was abandoned: ', shown(t.reason)) : null,
        )
      : null,
    t.handoffs.length > 0
      ? h(
          'div',
          {class: 'why-handoffs'},
          h('h4', {}, 'Handoffs'),
          h('ul', {}, ...t.handoffs.map((ho) => h('li', {}, time(ho.created), ' ', h('code', {}, ho.id), ho.currentTask ? `: ${shown(ho.currentTask)}` : ''))),
        )
      : null,
    h(
      'details',
      {class: 'why-commits'},
      h('summary', {}, counted(t.commits.length, 'commit')),
      h(
        'ul',
        {class: 'commits'},
        ...t.commits.map((c) =>
          h(
            'li',
            {},
            h('code', {}, c.oid.slice(0, 12)),
            ' ',
            shown(c.subject),
            c.match === 'file' ? ' [same change]' : '',
            c.lines.length > 0 ? `: ${linesWord(c.lines)}` : '',
          ),
        ),
      ),
    ),
  )
}
