// The client's side of the write server (bin/write-server.cjs). A write starts Node, loads its bundle with V8's code
// cache, loads node:crypto, grows a heap and runs code V8 has not optimised yet: most of its cost beyond `node -e 0`
// (issue 14). A server is a process that has done all that once and runs each command it is handed as the command's
// own process would: with a fresh instance of the same bundle (no state is kept from one command to the next), in
// the same folder, with the same environment, and with the command's output sent back as it is written. The client
// pays Node's start, a connection and the command's own work.
//
// Where a server runs a command exactly as the command would run, and only there: a server serves the commands whose
// identity (`identityOf`: the bundle's file, Node, user, groups, umask, folder and every environment variable) is its
// own, character for character, and says "run it yourself" to any other. The identity's hash names the socket, in
// this user's own folder for them ($XDG_RUNTIME_DIR/relay-trail, else ~/.cache/relay-trail: never inside the
// repository, which must stay copyable with cp and tar), so a command finds the server of its own kind or none. A
// socket is made by the command that starts the server (startServer), with permissions for its user only, and
// handed over as an open descriptor: the server never creates a file.
//
// When there is none, or it cannot be reached, the command runs in its own process as it always did, and a second
// such command within a minute starts a server (a one-off command leaves no process behind). A server ends after
// ten minutes without a command, when its repository is removed, when its socket is removed or replaced (a newer
// server in its place), and when its bundle changes (an upgrade). RELAY_TRAIL_SERVER=0 turns it off. Only output to
// pipes and files is served: on a terminal (colour, pager, progress) the command runs here.
'use strict'
const {closeSync, constants, fstatSync, lstatSync, mkdirSync, openSync, read, readFileSync, readlinkSync, renameSync, statSync, writeSync} = require('node:fs')
const {dirname, isAbsolute, join, resolve} = require('node:path')

const PROTOCOL = 'relay-trail write server 1'
const SERVER_FILE = join(__dirname, 'write-server.cjs')
/** A socket's path holds 107 bytes on Linux (108 on some systems, 104 on macOS): longer ones get no server. */
const MAX_SOCKET_PATH = 100
/** A command that found no server starts one when another found none within this long before it. */
const MISS_WINDOW_MS = 60_000

/**
 * Where the server for this command would be, with the identity it must share: null when none may serve it
 * (turned off, a terminal to write to, no repository with a private folder, a path too long for a socket).
 */
function placeFor(bin, family, bundleFile) {
  const env = process.env
  if (/^(0|off|false|no)$/i.test(env.RELAY_TRAIL_SERVER ?? '') || env.RELAY_TRAIL_WRITE_CODE_CACHE === '1') return null
  if (process.platform === 'win32' || !isPipeOrFile(1) || !isPipeOrFile(2) || pendingDeprecation()) return null
  const repository = commonDir(env)
  const folder = serverFolder(env)
  if (repository === null || folder === null) return null
  const identity = identityOf(bin, family, bundleFile)
  if (identity === null) return null
  const key = hashOf(identity)
  const socket = join(folder, `server-${key}`)
  if (Buffer.byteLength(socket) > MAX_SOCKET_PATH) return null
  return {bin, family, identity, key, socket, repository}
}

/**
 * This user's folder for sockets: $XDG_RUNTIME_DIR/relay-trail (a folder only its user can enter, emptied at
 * logout), else ~/.cache/relay-trail; null when neither can be named, or when it, or a folder between it and
 * $XDG_RUNTIME_DIR or $HOME, is not this user's own (ownedHere): a socket another user could put there would be
 * handed this command's environment.
 */
function serverFolder(env) {
  const runtime = env.XDG_RUNTIME_DIR
  const base = runtime && isAbsolute(runtime) ? runtime : env.HOME && isAbsolute(env.HOME) ? env.HOME : null
  if (base === null) return null
  const folder = base === runtime ? join(runtime, 'relay-trail') : join(base, '.cache', 'relay-trail')
  for (let dir = folder; ; dir = dirname(dir)) {
    if (!ownedHere(dir)) return null
    if (dir === base || dirname(dir) === dir) return folder
  }
}

/**
 * Whether `dir` is, if it exists, a folder (not a link) of this user's or root's that nobody else may write to.
 */
function ownedHere(dir) {
  const stat = lstatSync(dir, {throwIfNoEntry: false})
  if (stat === undefined) return true
  return stat.isDirectory() && (stat.uid === process.getuid() || stat.uid === 0) && (stat.mode & 0o022) === 0
}

