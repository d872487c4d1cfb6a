// Which URLs from a record may become a link (Markdown, HTML, the dashboard): the web's and mail's. A record's URL is
// anyone's text (an agent's --url, an imported file, a sibling's store): `javascript:`, `data:`, `vbscript:`, `file:`
// and every other scheme stay text wherever it is shown.

/** The schemes a link may have. */
const LINKABLE = /^(https?:\/\/|mailto:)/i

/**
 * Whether `url` may be the target of a link: it starts with http://, https:// or mailto: as written, and a browser
 * reads it so too (the WHATWG URL parser, which drops tabs and line breaks and reads the scheme before anything else).
 *
 * @example isLinkable('https://github.com/org/repo/issues/12') // true
 * @example isLinkable('javascript:alert(1)') // false
 */
export function isLinkable(url: string): boolean {
  if (!LINKABLE.test(url)) return false
  try {
    return ['http:', 'https:', 'mailto:'].includes(new URL(url).protocol)
  } catch {
    return false
  }
}
