import { describe, expect, it } from 'vitest'
import { startKeyServer } from './key-server.js'

describe('startKeyServer', () => {
  it('serves the JWKS and PEM on loopback and records which URL was fetched', async () => {
    const server = await startKeyServer()
    try {
      server.serveJwks({ keys: [{ kty: 'EC' }] })
      server.servePem('-----BEGIN PUBLIC KEY-----')

      expect(new URL(server.jkuUrl).hostname).toBe('127.0.0.1')
      expect(server.wasFetched(server.jkuUrl)).toBe(false)
      expect(await (await fetch(server.jkuUrl)).json()).toEqual({ keys: [{ kty: 'EC' }] })
      expect(server.wasFetched(server.jkuUrl)).toBe(true)
      expect(server.wasFetched(server.x5uUrl)).toBe(false)
      expect(await (await fetch(server.x5uUrl)).text()).toBe('-----BEGIN PUBLIC KEY-----')
      expect(server.wasFetched(server.x5uUrl)).toBe(true)
    } finally {
      await server.close()
    }
  })

  it('does not count requests to other paths as fetches', async () => {
    const server = await startKeyServer()
    try {
      const other = new URL('/jwks.json', server.jkuUrl).href
      expect((await fetch(other)).status).toBe(404)
      expect(server.wasFetched(server.jkuUrl)).toBe(false)
    } finally {
      await server.close()
    }
  })
})
