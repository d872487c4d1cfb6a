import assert from 'node:assert/strict'
import {spawnSync} from 'node:child_process'
import {existsSync, readFileSync, realpathSync} from 'node:fs'
import {join} from 'node:path'
import {describe, it} from 'node:test'
import {ROOT} from '../helpers/cli.js'
import {useInstalledPackage} from './installed.js'

// `npm install -g` installs the man pages package.json lists (npm links them into <prefix>/share/man/man1), and
// `man` finds them there by name, as git's.

const installed = useInstalledPackage()

describe('the package: man pages', () => {
  it('npm install -g puts every page into <prefix>/share/man/man1, where man finds trail-start and relay-continuity-save', () => {
    const {prefix, packageDir, env} = installed()
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {man: string[]}
    for (const page of pkg.man) {
      const linked = join(prefix, 'share', 'man', 'man1', page.replace(/^man\//, ''))
      assert.ok(existsSync(linked), `${linked} is installed`)
      assert.equal(realpathSync(linked), realpathSync(join(packageDir, page)))
    }
    for (const [name, says] of [
      ['trail', /trail - record what AI coding agents do/],
      ['trail-start', /trail-start - /],
      ['relay-continuity-save', /relay-continuity-save - /],
    ] as const) {
      const result = spawnSync('man', ['-P', 'cat', name], {encoding: 'utf8', env: {...env, MANPATH: join(prefix, 'share', 'man'), MANWIDTH: '120'}})
      assert.equal(result.status, 0, `man ${name}: ${result.stderr}`)
      assert.match(result.stdout, says, `man ${name}`)
    }
  })
})
