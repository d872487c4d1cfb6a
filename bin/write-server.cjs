// The write server: started by a command (bin/server-client.cjs says when, and why), it runs the commands of one
// family (`trail decision`, `relay continuity save`, ...) for the commands of its own identity, each with a fresh
// instance of the family's bundle: what one command leaves in the bundle's module state never reaches the next, as
// between two processes. Commands run side by side, as processes would (one may wait for its standard input while
// another is asked for its output: `relay continuity load | relay continuity save`), and take the same locks. What
// stays is what costs a command most: Node started, the bundle compiled and optimised by V8, node:crypto loaded,
// the heap grown.
//
// Arguments: <bin> <family> <socket id>; descriptor 3 is the socket listening at <this user's folder>/server-<key>
// (bin/server-client.cjs' placeFor: the key is this server's identity's, computed here again), made by the command
// that started this one, and the id (inode and birth time) is that socket file's. The server ends when the file at
// its place is no longer that one (removed, or replaced by a newer server's), when its repository is removed, when
// its bundle or this file changes, or after IDLE_MS without a command; the commands it has begun are finished first.
//
// Each connection is one command, as lines of JSON. The client: {identity, argv, stdinIsTTY}, then, when asked,
// {t: 'stdin', data} (base64) as its standard input comes, and {t: 'stdin-end'} or {t: 'stdin-error', message}.
// The server: {t: 'refused'} (not its identity, or ending: nothing was run, the client runs the command itself), or
// {t: 'begin'} (from here on the command counts as run: the client never runs it again), then any number of
// {t: 'out' | 'err', data} (base64) and {t: 'stdin'}, then {t: 'exit', code}.
'use strict'
const {closeSync, lstatSync, lutimesSync, readdirSync, readFileSync, unlinkSync} = require('node:fs')
const {dirname, join} = require('node:path')
const net = require('node:net')
const {compileBundle, instantiate} = require('./fast-path.cjs')
const {identityOf, placeFor, readMessages, socketId} = require('./server-client.cjs')

/** How long a server waits for a command before it ends: ten minutes, or RELAY_TRAIL_SERVER_IDLE_MS. */
const IDLE_MS = Number(process.env.RELAY_TRAIL_SERVER_IDLE_MS) > 0 ? Number(process.env.RELAY_TRAIL_SERVER_IDLE_MS) : 10 * 60_000
const CHECK_MS = 1000
/** At most this many servers of one user's folder (sweepFolder). */
const MAX_SERVERS = 12
/** A request line longer than this is not a client's: its environment and arguments take a few kilobytes. */
const MAX_LINE = 4 * 1024 * 1024
/** Chunks of a client's standard input held before its socket is paused (the command reads slower than it comes). */
const STDIN_CHUNKS_HELD = 16

