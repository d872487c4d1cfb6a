import {readFileSync} from 'node:fs'
import {packagePath} from '../package-files.js'
import {TrailError} from '../errors.js'
import {CONTENT_SECURITY_POLICY} from './security.js'

// The page's files, built by scripts/build.mjs into dist/web/ and shipped in the package: nothing is loaded from
// the network, by the server or by the page.

export interface PageAssets {
  /** index.html with the placeholders __MODE__ and __CSRF__. */
  html: string
  js: Buffer
  css: Buffer
}

export function readAssets(): PageAssets {
  try {
    return {
      html: readFileSync(packagePath('dist', 'web', 'index.html'), 'utf8'),
      js: readFileSync(packagePath('dist', 'web', 'app.js')),
      css: readFileSync(packagePath('dist', 'web', 'app.css')),
    }
  } catch (error) {
    throw new TrailError(`the dashboard's page is missing (${(error as Error).message})`, 'build it with: npm run build', 'E_ASSETS')
  }
}

/**
 * The page's HTML for a mode; the CSRF token goes in a meta element (the page reads it; no inline script). A static
 * export carries its Content Security Policy in a meta element, as a static host sends no such header
 * (frame-ancestors is left out there: browsers ignore it in a meta element, and say so on the console).
 */
export function pageHtml(assets: PageAssets, mode: 'live' | 'static', csrf: string): string {
  const policy =
    mode === 'static' ? `<meta http-equiv="Content-Security-Policy" content="${CONTENT_SECURITY_POLICY.replace(/; frame-ancestors 'none'/, '')}">` : ''
  return assets.html.replace('<!--CSP-->', policy).replace('__MODE__', mode).replace('__CSRF__', csrf)
}