/** Makes `folder` (and its parents) if needed, for this user only, and says whether it is this user's own. */
function ownFolder(folder) {
  mkdirSync(folder, {recursive: true, mode: 0o700})
  const stat = lstatSync(folder)
  return stat.isDirectory() && stat.uid === process.getuid() && (stat.mode & 0o077) === 0
}

/**
 * Variables a shell sets for its own bookkeeping and exports to every command, which nothing a command runs reads:
 * the folder before the last `cd`, and the path the command was started by. Left out of the identity, an agent that
 * changes folder and back keeps its server.
 */
const SHELL_BOOKKEEPING = new Set(['OLDPWD', '_'])

/**
 * Everything of this process that a command's result may depend on, besides its arguments and input: a server runs
 * only commands whose identity is its own (see the top). Null when a file of it cannot be read.
 */
function identityOf(bin, family, bundleFile) {
  const files = []
  for (const file of [bundleFile, SERVER_FILE, __filename]) {
    const stat = statSync(file, {throwIfNoEntry: false})
    if (stat === undefined) return null
    files.push(`${file} ${stat.dev}:${stat.ino}:${stat.size}:${stat.mtimeMs}`)
  }
  const env = Object.keys(process.env)
    .filter((name) => !SHELL_BOOKKEEPING.has(name))
    .sort()
    .map((name) => `${name}=${process.env[name]}`)
  return [
    PROTOCOL,
    `${bin} ${family}`,
    ...files,
    `${process.execPath} ${process.version} ${process.execArgv.join(' ')}`,
    `${process.getuid()} ${process.getgid()} ${process.getgroups().join(',')} ${process.umask().toString(8)}`,
    confinement(),
    process.cwd(),
    ...env,
  ].join('\0')
}

/**
 * What confines this process on Linux: its namespaces, seccomp filter, no-new-privileges and capabilities. A sandbox
 * (an agent's, bubblewrap's, a container's) differs in one of them, so a command in one is never run by a server
 * started outside it, which its sandbox would not hold.
 */
function confinement() {
  if (process.platform !== 'linux') return ''
  const parts = ['mnt', 'pid', 'net', 'user', 'ipc', 'uts', 'cgroup'].map((space) => {
    try {
      return readlinkSync(`/proc/self/ns/${space}`)
    } catch {
      return `${space}:?`
    }
  })
  const status = readText('/proc/self/status') ?? ''
  return [...parts, ...status.split('\n').filter((line) => /^(Seccomp|Seccomp_filters|NoNewPrivs|CapEff|CapBnd):/.test(line))].join(' ')
}

/** Two 32-bit FNV-1a hashes of `text`, as 16 hex digits: a name for the socket, not a check (the identity is). */
function hashOf(text) {
  let a = 0x811c9dc5
  let b = 0x050c5d1f
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i)
    a = Math.imul(a ^ code, 0x01000193)
    b = Math.imul(b ^ code, 0x01000193) ^ (b >>> 15)
  }
  return `${(a >>> 0).toString(16).padStart(8, '0')}${(b >>> 0).toString(16).padStart(8, '0')}`
}

/**
 * The repository's common folder, found as git finds it (GIT_DIR, or a `.git` folder or file up from here; a
 * worktree's `commondir`), without git: null outside a repository. It only places the socket: what the server
 * runs is the same command in the same folder with the same environment, wherever the socket is.
 */
function commonDir(env) {
  let gitDir = env.GIT_DIR ? resolve(env.GIT_DIR) : null
  for (let dir = process.cwd(); gitDir === null; dir = dirname(dir)) {
    const dotGit = join(dir, '.git')
    const stat = lstatSync(dotGit, {throwIfNoEntry: false})
    if (stat?.isDirectory()) gitDir = dotGit
    else if (stat?.isFile()) {
      const named = /^gitdir: (.+)$/m.exec(readText(dotGit) ?? '')
      if (!named) return null
      gitDir = resolve(dir, named[1].trim())
    } else if (dirname(dir) === dir) return null
  }
  if (env.GIT_COMMON_DIR) return resolve(env.GIT_COMMON_DIR)
  const named = join(gitDir, 'commondir')
  const common = statSync(named, {throwIfNoEntry: false}) === undefined ? null : readText(named)
  return common === null ? gitDir : resolve(gitDir, common.trim())
}

function readText(file) {
  try {
    return readFileSync(file, 'utf8')
  } catch {
    return null
  }
}

