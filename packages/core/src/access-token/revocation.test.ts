import { describe, expect, it } from 'vitest'
import { RevocationUnavailableError, TokenRevokedError } from '../errors.js'
import { resolveConfig } from '../lib/config.js'
import { createMemoryDenylist } from '../stores/memory-denylist.js'
import { createMemoryTokenVersionStore } from '../stores/memory-token-version-store.js'
import type { AccessTokenClaims, Denylist, TesseraOptions } from '../types.js'
import { checkRevocation } from './revocation.js'

const NOW = new Date('2030-01-01T00:00:00Z')

function configWith(options: Partial<TesseraOptions>) {
  return resolveConfig({
    keys: { keys: [] },
    issuer: 'https://issuer.test',
    audience: 'https://audience.test',
    clock: () => NOW,
    ...options,
  })
}

function claims(overrides: Partial<AccessTokenClaims> = {}): AccessTokenClaims {
  const iat = Math.floor(NOW.getTime() / 1000)
  return {
    iss: 'https://issuer.test',
    sub: 'user-1',
    aud: 'https://audience.test',
    iat,
    exp: iat + 900,
    jti: 'jti-1',
    ver: 0,
    ...overrides,
  }
}

async function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => expect.fail('expected a rejection'),
    (error: unknown) => error,
  )
}

function stores() {
  return {
    denylist: createMemoryDenylist({ clock: () => NOW }),
    tokenVersionStore: createMemoryTokenVersionStore(),
  }
}

describe('checkRevocation', () => {
  it('throws a TypeError when no denylist is configured', async () => {
    const config = configWith({ tokenVersionStore: createMemoryTokenVersionStore() })
    const error = await failure(checkRevocation(config, claims()))
    expect(error).toBeInstanceOf(TypeError)
    expect((error as Error).message).toMatch(/denylist/)
  })

  it('throws a TypeError when no token version store is configured', async () => {
    const config = configWith({ denylist: createMemoryDenylist() })
    const error = await failure(checkRevocation(config, claims()))
    expect(error).toBeInstanceOf(TypeError)
    expect((error as Error).message).toMatch(/tokenVersionStore/)
  })

  it('passes a token that is neither denied nor stale', async () => {
    const config = configWith(stores())
    await expect(checkRevocation(config, claims())).resolves.toBeUndefined()
  })

  it('denies a jti on the denylist', async () => {
    const set = stores()
    await set.denylist.add('jti-1', new Date(NOW.getTime() + 60_000))
    const error = await failure(checkRevocation(configWith(set), claims()))
    expect(error).toBeInstanceOf(TokenRevokedError)
    expect(error).toMatchObject({ code: 'ERR_ACCESS_TOKEN_DENIED' })
  })

  it('rejects a ver older than the current token version', async () => {
    const set = stores()
    await set.tokenVersionStore.bump('user-1')
    const error = await failure(checkRevocation(configWith(set), claims({ ver: 0 })))
    expect(error).toMatchObject({ code: 'ERR_TOKEN_VERSION_STALE' })
    await expect(checkRevocation(configWith(set), claims({ ver: 1 }))).resolves.toBeUndefined()
  })

  it('rejects a token without ver once the user has a version', async () => {
    const set = stores()
    await expect(
      checkRevocation(configWith(set), claims({ ver: undefined })),
    ).resolves.toBeUndefined()
    await set.tokenVersionStore.bump('user-1')
    const error = await failure(checkRevocation(configWith(set), claims({ ver: undefined })))
    expect(error).toMatchObject({ code: 'ERR_TOKEN_VERSION_STALE' })
  })

  it('lets a store error propagate', async () => {
    const unavailable: Denylist = {
      add: async () => {},
      has: async () => {
        throw new RevocationUnavailableError()
      },
      deleteExpired: async () => 0,
    }
    const config = configWith({ ...stores(), denylist: unavailable })
    const error = await failure(checkRevocation(config, claims()))
    expect(error).toMatchObject({ code: 'ERR_REVOCATION_UNAVAILABLE' })
  })
})
