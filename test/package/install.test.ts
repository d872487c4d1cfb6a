import assert from 'node:assert/strict'
import {spawnSync} from 'node:child_process'
import {lstatSync, readdirSync, readFileSync, readlinkSync, realpathSync, rmSync} from 'node:fs'
import {join, relative, resolve, dirname} from 'node:path'
import {describe, it} from 'node:test'
import {ROOT} from '../helpers/cli.js'
import {useRepos, useTempDirs} from '../helpers/repo.js'
import {shellBlocks} from '../docs/blocks.js'
import {npmEnv, pack, useInstalledPackage} from './installed.js'

// What `npm pack` makes installs and works with nothing of this checkout: packed, installed into an empty prefix
// from npm's cache, and run from another folder with only the prefix's bin, node and git on the PATH.

const installed = useInstalledPackage()
const newRepo = useRepos()
const tempDir = useTempDirs()
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  version: string
  private?: boolean
  engines?: {node?: string}
  bin: Record<string, string>
  scripts: Record<string, string>
}

/** Runs a shell script with bash -e in `cwd`, with the installed package on the PATH. */
function bash(script: string, cwd: string) {
  return spawnSync('bash', ['-e', '-c', script], {cwd, env: installed().env, encoding: 'utf8'})
}

describe('the package', () => {
  it('npm pack holds what the commands run, and no tests, benchmarks, sources or maps', (t) => {
    const dir = tempDir('pack')
    const {json} = pack(dir)
    const files = json.files.map((file) => file.path)
    t.diagnostic(`tarball ${json.size} bytes, unpacked ${json.unpackedSize} bytes, ${json.entryCount} files`)
    for (const needed of [
      'package.json',
      'README.md',
      'CHANGELOG.md',
      'bin/trail.cjs',
      'bin/relay.cjs',
      'bin/fast-path.cjs',
      'dist/hot-trail.cjs',
      'dist/hot-relay.cjs',
      'dist/src/cli/oclif.js',
      'dist/oclif/trail/oclif.manifest.json',
      'dist/oclif/relay/oclif.manifest.json',
      'dist/web/index.html',
      'dist/web/app.js',
      'dist/web/app.css',
      'templates/git-hooks/hook.sh',
      'templates/github/trail-review.yml',
      'templates/agents/relay-trail.md',
    ]) {
      assert.ok(files.includes(needed), `the tarball has ${needed}`)
    }
    const unwanted = files.filter(
      (file) => /^(dist\/(test|bench)\/|src\/|test\/|bench\/|scripts\/|docs\/|node_modules\/)/.test(file) || /\.(ts|map)$/.test(file),
    )
    assert.deepEqual(unwanted, [])
    // Every command the oclif manifests name is in the tarball.
    for (const bin of ['trail', 'relay']) {
      const root = `dist/oclif/${bin}`
      const manifest = JSON.parse(readFileSync(join(ROOT, root, 'oclif.manifest.json'), 'utf8')) as {commands: Record<string, {relativePath: string[]}>}
      for (const command of Object.values(manifest.commands)) {
        const path = relative(ROOT, resolve(ROOT, root, ...command.relativePath)).replace(/\.ts$/, '.js')
        assert.ok(files.includes(path), `${bin}: ${path}`)
      }
    }
  })

  it('package.json: public, node 20 and newer, both executables, no script that runs when a user installs', () => {
    assert.equal(pkg.private, undefined)
    assert.equal(pkg.engines?.node, '>=20')
    assert.deepEqual(pkg.bin, {trail: 'bin/trail.cjs', relay: 'bin/relay.cjs'})
    for (const script of ['preinstall', 'install', 'postinstall']) assert.equal(pkg.scripts[script], undefined, script)
    // `prepare` builds a clone (npm install) and a git install; a tarball or registry install never runs it.
    assert.equal(pkg.scripts.prepare, 'npm run build')
  })

  it('installs into an empty prefix, with trail and relay on the PATH, and nothing that resolves into the checkout', (t) => {
    const {prefix, packageDir, mode, installMs} = installed()
    t.diagnostic(`installed with --${mode}${installMs > 0 ? ` in ${(installMs / 1000).toFixed(1)} s` : ' (by another test file)'}`)
    const checkout = realpathSync(ROOT)
    for (const bin of ['trail', 'relay']) {
      const target = realpathSync(join(prefix, 'bin', bin))
      assert.equal(target, join(packageDir, 'bin', `${bin}.cjs`))
    }
    // Every symbolic link under the prefix (npm links the bins and nothing else) stays inside it.
    const walk = (dir: string): void => {
      for (const name of readdirSync(dir)) {
        const path = join(dir, name)
        const stat = lstatSync(path)
        if (stat.isSymbolicLink()) {
          const target = resolve(dirname(path), readlinkSync(path))
          assert.ok(target.startsWith(`${prefix}/`) && !target.startsWith(`${checkout}/`), `${path} -> ${target}`)
        } else if (stat.isDirectory()) walk(path)
      }
    }
    walk(prefix)
    assert.ok(!packageDir.startsWith(`${checkout}/`))
    assert.deepEqual(
      readdirSync(join(packageDir, 'dist')).filter((name) => name === 'test' || name === 'bench'),
      [],
    )
    assert.equal((JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as {version: string}).version, pkg.version)
  })

  it("runs the README's main job and trail doctor with the installed trail and relay, in a fresh repository", () => {
    const repo = newRepo()
    const before = repo.userState()
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8')
    const main = shellBlocks(readme).find((block) => block.heading === 'The main job in 60 seconds')
    assert.ok(main, 'the README has a shell block under "The main job in 60 seconds"')
    const ran = bash(main.script, repo.dir)
    assert.equal(ran.status, 0, `the main job failed:\n${ran.stdout}\n${ran.stderr}`)
    assert.match(ran.stdout, /Started traj_\w+ for agent default: Implement user authentication/)
    assert.match(ran.stdout, /Chose JWT over sessions/)
    const doctor = bash('trail doctor', repo.dir)
    assert.equal(doctor.status, 0, doctor.stdout + doctor.stderr)
    assert.match(doctor.stdout, /No problems found\.\n$/)
    const versions = bash('trail --version && relay --version && command -v trail relay', repo.dir)
    assert.equal(versions.status, 0, versions.stderr)
    const [trailVersion, relayVersion, trailPath, relayPath] = versions.stdout.trim().split('\n')
    assert.match(trailVersion!, new RegExp(`^trail/${pkg.version} `))
    assert.match(relayVersion!, new RegExp(`^relay/${pkg.version} `))
    assert.equal(trailPath, join(installed().prefix, 'bin', 'trail'))
    assert.equal(relayPath, join(installed().prefix, 'bin', 'relay'))
    repo.assertUserStateUnchanged(before)
  })

  it("runs with npx from the tarball: npx -p <tarball> trail --version, from npm's cache as the install did", () => {
    const dir = tempDir('npx')
    const npxDir = join(npmEnv().npm_config_cache!, '_npx')
    const seen = new Set(safeList(npxDir))
    try {
      const {tarball, mode} = installed()
      // From the cache only when the install could do so too; else the registry for what the cache lacks, as the install did.
      const result = spawnSync('npx', [`--${mode}`, '--yes', '-p', tarball, 'trail', '--version'], {cwd: dir, env: npmEnv(), encoding: 'utf8'})
      assert.equal(result.status, 0, result.stderr)
      assert.match(result.stdout, new RegExp(`^trail/${pkg.version} `))
    } finally {
      // npx installs into npm's cache (_npx/<hash>); what this test added there is removed.
      for (const name of safeList(npxDir)) if (!seen.has(name)) rmSync(join(npxDir, name), {recursive: true, force: true})
    }
  })
})

function safeList(dir: string): string[] {
  try {
    return readdirSync(dir)
  } catch {
    return []
  }
}