/** process.umask() without a mask warns under --pending-deprecation: no server then. */
function pendingDeprecation() {
  const flags = `${process.execArgv.join(' ')} ${process.env.NODE_OPTIONS ?? ''}`
  return /--pending[-_]deprecation/.test(flags) || (process.env.NODE_PENDING_DEPRECATION ?? '').startsWith('1')
}

/** Whether `fd` is a pipe, a socket, a file or /dev/null (src/cli/fd-io.ts' isPipeOrFile). */
function isPipeOrFile(fd) {
  try {
    const stat = fstatSync(fd)
    return stat.isFIFO() || stat.isSocket() || stat.isFile() || (stat.isCharacterDevice() && stat.rdev === statSync('/dev/null').rdev)
  } catch {
    return false
  }
}

/**
 * Hands the command to the server at `where`: 'served' (its output written, process.exitCode set), 'missing' (no
 * server listens there), or 'refused' (one does, but not for this command, or it could not take it). Nothing has run
 * unless it says 'served'. A server that ends in the middle of a command is reported as an error (the command may
 * or may not have been carried out), never run a second time.
 */
function serve(where, argv) {
  // A socket that is not this user's is not asked (placeFor has checked its folder).
  const stat = lstatSync(where.socket, {throwIfNoEntry: false})
  if (stat === undefined) return Promise.resolve('missing')
  if (!stat.isSocket() || stat.uid !== process.getuid()) return Promise.resolve('refused')
  return new Promise((settle) => {
    const socket = connect(where.socket)
    let begun = false
    let settled = false
    const finish = (outcome) => {
      if (settled) return
      settled = true
      socket.destroy()
      settle(outcome)
    }
    const lost = () => {
      if (settled) return
      writeOut(
        2,
        Buffer.from(
          'error: the write server ended before the command finished; it may or may not have been carried out\nhint: look with `trail status` or `relay continuity load`, and run the command again if it is missing\n',
        ),
      )
      process.exitCode = 1
      finish('served')
    }
    // Before {t: 'begin'} nothing has run: a connection that ends then is a server that would not take the command.
    const ended = () => (begun ? lost() : finish('refused'))
    const take = (message) => {
      if (settled) return
      const t = message?.t
      if (t === 'refused') return finish('refused')
      begun = true
      if (t === 'begin') return
      if ((t === 'out' || t === 'err') && typeof message.data === 'string') writeOut(t === 'out' ? 1 : 2, Buffer.from(message.data, 'base64'))
      else if (t === 'stdin') sendStdin(socket)
      else if (t === 'exit' && Number.isInteger(message.code)) {
        // As src/cli/fd-io.ts does: output that could not be written fails a command that did not fail otherwise.
        process.exitCode = message.code === 0 && outputFailed ? 1 : message.code
        finish('served')
      } else lost()
    }
    socket.on('connect', () => {
      const stdinIsTTY = !isPipeOrFile(0) && require('node:tty').isatty(0)
      socket.write(`${JSON.stringify({identity: where.identity, argv, stdinIsTTY})}\n`)
    })
    readMessages(socket, Number.POSITIVE_INFINITY, take, lost)
    socket.on('error', (error) => {
      if (begun) lost()
      else finish(error.code === 'ENOENT' || error.code === 'ECONNREFUSED' ? 'missing' : 'refused')
    })
    socket.on('close', ended)
  })
}

/**
 * A connection to the unix socket at `path`, with what serve() and sendStdin() use of a net.Socket ('connect',
 * 'data' as text, 'error' with its code, 'close' and 'drain' events; write, setEncoding, destroy). Made on the
 * binding node:net is built on, on the Node versions whose binding is known (20 to 24), as src/git/pipeless.ts
 * starts git: loading node:net and the stream modules it brings costs a command 3.5-5 ms, about a tenth of what a
 * served write costs beyond `node -e 0`. Anywhere else, node:net.
 */
