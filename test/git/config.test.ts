import assert from 'node:assert/strict'
import {execFileSync} from 'node:child_process'
import {rmSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, it} from 'node:test'
import {GitConfig, normaliseConfigKey} from '../../src/git/config.js'
import {parseVarList} from '../../src/git/repo.js'
import {makeTempDir} from '../helpers/repo.js'

// One reader of git's configuration, fed by a config file's text or by `git var -l`: each case is checked against
// what git itself reads from the same file.

const FILES: {name: string; text: string; key: string; expected: string | undefined; asBool?: boolean}[] = [
  {name: 'a plain value', text: '[core]\n\tbare = false\n', key: 'core.bare', expected: 'false'},
  {name: 'a key without a value is true', text: '[core]\n\tbare\n', key: 'core.bare', expected: 'true', asBool: true},
  {name: 'section and key names are case-insensitive', text: '[CoRe]\n\tBaRe = false\n', key: 'core.bare', expected: 'false'},
  {name: 'a subsection keeps its case', text: '[relay "sibling.Web"]\n\turl = /srv/web\n', key: 'relay.sibling.Web.url', expected: '/srv/web'},
  {
    name: 'a subsection of another case is another subsection',
    text: '[relay "sibling.Web"]\n\turl = /srv/web\n',
    key: 'relay.sibling.web.url',
    expected: undefined,
  },
  {name: 'escapes in a subsection', text: '[relay "sib\\"ling"]\n\turl = x\n', key: 'relay.sib"ling.url', expected: 'x'},
  {name: 'a quoted value keeps its spaces and # ;', text: '[a]\n\tb = "  x # y ; z  "\n', key: 'a.b', expected: '  x # y ; z  '},
  {name: 'a comment after a value', text: '[a]\n\tb = value # comment\n', key: 'a.b', expected: 'value'},
  {name: 'a semicolon comment after a value', text: '[a]\n\tb = value ; comment\n', key: 'a.b', expected: 'value'},
  {name: 'escapes in a value', text: '[a]\n\tb = one\\ttwo\\\\three\\"four\n', key: 'a.b', expected: 'one\ttwo\\three"four'},
  {name: 'a continued line', text: '[a]\n\tb = one \\\ntwo\n', key: 'a.b', expected: 'one two'},
  {name: 'the last of several values wins', text: '[a]\n\tb = 1\n\tb = 2\n', key: 'a.b', expected: '2'},
  {name: 'an entry on the section line', text: '[a] b = 1\n', key: 'a.b', expected: '1'},
  {name: 'CRLF line ends', text: '[a]\r\n\tb = 1\r\n', key: 'a.b', expected: '1'},
  {name: 'comment lines', text: '# c\n; c\n[a]\n# b = 2\n\tb = 1\n', key: 'a.b', expected: '1'},
  {name: 'a dotted section name', text: '[remote.origin]\n\turl = x\n', key: 'remote.origin.url', expected: 'x'},
]

describe('reading git configuration', () => {
  for (const c of FILES) {
    it(`reads a config file as git does: ${c.name}`, () => {
      assert.equal(GitConfig.parseFile(c.text).value(c.key), c.expected)
      // git itself, on the same text.
      const dir = makeTempDir('config')
      try {
        writeFileSync(join(dir, 'config'), c.text)
        let fromGit: string | undefined
        try {
          fromGit = execFileSync('git', ['config', '--file', join(dir, 'config'), ...(c.asBool ? ['--type=bool'] : []), '--get', c.key], {
            encoding: 'utf8',
            stdio: ['ignore', 'pipe', 'ignore'],
          }).replace(/\n$/, '')
        } catch {
          fromGit = undefined
        }
        assert.equal(fromGit, c.expected, 'git reads it so')
      } finally {
        rmSync(dir, {recursive: true, force: true})
      }
    })
  }

  it('lists every value of a multi-valued key, and subsections with a variable', () => {
    const config = GitConfig.parseFile(
      '[remote "origin"]\n\tpush = HEAD\n\tpush = refs/trail/records*:refs/trail/records*\n[relay "sibling.web"]\n\turl = /a\n\tlead = Lead\n[relay "sibling.api"]\n\turl = /b\n',
    )
    assert.deepEqual(config.values('remote.origin.push'), ['HEAD', 'refs/trail/records*:refs/trail/records*'])
    assert.deepEqual(config.values('remote.origin.fetch'), [])
    assert.deepEqual(config.subsections('relay', 'url'), [
      ['sibling.web', '/a'],
      ['sibling.api', '/b'],
    ])
  })

  it('reads `git var -l`: configuration and identity', () => {
    const settings = parseVarList(
      'user.name=Ada\nRemote.Origin.URL=/x\nGIT_AUTHOR_IDENT=Ada <ada@example.com> 1700000000 +0100\nGIT_COMMITTER_IDENT=root <root@host.(none)> 1700000000 +0000\n',
    )
    assert.equal(settings.config.value('remote.Origin.url'), '/x')
    assert.deepEqual(settings.author, {name: 'Ada', email: 'ada@example.com', isFallback: false})
    assert.equal(settings.committer.isFallback, true)
  })

  it('compares keys as git does', () => {
    assert.equal(normaliseConfigKey('Core.Bare'), 'core.bare')
    assert.equal(normaliseConfigKey('Relay.Sibling.Web.URL'), 'relay.Sibling.Web.url')
  })
})
