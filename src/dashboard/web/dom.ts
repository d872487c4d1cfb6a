import {isLinkable} from '../../model/linkable.js'

// Building the page with DOM calls only. Record text (which a sibling may have written to attack this page) is
// only ever inserted as a text node: there is no innerHTML anywhere in the page's code, and attribute values
// are set through properties. Links go only to this page's own routes, or to http(s) and mailto URLs.

type Child = Node | string | number | null | undefined | false
type Attributes = Record<string, string | number | boolean | undefined | null | ((event: Event) => void)>

/**
 * An element with attributes (strings set with setAttribute, `on…` functions as listeners, booleans as present
 * or absent) and children (strings become text nodes).
 *
 * @example h('a', {href: '#agents'}, 'Agents')
 */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attributes: Attributes = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag)
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue
    if (typeof value === 'function') element.addEventListener(name.slice(2), value)
    else if (name === 'href' && !isSafeHref(String(value))) continue
    else element.setAttribute(name, value === true ? '' : String(value))
  }
  append(element, ...children)
  return element
}

export function append(parent: Node, ...children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue
    parent.appendChild(typeof child === 'string' || typeof child === 'number' ? document.createTextNode(String(child)) : child)
  }
}

/** A link target the page may use: its own routes, or an http(s) or mailto URL. Never javascript:, data: or the like. */
export function isSafeHref(href: string): boolean {
  return href.startsWith('#') || isLinkable(href)
}

export function clear(element: Element): void {
  while (element.firstChild) element.removeChild(element.firstChild)
}

/** A route of the page: the hash, with its parts encoded. */
export function route(...parts: string[]): string {
  return `#${parts.map(encodeURIComponent).join('/')}`
}

/** "5 minutes ago", with the exact time as its title. */
export function time(iso: string | null | undefined, now = Date.now()): HTMLElement | string {
  if (!iso) return '–'
  const at = Date.parse(iso)
  if (Number.isNaN(at)) return iso
  return h('time', {datetime: iso, title: iso}, relative(now - at))
}

export function relative(ms: number): string {
  const seconds = Math.round(ms / 1000)
  if (seconds < 0) return 'in the future'
  if (seconds < 45) return 'just now'
  const minutes = Math.round(seconds / 60)
  if (minutes < 60) return `${minutes} minute${minutes === 1 ? '' : 's'} ago`
  const hours = Math.round(minutes / 60)
  if (hours < 24) return `${hours} hour${hours === 1 ? '' : 's'} ago`
  const days = Math.round(hours / 24)
  if (days < 60) return `${days} day${days === 1 ? '' : 's'} ago`
  const months = Math.round(days / 30)
  return months < 24 ? `${months} months ago` : `${Math.round(days / 365)} years ago`
}

/** A small label: status, presence, kind. The word is always written, so colour is never the only sign. */
export function badge(text: string, kind = text): HTMLElement {
  return h('span', {class: `badge badge-${kind.replace(/[^a-z-]/g, '-')}`}, text)
}

/** A list of strings as <ul>, or nothing when empty. */
export function list(items: readonly string[], className?: string): HTMLElement | null {
  return items.length === 0 ? null : h('ul', {class: className}, ...items.map((item) => h('li', {}, item)))
}

/** A paragraph of free text: line breaks kept (CSS white-space), never parsed as markup. */
export function prose(text: string | null | undefined, className = 'prose'): HTMLElement | null {
  return text ? h('p', {class: className}, text) : null
}

/** A definition list of the facts that are present. */
export function facts(entries: [string, Child][]): HTMLElement {
  const dl = h('dl', {class: 'facts'})
  for (const [label, value] of entries)
    if (value !== null && value !== undefined && value !== '' && value !== false) append(dl, h('dt', {}, label), h('dd', {}, value))
  return dl
}
