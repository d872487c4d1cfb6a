import {spawn} from 'node:child_process'
import type {Context} from '../services/context.js'

// The one process relay-trail starts that is not git: the system's browser, for `relay dashboard --open`, asked
// for by the user. The linter lets only src/git/ and this file start processes (biome.json).

/** Opens the system's browser on the URL: an argument array, never a shell string. */
export function openBrowser(url: string, ctx: Context): void {
  const command = process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'explorer.exe' : 'xdg-open'
  try {
    const child = spawn(command, [url], {detached: true, stdio: 'ignore'})
    child.on('error', (error) => ctx.warn(`could not open a browser (${command}: ${error.message}): open the URL yourself`))
    child.unref()
  } catch (error) {
    ctx.warn(`could not open a browser (${(error as Error).message}): open the URL yourself`)
  }
}
