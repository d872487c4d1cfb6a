import {createHmac, randomBytes, timingSafeEqual} from 'node:crypto'
import {hostname, networkInterfaces} from 'node:os'
import type {IncomingMessage, ServerResponse} from 'node:http'

// The dashboard's guards. Every record it shows is untrusted (a sibling can write anything) and every request is
// too: a page in the user's browser from another site can send requests to 127.0.0.1, and a DNS name can be
// rebound to it. So: a random token (in the URL, then a cookie), the Host and Origin headers checked against the
// addresses the server listens on, a strict Content Security Policy with no inline script, and writes only with
// --allow-send, a same-origin POST and a second token the page alone can read (CSRF).

export const CONTENT_SECURITY_POLICY =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

/** Headers on every response. */
export const SECURITY_HEADERS: Record<string, string> = {
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Cache-Control': 'no-store',
}

/** A new access token: 32 random bytes, URL-safe. */
export function randomToken(): string {
  return randomBytes(32).toString('base64url')
}

/** The CSRF token the page reads from its HTML: derived from the access token, so it survives a restart too. */
export function csrfTokenFor(token: string): string {
  return createHmac('sha256', token).update('relay-dashboard-csrf').digest('base64url')
}

/** Compares secrets in constant time. */
export function sameSecret(given: string | undefined, expected: string): boolean {
  if (given === undefined) return false
  const a = Buffer.from(given)
  const b = Buffer.from(expected)
  return a.length === b.length && timingSafeEqual(a, b)
}

/** Whether an address is loopback: 127.0.0.0/8, ::1, localhost. */
export function isLoopback(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase()
  return bare === 'localhost' || bare === '::1' || /^127(\.\d{1,3}){3}$/.test(bare) || bare === '::ffff:127.0.0.1'
}

function isWildcard(host: string): boolean {
  return host === '0.0.0.0' || host === '::' || host === '[::]'
}

/** A host as it appears in a URL or a Host header: IPv6 addresses in brackets. */
export function urlHost(host: string): string {
  const bare = host.replace(/^\[|\]$/g, '')
  return bare.includes(':') ? `[${bare}]` : bare
}

/**
 * The Host header values a request may carry: the loopback names and the bound address, with the port. A server
 * bound to every interface also answers to the machine's own addresses and name; never to another name (that is
 * what DNS rebinding sends).
 */
export function allowedHosts(boundHost: string, port: number): Set<string> {
  const names = new Set(['127.0.0.1', 'localhost', '[::1]', urlHost(boundHost)])
  if (isWildcard(boundHost)) {
    names.add(hostname())
    for (const addresses of Object.values(networkInterfaces())) for (const address of addresses ?? []) names.add(urlHost(address.address))
  }
  return new Set([...names].map((name) => `${name.toLowerCase()}:${port}`))
}

/** The cookie that carries the token; named after the port, as cookies are shared by every port of a host. */
export function cookieName(port: number): string {
  return `relay_dashboard_${port}`
}

export function tokenCookie(port: number, token: string): string {
  return `${cookieName(port)}=${token}; HttpOnly; SameSite=Strict; Path=/`
}

/** The token a request carries: its cookie, or an `Authorization: Bearer` header (for scripts). */
export function requestToken(request: IncomingMessage, port: number): string | undefined {
  const bearer = /^Bearer ([A-Za-z0-9_-]+)$/.exec(request.headers.authorization ?? '')?.[1]
  if (bearer) return bearer
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const [name, ...value] = part.trim().split('=')
    if (name === cookieName(port)) return value.join('=')
  }
  return undefined
}

/** Why a request's Host or Origin is refused, or null when both are ours. */
export function foreignHeader(request: IncomingMessage, hosts: ReadonlySet<string>): string | null {
  const host = (request.headers.host ?? '').toLowerCase()
  if (!hosts.has(host)) return 'a foreign Host header'
  const origin = request.headers.origin
  if (origin !== undefined && !(origin.toLowerCase().startsWith('http://') && hosts.has(origin.toLowerCase().slice('http://'.length))))
    return 'a foreign Origin header'
  return null
}

export function setSecurityHeaders(response: ServerResponse): void {
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) response.setHeader(name, value)
}
