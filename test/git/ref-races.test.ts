import assert from 'node:assert/strict'
import {describe, it} from 'node:test'
import {isPushRace, readRefUpdateFailure} from '../../src/git/ref-races.js'

// git's words for a lost race, as git 2.3x prints them (LC_ALL=C), read in one place: what is a race (retry),
// what is git's lock on the ref (wait, or recover), and what is neither (report).

describe("git's words for a lost race", () => {
  it('reads a local ref update that lost', () => {
    const lock = '/repo/.git/refs/trail/records.lock'
    for (const [stderr, expected] of [
      ['warning: Not updating refs/trail/records (new tip 1a2b does not contain 3c4d)', {kind: 'moved'}],
      [
        "fatal: cannot lock ref 'refs/trail/records': is at 1111111111111111111111111111111111111111 but expected 2222222222222222222222222222222222222222",
        {kind: 'moved'},
      ],
      ["fatal: cannot lock ref 'refs/trail/records': reference already exists", {kind: 'moved'}],
      [
        "error: cannot lock ref 'refs/trail/records': Unable to create '/repo/.git/refs/trail/records.lock': File exists.\n\nAnother git process seems to be running",
        {kind: 'locked', lockPath: lock},
      ],
      ["fatal: cannot lock ref 'refs/trail/records': 'refs/trail/records/x' exists; cannot create 'refs/trail/records'", {kind: 'other'}],
      ['error: unable to create directory for .git/refs/trail/records: Permission denied', {kind: 'other'}],
    ] as const) {
      assert.deepEqual(readRefUpdateFailure(stderr), expected, stderr)
    }
  })

  it('reads a push that lost, and one refused for another reason', () => {
    for (const [report, race] of [
      ['!\trefs/trail/records:refs/trail/records\t[rejected] (fetch first)\nDone', true],
      ['!\trefs/trail/records:refs/trail/records\t[rejected] (non-fast-forward)', true],
      [
        "!\trefs/trail/records:refs/trail/records\t[remote rejected] (failed to update ref)\nremote: error: cannot lock ref 'refs/trail/records': reference already exists",
        true,
      ],
      [
        "!\trefs/trail/records:refs/trail/records\t[remote rejected] (failed to update ref)\nremote: error: cannot lock ref 'refs/trail/records': is at 1111111111111111111111111111111111111111 but expected 2222222222222222222222222222222222222222",
        true,
      ],
      [
        "!\trefs/trail/records:refs/trail/records\t[remote rejected] (failed to update ref)\nremote: error: Unable to create '/srv/r.git/refs/trail/records.lock': File exists.",
        true,
      ],
      ['!\trefs/trail/records:refs/trail/records\t[remote rejected] (pre-receive hook declined)', false],
      ['!\trefs/trail/records:refs/trail/records\t[remote rejected] (failed to update ref)\nremote: error: unable to write: Permission denied', false],
      ["fatal: unable to access 'https://example.com/r.git/': Could not resolve host", false],
    ] as const) {
      assert.equal(isPushRace(report), race, report)
    }
  })
})
