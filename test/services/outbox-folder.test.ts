import assert from 'node:assert/strict'
import {execFileSync, spawn} from 'node:child_process'
import {chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {describe, it} from 'node:test'
import type {AgentName} from '../../src/model/names.js'
import {OutboxFolder} from '../../src/services/outbox-folder.js'

// The outbox folder is in /tmp, shared by every user: the file read is the file deleted, whatever happens to the
// path in between, and a folder someone else controls is refused.

const agent = 'agent' as AgentName
const SAVE = 'KIND: continuity\nACTION: save\n\nCurrent task: mine\n'

function tempBase(): string {
  const base = mkdtempSync(join(tmpdir(), 'relay-outbox-'))
  mkdirSync(join(base, agent), {mode: 0o700})
  return base
}

describe('the outbox folder', () => {
  it('deletes the file it read, even when the agent folder is swapped for a link to another folder in between', () => {
    const base = tempBase()
    const elsewhere = mkdtempSync(join(tmpdir(), 'relay-victim-'))
    try {
      writeFileSync(join(base, agent, 'continuity'), SAVE)
      writeFileSync(join(elsewhere, 'continuity'), 'a file of the same name elsewhere\n')
      const folder = OutboxFolder.open(base, agent)
      try {
        const file = folder.read('continuity')
        assert.equal(file.bytes.toString(), SAVE)
        // Between the read and the delete: the agent folder moves away and a link to the other folder takes its
        // place, so <base>/<agent>/continuity now names the other file.
        renameSync(join(base, agent), join(base, 'moved'))
        symlinkSync(elsewhere, join(base, agent))
        assert.equal(readFileSync(join(base, agent, 'continuity'), 'utf8'), 'a file of the same name elsewhere\n')
        folder.remove('continuity', file.identity)
      } finally {
        folder.close()
      }
      assert.equal(readFileSync(join(elsewhere, 'continuity'), 'utf8'), 'a file of the same name elsewhere\n', 'the other file survives')
      assert.ok(!existsSync(join(base, 'moved', 'continuity')), 'the file that was read is the one deleted')
    } finally {
      rmSync(base, {recursive: true, force: true})
      rmSync(elsewhere, {recursive: true, force: true})
    }
  })

  it('deletes nothing when the name holds another file by the time of the delete', () => {
    const base = tempBase()
    try {
      writeFileSync(join(base, agent, 'msg'), 'TO: Bob\n\nhi\n')
      const folder = OutboxFolder.open(base, agent)
      try {
        const file = folder.read('msg')
        renameSync(join(base, agent, 'msg'), join(base, agent, 'old'))
        writeFileSync(join(base, agent, 'msg'), 'TO: Bob\n\nanother message\n')
        assert.throws(() => folder.remove('msg', file.identity), /outbox file \S+\/msg was replaced while it was carried out; it is left in place/)
      } finally {
        folder.close()
      }
      assert.equal(readFileSync(join(base, agent, 'msg'), 'utf8'), 'TO: Bob\n\nanother message\n')
    } finally {
      rmSync(base, {recursive: true, force: true})
    }
  })

  it('never deletes a file of the same name elsewhere while another process swaps the folder in a loop', async () => {
    const base = tempBase()
    const elsewhere = mkdtempSync(join(tmpdir(), 'relay-victim-'))
    writeFileSync(join(elsewhere, 'save'), 'precious\n')
    // A real concurrent attacker: a shell loop swapping the agent folder and a link to the other folder.
    const script = `while true; do mv ${base}/${agent} ${base}/real 2>/dev/null && ln -sfn ${elsewhere} ${base}/${agent} && rm -f ${base}/${agent} && mv ${base}/real ${base}/${agent}; done`
    // In a process group of its own, so the mv or ln it runs when stopped stops with it (else it races the cleanup).
    const swapper = spawn('bash', ['-c', script], {stdio: 'ignore', detached: true})
    try {
      let deleted = 0
      for (let round = 0; round < 300; round++) {
        try {
          writeFileSync(join(base, agent, 'save'), SAVE)
        } catch {
          continue // the folder is away right now
        }
        try {
          const folder = OutboxFolder.open(base, agent)
          try {
            const file = folder.read('save')
            folder.remove('save', file.identity)
            deleted++
          } finally {
            folder.close()
          }
        } catch {
          // The folder was a link or missing at the open: refused, which is fine.
        }
        // (This test's own write above may go through the link and overwrite it: only a delete would be the bug.)
        assert.ok(existsSync(join(elsewhere, 'save')), `round ${round}: the file of the same name elsewhere was deleted`)
      }
      assert.ok(deleted > 0, 'some rounds got through')
    } finally {
      const closed = new Promise((resolve) => swapper.on('close', resolve))
      process.kill(-swapper.pid!, 'SIGKILL')
      await closed
      rmSync(base, {recursive: true, force: true, maxRetries: 5})
      rmSync(elsewhere, {recursive: true, force: true, maxRetries: 5})
    }
  })

  it('refuses a base folder that is a link, that others can write to without the sticky bit, or that another user owns', () => {
    const base = tempBase()
    const link = `${base}-link`
    try {
      symlinkSync(base, link)
      assert.throws(() => OutboxFolder.open(link, agent), /outbox folder \S+-link is a symbolic link; only a real folder is used/)
      chmodSync(base, 0o777)
      assert.throws(() => OutboxFolder.open(base, agent), /can be written to by others and has no sticky bit: another user could replace your folder in it/)
      chmodSync(base, 0o1777)
      OutboxFolder.open(base, agent).close()
      chmodSync(base, 0o755)
      chownSync(base, 12345, 12345)
      if (process.getuid?.() !== 12345) assert.throws(() => OutboxFolder.open(base, agent), /outbox base folder \S+ belongs to another user \(uid 12345\)/)
    } finally {
      rmSync(link, {force: true})
      rmSync(base, {recursive: true, force: true})
    }
  })

  it('refuses an agent folder that is a link, that others can write to, or that another user owns', () => {
    const base = tempBase()
    try {
      mkdirSync(join(base, 'real'), {mode: 0o700})
      symlinkSync(join(base, 'real'), join(base, 'linked'))
      assert.throws(() => OutboxFolder.open(base, 'linked' as AgentName), /outbox folder \S+\/linked is a symbolic link/)
      chmodSync(join(base, agent), 0o777)
      assert.throws(() => OutboxFolder.open(base, agent), /is not a folder of yours that only you can write to/)
      chmodSync(join(base, agent), 0o700)
      chownSync(join(base, agent), 12345, 12345)
      if (process.getuid?.() !== 12345) assert.throws(() => OutboxFolder.open(base, agent), /is not a folder of yours that only you can write to/)
    } finally {
      rmSync(base, {recursive: true, force: true})
    }
  })

  it('refuses a FIFO, a link or a folder as an outbox file, at once, without blocking', {timeout: 30_000}, () => {
    const base = tempBase()
    try {
      execFileSync('mkfifo', [join(base, agent, 'pipe')])
      mkdirSync(join(base, agent, 'dir'))
      symlinkSync('/etc/hostname', join(base, agent, 'link'))
      const folder = OutboxFolder.open(base, agent)
      try {
        assert.throws(() => folder.read('pipe'), /outbox file \S+\/pipe is not a regular file \(it is a FIFO\)/)
        assert.throws(() => folder.read('dir'), /outbox file \S+\/dir is not a regular file \(it is a folder\)/)
        assert.throws(() => folder.read('link'), /outbox file \S+\/link is a link; only regular files are read/)
        assert.throws(() => folder.read('../x'), /invalid outbox file name/)
      } finally {
        folder.close()
      }
      assert.ok(existsSync(join(base, agent, 'pipe')), 'the FIFO is left in place')
    } finally {
      rmSync(base, {recursive: true, force: true})
    }
  })
})
