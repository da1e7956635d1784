import { describe, expect, it } from 'vitest'
import { RefreshTokenReuseError, TokenError } from '../../errors.js'
import type { Tessera } from '../../tessera.js'
import type { TokenPair } from '../../types.js'
import { type createFixtureFactory, expectCode } from './fixture.js'

const CONCURRENCY = 50
const INVALID = 'ERR_REFRESH_TOKEN_INVALID'

// Starts all rotations before awaiting any, alternating between the two instances.
function rotateAtOnce(instances: Tessera[], refreshToken: string, device?: string) {
  const attempts = Array.from({ length: CONCURRENCY }, (_, index) => {
    const tessera = instances[index % instances.length]!
    return tessera.refreshTokens(refreshToken, { device })
  })
  return Promise.allSettled(attempts)
}

function fulfilled(results: PromiseSettledResult<TokenPair>[]): TokenPair[] {
  return results.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []))
}

function rejections(results: PromiseSettledResult<TokenPair>[]): unknown[] {
  return results.flatMap((result) => (result.status === 'rejected' ? [result.reason] : []))
}

export function raceCases(fixture: ReturnType<typeof createFixtureFactory>, timeout: number) {
  describe('refreshTokens under concurrency', () => {
    it('lets exactly one of 50 concurrent rotations succeed and revokes the family', {
      timeout,
    }, async () => {
      const { tessera, secondInstance } = await fixture({ rotationGraceSeconds: 0 })
      const instances = [tessera, await secondInstance()]
      const token = await tessera.generateRefreshToken('user-1', { device: 'd1' })

      const results = await rotateAtOnce(instances, token, 'd1')

      const winners = fulfilled(results)
      expect(winners).toHaveLength(1)
      const errors = rejections(results)
      for (const error of errors) {
        expect(error).toBeInstanceOf(TokenError)
        expect((error as TokenError).code).toMatch(
          /^(ERR_REFRESH_TOKEN_REUSED|ERR_REFRESH_TOKEN_INVALID)$/,
        )
      }
      expect(errors.some((error) => error instanceof RefreshTokenReuseError)).toBe(true)
      await expectCode(tessera.refreshTokens(winners[0]!.refreshToken, { device: 'd1' }), INVALID)
      await expectCode(
        tessera.verifyAccessToken(winners[0]!.accessToken, { checkRevocation: true }),
        'ERR_ACCESS_TOKEN_DENIED',
      )
    })

    it('gives all 50 concurrent same-device rotations the same successor within grace', {
      timeout,
    }, async () => {
      const { tessera, secondInstance } = await fixture({ rotationGraceSeconds: 10 })
      const instances = [tessera, await secondInstance()]
      const token = await tessera.generateRefreshToken('user-1', { device: 'd1' })

      const results = await rotateAtOnce(instances, token, 'd1')

      expect(rejections(results)).toEqual([])
      const pairs = fulfilled(results)
      expect(new Set(pairs.map((pair) => pair.refreshToken)).size).toBe(1)
      expect(new Set(pairs.map((pair) => pair.accessToken)).size).toBe(CONCURRENCY)
      const next = await tessera.refreshTokens(pairs[0]!.refreshToken, { device: 'd1' })
      await expect(
        tessera.verifyAccessToken(next.accessToken, { checkRevocation: true }),
      ).resolves.toBeDefined()
    })

    it('leaves no token of the family usable when a revoke interleaves with a rotation', {
      timeout,
    }, async () => {
      const { tessera, secondInstance } = await fixture({ rotationGraceSeconds: 10 })
      const other = await secondInstance()
      for (let round = 0; round < 10; round++) {
        const token = await tessera.generateRefreshToken(`user-${round}`)
        const [rotator, revoker] = round % 2 === 0 ? [tessera, other] : [other, tessera]
        const revoke = () => revoker.revokeRefreshToken(token)
        const rotate = () => rotator.refreshTokens(token)
        const [rotation] = await Promise.allSettled(
          round % 4 < 2 ? [rotate(), revoke()] : [rotate(), Promise.resolve().then(revoke)],
        )

        await expectCode(tessera.refreshTokens(token), INVALID)
        if (rotation.status === 'fulfilled') {
          const pair = rotation.value as TokenPair
          await expectCode(tessera.refreshTokens(pair.refreshToken), INVALID)
          await expectCode(
            tessera.verifyAccessToken(pair.accessToken, { checkRevocation: true }),
            'ERR_ACCESS_TOKEN_DENIED',
          )
        }
      }
    })
  })
}
