import assert from 'node:assert/strict'
import {lstatSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, it} from 'node:test'
import {writeFileAtomic} from '../src/files.js'
import {useTempDirs} from './helpers/repo.js'

const tempDir = useTempDirs()

describe('writeFileAtomic', () => {
  for (const mayVanish of [false, true]) {
    describe(mayVanish ? 'with mayVanish (the old file removed, the new one renamed in)' : 'renaming over the old file', () => {
      it('creates, then replaces the whole content, leaving no temporary file', () => {
        const dir = tempDir('files')
        const path = join(dir, 'state.json')
        writeFileAtomic(path, 'first, longer content\n', {mayVanish})
        writeFileAtomic(path, 'second\n', {mayVanish})
        assert.equal(readFileSync(path, 'utf8'), 'second\n')
        assert.deepEqual(readdirSync(dir), ['state.json'])
      })

      it('replaces a symbolic link at the path, never writing through it', () => {
        const dir = tempDir('files')
        const target = join(dir, 'target')
        writeFileSync(target, 'not ours\n')
        symlinkSync(target, join(dir, 'state.json'))
        writeFileAtomic(join(dir, 'state.json'), 'ours\n', {mayVanish})
        assert.equal(readFileSync(target, 'utf8'), 'not ours\n')
        assert.ok(lstatSync(join(dir, 'state.json')).isFile())
        assert.equal(readFileSync(join(dir, 'state.json'), 'utf8'), 'ours\n')
      })

      it('fails on a folder at the path, leaving the folder and no temporary file', () => {
        const dir = tempDir('files')
        mkdirSync(join(dir, 'state.json'))
        writeFileSync(join(dir, 'state.json', 'inside'), 'kept\n')
        assert.throws(() => writeFileAtomic(join(dir, 'state.json'), 'x\n', {mayVanish}), /EISDIR|EPERM|ENOTEMPTY|EEXIST/)
        assert.deepEqual(readdirSync(dir), ['state.json'])
        assert.equal(readFileSync(join(dir, 'state.json', 'inside'), 'utf8'), 'kept\n')
      })
    })
  }
})
