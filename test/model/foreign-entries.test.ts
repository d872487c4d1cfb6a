import assert from 'node:assert/strict'
import {describe, it} from 'node:test'
import {describeLeftOut, entryProblem, formatBytes, recordByteLimit} from '../../src/model/foreign-entries.js'

// What another store may bring into ours: every kind of entry a hostile or broken tree can hold, and the records
// of this version and of a newer one that must pass.

describe('entries of another store', () => {
  it("takes every record path of this version, and a newer version's records in folders of their own", () => {
    for (const path of [
      '.trail/format.yaml',
      '.relay/project.yaml',
      '.trail/trajectories/2026/01/02/traj_01kdyfk3r0aaaaaaaaaaaaaaaa/trajectory.md',
      '.trail/trajectories/2026/01/02/traj_01kdyfk3r0aaaaaaaaaaaaaaaa/events/ev_01kdyfk3r0aaaaaaaaaaaaaaab.md',
      '.trail/active/Alice/traj_01kdyfk3r0aaaaaaaaaaaaaaaa.yaml',
      '.relay/ledger/Alice.md',
      '.relay/messages/2026/01/02/msg_01kdyfk3r0aaaaaaaaaaaaaaaa.md',
      '.relay/receipts/Alice/msg_01kdyfk3r0aaaaaaaaaaaaaaaa.yaml',
      '.trail/notes/2026/note.md',
      '.relay/schedules.yaml',
      '.relay/boards/team-a/board.json',
    ]) {
      assert.equal(entryProblem(path, '100644'), null, path)
      assert.equal(entryProblem(path, '100755'), null, path)
    }
  })

  it('refuses links, submodules, odd names, paths outside the layout and folders where records belong', () => {
    const message = '.relay/messages/2026/01/02/msg_01kdyfk3r0aaaaaaaaaaaaaaaa.md'
    for (const [path, mode, reason] of [
      [message, '120000', /^a symbolic link where a record file belongs$/],
      ['.relay/ledger', '120000', /symbolic link/],
      ['.trail/vendor', '160000', /^a submodule/],
      ['.trail/odd', '100600', /^an entry of mode 100600/],
      ['.relay/../x.md', '100644', /^a name that is not plain: '\.\.'/],
      ['.relay/./x.md', '100644', /not plain: '\.'/],
      ['.trail/.git/config.yaml', '100644', /not plain: '\.git'/],
      ['.trail/.GIT/config.yaml', '100644', /not plain: '\.GIT'/],
      ['.trail/notes/.hidden.md', '100644', /not plain/],
      ['.trail/notes/dir./x.md', '100644', /not plain: 'dir\.'/],
      ['.trail/notes/a\u001b[31m.md', '100644', /not plain: 'a\\x1b\[31m\.md'/],
      ['.trail/notes/a\\b.md', '100644', /not plain: 'a\\b\.md'/],
      ['.trail/notes/a\nb.md', '100644', /not plain: 'a\\nb\.md'/],
      ['.trail/notes/c:d.md', '100644', /not plain/],
      ['.trail/notes//x.md', '100644', /not plain: ''/],
      ['.git/hooks/post-checkout', '100755', /^outside \.trail\/ and \.relay\/$/],
      ['src/app.js', '100644', /^outside/],
      ['.trail', '100644', /^outside/],
      ['.Trail/x.md', '100644', /^outside/],
      ['.relay/ledger/Alice.md/x.md', '100644', /^in \.relay\/ledger\/, but not at the path of a record that folder holds$/],
      ['.relay/messages/junk.md', '100644', /^in \.relay\/messages\//],
      ['.relay/messages/2026/01/03/msg_01kdyfk3r0aaaaaaaaaaaaaaaa.md', '100644', /^in \.relay\/messages\//],
      ['.trail/format.yaml/x.yaml', '100644', /^a folder where the record \.trail\/format\.yaml belongs$/],
      ['.trail/notes/x.sh', '100644', /^not a \.md, \.yaml or \.json file$/],
      [`.trail/${'d/'.repeat(9)}x.md`, '100644', /more than 8 folders deep/],
      [`.trail/${'x'.repeat(300)}.md`, '100644', /not plain|longer than/],
    ] as const) {
      assert.match(entryProblem(path, mode) ?? 'fits', reason, JSON.stringify(path))
      assert.notEqual(entryProblem(path, mode), null, JSON.stringify(path))
    }
  })

  it('names what was left out escaped and counted, with sizes people read', () => {
    assert.equal(describeLeftOut([{path: 'a\u001b]0;x\u0007.md', reason: 'odd'}]), 'a\\x1b]0;x\\x07.md (odd)')
    const many = Array.from({length: 7}, (_, i) => ({path: `p${i}`, reason: 'r'}))
    assert.equal(describeLeftOut(many), 'p0 (r); p1 (r); p2 (r); p3 (r); p4 (r); and 2 more')
    assert.deepEqual([formatBytes(17), formatBytes(2048), formatBytes(629_145_600)], ['17 bytes', '2.0 KiB', '600.0 MiB'])
    assert.equal(recordByteLimit({}), 16 * 1024 * 1024)
    assert.equal(recordByteLimit({RELAY_TRAIL_MAX_RECORD_BYTES: '4096'}), 4096)
    assert.equal(recordByteLimit({RELAY_TRAIL_MAX_RECORD_BYTES: 'lots'}), 16 * 1024 * 1024)
  })
})
