import { randomBytes } from 'node:crypto'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'

/** A loopback server for the `jku`/`x5u` variants that records which URLs were fetched. */
export interface KeyServer {
  /** URL the `jku` variant points at. */
  readonly jkuUrl: string
  /** URL the `x5u` variant points at. */
  readonly x5uUrl: string
  /** Sets what the `jku` URL serves (the attacker's JWKS). */
  serveJwks(jwks: unknown): void
  /** Sets what the `x5u` URL serves (PEM text). */
  servePem(pem: string): void
  /** Whether the service under scan fetched this URL. */
  wasFetched(url: string): boolean
  close(): Promise<void>
}

/**
 * Starts the key server on 127.0.0.1 with a random port and unguessable paths, so that a
 * hit can only come from a service that followed a forged header.
 *
 * @example
 * ```ts
 * const server = await startKeyServer()
 * // ... send a token whose jku is server.jkuUrl ...
 * server.wasFetched(server.jkuUrl)
 * await server.close()
 * ```
 */
export async function startKeyServer(host = '127.0.0.1'): Promise<KeyServer> {
  const secret = randomBytes(12).toString('base64url')
  const jkuPath = `/${secret}/jwks.json`
  const x5uPath = `/${secret}/cert.pem`
  const fetched = new Set<string>()
  let jwks: unknown = { keys: [] }
  let pem = ''

  const server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname
    if (path === jkuPath) {
      fetched.add(jkuPath)
      response.writeHead(200, { 'content-type': 'application/json' })
      response.end(JSON.stringify(jwks))
    } else if (path === x5uPath) {
      fetched.add(x5uPath)
      response.writeHead(200, { 'content-type': 'application/x-pem-file' })
      response.end(pem)
    } else {
      response.writeHead(404).end()
    }
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, host, resolve)
  })
  const { port } = server.address() as AddressInfo
  const base = `http://${host}:${port}`

  return {
    jkuUrl: `${base}${jkuPath}`,
    x5uUrl: `${base}${x5uPath}`,
    serveJwks(value) {
      jwks = value
    },
    servePem(value) {
      pem = value
    },
    wasFetched(url) {
      return fetched.has(new URL(url).pathname)
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
