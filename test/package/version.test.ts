import assert from 'node:assert/strict'
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, it} from 'node:test'
import {ROOT, runCli} from '../helpers/cli.js'
import {useRepos} from '../helpers/repo.js'

// One version, package.json's: every spelling of "which version is this" of both executables prints it.

const newRepo = useRepos()
const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {version: string}).version

describe('versions', () => {
  it('package.json holds a semantic version, and CHANGELOG.md has its entry', () => {
    assert.match(VERSION, /^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?$/)
    assert.match(readFileSync(join(ROOT, 'CHANGELOG.md'), 'utf8'), new RegExp(`^## \\[${VERSION.replaceAll('.', '\\.')}\\] - \\d{4}-\\d{2}-\\d{2}$`, 'm'))
  })

  it('trail --version, -V, version and relay --version, -V, version print the package version', async () => {
    const repo = newRepo()
    const before = repo.userState()
    for (const bin of ['trail', 'relay'] as const) {
      for (const spelling of ['--version', '-V', 'version']) {
        const result = await runCli(repo.dir, [bin, spelling])
        assert.equal(result.code, 0, `${bin} ${spelling}: ${result.stderr}`)
        assert.equal(result.stderr, '')
        assert.equal(result.stdout, `${bin}/${VERSION} ${process.platform}-${process.arch} node-${process.version}\n`, `${bin} ${spelling}`)
      }
    }
    repo.assertUserStateUnchanged(before)
  })
})