function main() {
  closeInherited()
  const [bin, family, id] = process.argv.slice(2)
  const bundleFile = join(__dirname, '..', 'dist', `hot-${family}.cjs`)
  // The place this server's identity gives: the one where the command that started it put its socket, or it was
  // started wrongly.
  const place = /^[a-z]+(-[a-z]+)*$/.test(family ?? '') ? placeFor(bin, family, bundleFile) : null
  if (place === null || socketId(place.socket) !== id) return
  const {identity, socket: socketPath, repository} = place
  // Until it listens, a signal ends it at once; its socket goes with it.
  const SIGNALS = ['SIGTERM', 'SIGINT', 'SIGHUP']
  const endEarly = () => {
    if (socketId(socketPath) === id) unlinkSync(socketPath)
    process.exit(0)
  }
  for (const signal of SIGNALS) process.on(signal, endEarly)
  const repositoryInode = lstatSync(repository).ino
  sweepFolder(dirname(socketPath), socketPath)
  const instances = new Instances(compileBundle(`hot-${family}`))
  let running = 0
  let lastUse = Date.now()
  let ending = false

  const listener = net.createServer((socket) => {
    readRequest(socket, (request) => {
      if (ending || request.identity !== identity) return refuse(socket)
      touch(socketPath)
      running++
      runCommand(instances, socket, request)
        .catch(() => socket.destroy())
        .finally(() => {
          lastUse = Date.now()
          // Done when the client has all of it: exiting before would cut a slow client's output short.
          if (socket.closed) finished()
          else socket.once('close', finished)
        })
    })
  })
  const finished = () => {
    running--
    if (ending && running === 0) process.exit(0)
  }
  listener.on('error', () => end())
  listener.listen({fd: 3})

  const ours = () => socketId(socketPath) === id
  const end = () => {
    if (ending) return
    ending = true
    clearInterval(check)
    listener.close()
    try {
      if (ours()) unlinkSync(socketPath)
    } catch {
      // gone already
    }
    if (running === 0) process.exit(0)
  }
  // The repository removed (or another in its place), the socket taken, the bundle or Node upgraded, the folder
  // gone (process.cwd() throws), or nothing to do for IDLE_MS: this server's commands are over.
  const over = () => {
    try {
      return !ours() || lstatSync(repository, {throwIfNoEntry: false})?.ino !== repositoryInode || identityOf(bin, family, bundleFile) !== identity
    } catch {
      return true
    }
  }
  const check = setInterval(() => {
    if (over() || (running === 0 && Date.now() - lastUse > IDLE_MS)) end()
  }, CHECK_MS)
  // `kill` (or `pkill -f bin/write-server.cjs`) ends it as idleness does: its socket removed, its commands finished.
  for (const signal of SIGNALS) {
    process.off(signal, endEarly)
    process.on(signal, end)
  }
  if (!ours()) end()
}

/**
 * Closes what this process was handed without asking (Linux): a descriptor the command that started it had from
 * its own parent, without close-on-exec, such as the write end of a pipe its caller reads to its end. Kept, the
 * caller would wait for this server to end. Node opens every descriptor of its own with close-on-exec; 0-2 are
 * /dev/null and 3 is the socket.
 */
