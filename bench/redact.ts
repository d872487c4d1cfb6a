import {readFileSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {redact, redactText} from '../src/model/redact.js'

// A micro-benchmark of redaction on the write path (`npm run bench -- --only redact`). It times redactText on a 10 KB record built from the engineering prose of the redaction corpus (text full of
// "password", "token" and "key", the worst case for keyword pre-filters), the same with a few credentials in it, and
// redact() on a ledger-like value of the same size.

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
const prose = readFileSync(join(root, 'test', 'fixtures', 'redaction', 'prose.txt'), 'utf8')
  .split('\n')
  .filter((line) => line.trim() !== '' && !line.startsWith('# '))

function record(size: number, extra: string[] = []): string {
  const lines = ['---', 'id: traj_01jd2k3m4n5p6q7r8s9t0v1w2x', 'title: Auth rewrite', '---', '# Auth rewrite', '']
  let at = 0
  while (lines.join('\n').length < size) {
    lines.push(prose[at % prose.length]!)
    if (extra.length > 0 && at % 40 === 20) lines.push(extra[((at / 40) % extra.length) | 0]!)
    at++
  }
  return lines.join('\n').slice(0, size)
}

/**
 * Times `run` in CPU time of this process (user + system), which a machine shared with other work disturbs far less
 * than wall time: the best and the median of 31 rounds.
 */
function time(name: string, run: () => unknown, calls = 200): string {
  for (let i = 0; i < 300; i++) run()
  const samples: number[] = []
  for (let r = 0; r < 31; r++) {
    const start = process.cpuUsage()
    for (let i = 0; i < calls; i++) run()
    const used = process.cpuUsage(start)
    samples.push((used.user + used.system) / calls)
  }
  samples.sort((a, b) => a - b)
  return `| ${name} | ${samples[0]!.toFixed(1)} µs | ${samples[15]!.toFixed(1)} µs |`
}

/** The redaction benchmark, as a Markdown section. */
export function benchRedaction(): string {
  const plain = record(10 * 1024)
  const fake = (n: number) => 'aB3dE5gH7jK9mN1pQ2rS4tU6vW8xY0zA1bC3dE5fG7hJ9kL2mN4pQ6rS8tU0vW2'.slice(0, n)
  const withSecrets = record(10 * 1024, [`token ${'gh'}p_${fake(36)}`, `DB_PASSWORD=${'hunter'}`, `the admin password is ${'Winter'}2024!`])
  const ledger = {
    agent: 'backend',
    updated: '2026-01-01T00:00:00Z',
    keyDecisions: plain.split('\n').slice(0, 60),
    notes: [{label: 'Notes', text: plain.slice(0, 4000)}],
  }
  return [
    '### Redaction on the write path (CPU time per call: best and median of 31 rounds)',
    '',
    '| input | best | median |',
    '|---|---|---|',
    time('redactText, 10 KB of prose', () => redactText(plain)),
    time('redactText, 10 KB with 3 kinds of credentials', () => redactText(withSecrets)),
    time('redact(), a ledger value of about 10 KB', () => redact(ledger)),
    time('redactText, a 200-character title', () => redactText(plain.slice(0, 200)), 2000),
  ].join('\n')
}