function connect(path) {
  const binding = rawBinding()
  if (binding === null) return require('node:net').connect(path)
  const {Pipe, PipeConnectWrap, WriteWrap, state, errno} = binding
  const socket = new (require('node:events'))()
  const handle = new Pipe(binding.SOCKET)
  const decoder = new TextDecoder('utf-8')
  let closed = false
  const close = () => {
    if (closed) return
    closed = true
    handle.close()
    socket.emit('close')
  }
  const fail = (status) => {
    const code = Object.keys(errno).find((name) => errno[name] === -status) ?? 'UNKNOWN'
    socket.emit('error', Object.assign(new Error(`connect ${code} ${path}`), {code}))
    close()
  }
  handle.onread = (arrayBuffer) => {
    const read = state[binding.kReadBytesOrError]
    if (read > 0) socket.emit('data', decoder.decode(new Uint8Array(arrayBuffer, state[binding.kArrayBufferOffset], read), {stream: true}))
    else if (read < 0) close()
  }
  const request = new PipeConnectWrap()
  request.oncomplete = (status) => {
    if (closed) return
    if (status < 0) return fail(status)
    handle.readStart()
    socket.emit('connect')
  }
  const started = handle.connect(request, path)
  if (started < 0) setImmediate(() => fail(started))
  socket.setEncoding = () => {}
  socket.destroy = close
  /** True when the text was written at once; else 'drain' follows once it is. */
  socket.write = (text) => {
    if (closed) return false
    const write = new WriteWrap()
    write.handle = handle
    write.oncomplete = (status) => (status < 0 ? close() : socket.emit('drain'))
    write.async = false
    if (handle.writeUtf8String(write, text) < 0) {
      close()
      return false
    }
    return state[binding.kLastWriteWasAsync] === 0
  }
  return socket
}

let raw

/** The parts of Node's stream bindings a raw connection needs, or null where they are not known to be as here. */
function rawBinding() {
  if (raw !== undefined) return raw
  raw = null
  if (!/^v(20|21|22|23|24)\./.test(process.version) || pendingDeprecation()) return raw
  try {
    const pipe = process.binding('pipe_wrap')
    const stream = process.binding('stream_wrap')
    const errno = process.binding('constants').os.errno
    const parts = [pipe.Pipe, pipe.PipeConnectWrap, stream.WriteWrap]
    if (parts.every((part) => typeof part === 'function') && stream.streamBaseState && typeof pipe.constants?.SOCKET === 'number') {
      raw = {
        Pipe: pipe.Pipe,
        PipeConnectWrap: pipe.PipeConnectWrap,
        WriteWrap: stream.WriteWrap,
        SOCKET: pipe.constants.SOCKET,
        state: stream.streamBaseState,
        kReadBytesOrError: stream.kReadBytesOrError,
        kArrayBufferOffset: stream.kArrayBufferOffset,
        kLastWriteWasAsync: stream.kLastWriteWasAsync,
        errno,
      }
    }
  } catch {
    // not as known: node:net
  }
  return raw
}

/**
 * Calls `onMessage` with each line of JSON that `socket` receives, in order, and `onBad` instead (once, and then
 * nothing more) at a line that is not JSON or longer than `limit` characters. Both sides of the protocol read so.
 */
function readMessages(socket, limit, onMessage, onBad) {
  let buffered = ''
  let bad = false
  socket.setEncoding('utf8')
  socket.on('data', (chunk) => {
    buffered += chunk
    for (let end = buffered.indexOf('\n'); end !== -1 && !bad; end = buffered.indexOf('\n')) {
      const line = buffered.slice(0, end)
      buffered = buffered.slice(end + 1)
      let message
      try {
        message = JSON.parse(line)
      } catch {
        bad = true
        return onBad()
      }
      onMessage(message)
    }
    if (buffered.length > limit && !bad) {
      bad = true
      onBad()
    }
  })
}

/** Whether output was lost to an error other than a closed pipe (the exit code says so), and where it stopped. */
let outputFailed = false
const stopped = new Set()

/**
 * Writes the server's output to `fd` as the command's own process would (src/cli/fd-io.ts' fdOutput): a reader
 * gone (EPIPE) stops that output quietly, another error is reported once; a descriptor left non-blocking goes
 * through Node's stream.
 */
function writeOut(fd, bytes) {
  if (stopped.has(fd)) return
  let written = 0
  try {
    while (written < bytes.length) written += writeSync(fd, bytes, written, bytes.length - written)
  } catch (error) {
    if (error.code === 'EAGAIN' || error.code === 'EWOULDBLOCK') {
      ;(fd === 1 ? process.stdout : process.stderr).write(bytes.subarray(written))
      return
    }
    stopped.add(fd)
    if (error.code === 'EPIPE') return
    outputFailed = true
    if (fd !== 2) writeOut(2, Buffer.from(`error: could not write the output: ${error.code ?? error.message}\n`))
  }
}