function closeInherited() {
  let names
  try {
    names = readdirSync('/proc/self/fdinfo')
  } catch {
    return
  }
  for (const name of names) {
    const fd = Number(name)
    if (!(fd > 3)) continue
    try {
      const flags = /^flags:\s+([0-7]+)$/m.exec(readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8'))?.[1]
      if (flags !== undefined && (Number.parseInt(flags, 8) & 0o2000000) === 0) closeSync(fd)
    } catch {
      // closed meanwhile (the folder's own descriptor)
    }
  }
}

/** Marks the socket used now (sweepFolder ends the servers used longest ago first). */
function touch(path) {
  try {
    const now = new Date()
    lutimesSync(path, now, now)
  } catch {
    // gone: the next check ends this server
  }
}

/**
 * Keeps the user's folder of servers small: the sockets of all but the MAX_SERVERS - 1 servers used last (each
 * touches its socket at every command) are removed, and their servers end within a second; so are sockets a command
 * made and never renamed into place (it died in between). Many
 * repositories written in a short time (a test suite) so never keep more than MAX_SERVERS processes.
 */
function sweepFolder(folder, own) {
  try {
    const sockets = []
    for (const name of readdirSync(folder)) {
      const path = join(folder, name)
      const stat = lstatSync(path, {throwIfNoEntry: false})
      if (!stat?.isSocket() || path === own) continue
      if (/^server-[0-9a-f]{16}$/.test(name)) sockets.push({path, used: stat.mtimeMs})
      else if (/^server-[0-9a-f]{16}\.\d+$/.test(name) && Date.now() - stat.mtimeMs > 60_000) unlinkSync(path)
    }
    sockets.sort((a, b) => b.used - a.used)
    for (const {path} of sockets.slice(MAX_SERVERS - 1)) unlinkSync(path)
  } catch {
    // left for the next server
  }
}

/** Reads the client's first line, then hands each later line (its standard input) to the command reading it. */
function readRequest(socket, onRequest) {
  let requested = false
  socket.on('error', () => {})
  const onMessage = (message) => {
    if (requested) return socket.emit('stdin-line', message)
    requested = true
    if (typeof message?.identity !== 'string' || !Array.isArray(message.argv) || !message.argv.every((word) => typeof word === 'string')) {
      return socket.destroy()
    }
    onRequest(message)
  }
  readMessages(socket, MAX_LINE, onMessage, () => socket.destroy())
}

function refuse(socket) {
  send(socket, {t: 'refused'})
  socket.end()
}

function send(socket, message) {
  if (!socket.destroyed) socket.write(`${JSON.stringify(message)}\n`)
}

/**
 * Fresh instances of the bundle, one made ahead while the server waits (its top level runs in a millisecond or so
 * that a command then does not wait for). Nothing in a bundle's top level depends on when it runs (no clock is read
 * there).
 */
class Instances {
  constructor(compiled) {
    this.compiled = compiled
    this.ready = instantiate(compiled)
  }

  take() {
    const instance = this.ready ?? instantiate(this.compiled)
    this.ready = null
    return instance
  }

  /** Makes the next one, once a command's answer is on its way. */
  prepare() {
    setImmediate(() => {
      this.ready ??= instantiate(this.compiled)
    })
  }
}

/**
 * Runs one command with a fresh instance of the bundle, its output sent to the client as it is written, and its
 * exit code last. A command begun is finished even when its client has gone, as a process that lost its terminal
 * would be (docs/operators.md says so); one whose client went before it began is not begun.
 */
async function runCommand(instances, socket, request) {
  if (socket.destroyed) return
  send(socket, {t: 'begin'})
  const output = (t) => ({
    isTTY: false,
    write(data) {
      send(socket, {t, data: Buffer.from(data).toString('base64')})
      return true
    },
  })
  const streams = {stdout: output('out'), stderr: output('err'), stdin: clientStdin(socket, request.stdinIsTTY === true)}
  let code = 0
  try {
    const handled = await instances.take().run(request.argv, {
      streams,
      exit: (exitCode) => {
        code = exitCode
      },
    })
    // Not a command of the bundle's after all (help): nothing was run, so the client may run it.
    if (!handled) return refuse(socket)
  } catch (error) {
    streams.stderr.write(`error: internal error: ${String(error?.message ?? error).split('\n')[0]}\nhint: rerun with DEBUG=1 to see where, and report it\n`)
    code = 1
  } finally {
    instances.prepare()
  }
  send(socket, {t: 'exit', code})
  socket.end()
}

/**
 * The client's standard input, as an async iterable of its chunks as they come (bin/server-client.cjs' sendStdin),
 * asked for when the command first reads it. It ends only where the client says it does: a client gone before, or
 * a read that failed there, is an error for the command, as a process killed while reading would have written
 * nothing of a half-read input.
 */
function clientStdin(socket, isTTY) {
  return {
    isTTY,
    async *[Symbol.asyncIterator]() {
      const chunks = []
      let ended = false
      let failed = null
      let wake = () => {}
      const onLine = (message) => {
        if (message?.t === 'stdin' && typeof message.data === 'string') {
          chunks.push(Buffer.from(message.data, 'base64'))
          if (chunks.length >= STDIN_CHUNKS_HELD) socket.pause()
        } else if (message?.t === 'stdin-end') ended = true
        else failed = new Error(`standard input could not be read: ${String(message?.message ?? 'unknown error')}`)
        wake()
      }
      const onClose = () => {
        failed ??= new Error('standard input ended before its end: the command that sent it is gone')
        wake()
      }
      socket.on('stdin-line', onLine)
      socket.once('close', onClose)
      send(socket, {t: 'stdin'})
      try {
        for (;;) {
          if (chunks.length > 0) {
            const chunk = chunks.shift()
            if (chunks.length < STDIN_CHUNKS_HELD / 2) socket.resume()
            yield chunk
          } else if (ended) return
          else if (failed) throw failed
          else
            await new Promise((resolve) => {
              wake = resolve
            })
        }
      } finally {
        socket.off('stdin-line', onLine)
        socket.off('close', onClose)
      }
    },
  }
}

main()
