import assert from 'node:assert/strict'
import {spawnSync} from 'node:child_process'
import {mkdirSync, readdirSync, readFileSync, rmSync} from 'node:fs'
import {join} from 'node:path'
import {describe, it} from 'node:test'
import {ROOT} from '../helpers/cli.js'
import {makeRepo, useTempDirs} from '../helpers/repo.js'
import {useInstalledPackage} from '../package/installed.js'
import {shellBlocks} from './blocks.js'

// Guides that cannot rot: every ```sh, ```bash and ```console block of README.md and docs/*.md (not docs/spec, the
// protocol's own text) runs, in order, with `bash -e`, in a fresh repository for each file (one commit and a dirty
// work tree, as makeRepo makes), with the package installed from `npm pack` on the PATH (test/package/installed.ts).
// The blocks of a file share their shell's state through files only: each block is its own `bash -e`, started in
// the folder the block before it ended in (a block may `cd`), with the variables it exported gone.
//
// A block not meant to run says so on the line just before its fence, with the reason (test/docs/blocks.ts):
//   <!-- not run: starts a server that runs until Ctrl-C -->
// Only these are not run: blocks that need an agent tool, a browser, a remote or registry on the network, a server
// that does not end, or a clone of relay-trail itself. The folder beside the repository is the test's own, so a
// block may make sibling repositories there (`git init ../backend`).

const tempDir = useTempDirs()
const installed = useInstalledPackage()

const GUIDES = [
  'README.md',
  ...readdirSync(join(ROOT, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .map((name) => `docs/${name}`),
]

describe('the shell blocks of the README and the guides', () => {
  it('every guide is read: README.md and docs/*.md', () => {
    assert.ok(GUIDES.includes('docs/agent-authors.md') && GUIDES.includes('docs/operators.md'), GUIDES.join(', '))
  })

  for (const guide of GUIDES) {
    it(`${guide}: every block runs, in order, in a fresh repository`, (t) => {
      const blocks = shellBlocks(readFileSync(join(ROOT, guide), 'utf8'))
      const base = tempDir('docs')
      const repo = makeRepo()
      // The repository inside the test's folder, so `../<name>` stays in it: moved from makeRepo's own folder.
      const dir = join(base, 'project')
      mkdirSync(dir)
      spawnSync('cp', ['-a', `${repo.dir}/.`, dir])
      repo.remove()
      let cwd = dir
      const marker = `__relay_trail_docs_cwd_${process.pid}__`
      for (const block of blocks) {
        const where = `${guide}:${block.line} (under "${block.heading}")`
        if (block.notRun !== null) {
          t.diagnostic(`not run: ${where}: ${block.notRun}`)
          continue
        }
        // The block, then where it ended, so the next block starts there.
        const result = spawnSync('bash', ['-e', '-c', `${block.script}\nprintf '\\n${marker}%s\\n' "$PWD"`], {
          cwd,
          env: installed().env,
          encoding: 'utf8',
          timeout: 120_000,
        })
        const output = `${result.stdout}${result.stderr}`
        assert.equal(result.status, 0, `${where} failed (exit ${result.status}):\n${block.script}\n--- output\n${output}`)
        const ended = new RegExp(`\\n${marker}(.*)\\n$`).exec(result.stdout)
        assert.ok(ended, `${where}: the block ran to its end`)
        cwd = ended[1]!
      }
      rmSync(base, {recursive: true, force: true})
    })
  }
})