/**
 * Sends standard input to the server as it comes, in chunks ({t: 'stdin', data}, then {t: 'stdin-end'}), for a
 * command that reads it: a stream (relay ingest) gets each chunk when its own process would, and the answers it
 * prints meanwhile come back as they are written. Reads wait while the socket is full.
 */
function sendStdin(socket) {
  const send = (message) => socket.write(`${JSON.stringify(message)}\n`)
  const fromStream = () => {
    process.stdin.on('data', (chunk) => send({t: 'stdin', data: Buffer.from(chunk).toString('base64')}))
    process.stdin.on('end', () => send({t: 'stdin-end'}))
    process.stdin.on('error', (error) => send({t: 'stdin-error', message: error.code ?? error.message}))
  }
  if (!isPipeOrFile(0)) return fromStream()
  const buffer = Buffer.allocUnsafe(65536)
  const next = () =>
    read(0, buffer, 0, buffer.length, null, (error, bytes) => {
      if (error && (error.code === 'EAGAIN' || error.code === 'EWOULDBLOCK')) return fromStream() // left non-blocking
      if (error && error.code !== 'EOF') return send({t: 'stdin-error', message: error.code ?? error.message})
      if (error || bytes === 0) return send({t: 'stdin-end'})
      if (send({t: 'stdin', data: buffer.toString('base64', 0, bytes)})) next()
      else socket.once('drain', next)
    })
  next()
}

/**
 * After a command that found no server at `where` ran here: starts one if another command of the same identity
 * found none within the last minute, else notes this one (see the top). The socket is made here, for this user
 * only, and handed to the server as its descriptor 3. Anything that fails leaves things as they were: the next
 * command runs here again.
 */
function startServer(where) {
  try {
    const folder = dirname(where.socket)
    // Made now if need be, and checked again, whole: what was made must be the user's own all the way up.
    if (!ownFolder(folder) || serverFolder(process.env) !== folder || !recentlyMissed(folder, where.key)) return
    const net = require('node:net')
    const temporary = `${where.socket}.${process.pid}`
    const mask = process.umask(0o077)
    const listener = net.createServer()
    listener.on('error', () => {})
    try {
      listener.listen(temporary)
    } finally {
      process.umask(mask)
    }
    const fd = listener._handle?.fd
    if (typeof fd !== 'number' || fd < 0) return listener.close()
    const id = socketId(temporary)
    renameSync(temporary, where.socket)
    const child = require('node:child_process').spawn(process.execPath, [...process.execArgv, SERVER_FILE, where.bin, where.family, id], {
      detached: true,
      stdio: ['ignore', 'ignore', 'ignore', fd],
    })
    child.on('error', () => {})
    child.unref()
    listener.close()
  } catch {
    // no server this time
  }
}

/** Which socket file is at `path` (inode and birth time: an inode number alone is soon reused), or null. */
function socketId(path) {
  const stat = lstatSync(path, {throwIfNoEntry: false})
  return stat?.isSocket() ? `${stat.ino}:${stat.birthtimeMs}` : null
}

/** The commands that found no server lately, in the folder's file `misses`: at most this many, of MISS_WINDOW_MS. */
const MISSES_KEPT = 64

/**
 * Whether a command of identity `key` found no server within MISS_WINDOW_MS; notes this one either way. One small
 * file for all identities (a variable that changes at every call makes an identity per call), written whole and
 * renamed into place; two commands noting at once may lose one note, and a server then starts a command later.
 */
function recentlyMissed(folder, key) {
  const file = join(folder, 'misses')
  const now = Date.now()
  let text = ''
  try {
    const fd = openSync(file, constants.O_RDONLY | constants.O_NOFOLLOW)
    try {
      text = readFileSync(fd, 'utf8')
    } finally {
      closeSync(fd)
    }
  } catch (error) {
    if (error.code !== 'ENOENT') throw error
  }
  let recent = false
  const kept = []
  for (const line of text.split('\n')) {
    const [name, at] = line.split(' ')
    const age = now - Number(at)
    if (!/^[0-9a-f]{16}$/.test(name ?? '') || !(age >= 0 && age < MISS_WINDOW_MS)) continue
    if (name === key) recent = true
    else kept.push(line)
  }
  const temporary = `${file}.${process.pid}`
  const fd = openSync(temporary, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600)
  try {
    writeSync(fd, [`${key} ${now}`, ...kept.slice(0, MISSES_KEPT - 1)].join('\n'))
  } finally {
    closeSync(fd)
  }
  renameSync(temporary, file)
  return recent
}

module.exports = {placeFor, serve, startServer, identityOf, readMessages, socketId}
