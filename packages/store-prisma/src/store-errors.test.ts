import { StoreUnavailableError } from '@tessera/core'
import { describe, expect, it } from 'vitest'
import { guard, isUnavailable, isUndefinedTable } from './store-errors.js'

function prismaError(code: string, extra: Record<string, unknown> = {}) {
  return Object.assign(new Error('prisma failed'), {
    name: 'PrismaClientKnownRequestError',
    code,
    ...extra,
  })
}

describe('isUnavailable', () => {
  it('recognizes lost and refused connections in Prisma, driver and socket errors', () => {
    expect(isUnavailable(prismaError('P1001'))).toBe(true)
    expect(isUnavailable(prismaError('P1017'))).toBe(true)
    expect(isUnavailable(Object.assign(new Error('x'), { code: 'ECONNREFUSED' }))).toBe(true)
    const terminated = { kind: 'postgres', code: '57P01', message: 'terminating connection' }
    expect(isUnavailable(prismaError('P2010', { meta: { driverAdapterError: terminated } }))).toBe(
      true,
    )
    expect(isUnavailable(new Error('wrapped', { cause: new Error('Connection terminated') }))).toBe(
      true,
    )
  })

  it('leaves constraint and query errors alone', () => {
    expect(isUnavailable(prismaError('P2002'))).toBe(false)
    expect(isUnavailable(new Error('refresh token id already exists'))).toBe(false)
  })
})

describe('isUndefinedTable', () => {
  it('recognizes a missing table in driver adapter errors and nothing else', () => {
    const missing = { kind: 'postgres', code: '42P01', message: 'relation does not exist' }
    expect(isUndefinedTable(prismaError('P2010', { meta: { driverAdapterError: missing } }))).toBe(
      true,
    )
    const adapterKind = { kind: 'TableDoesNotExist', table: 'tessera_refresh_token' }
    expect(isUndefinedTable(new Error('failed', { cause: adapterKind }))).toBe(true)
    const duplicate = { kind: 'postgres', code: '23505', message: 'duplicate key' }
    expect(
      isUndefinedTable(prismaError('P2010', { meta: { driverAdapterError: duplicate } })),
    ).toBe(false)
    expect(isUndefinedTable(prismaError('P1001'))).toBe(false)
  })
})

describe('guard', () => {
  it('turns a connection failure into ERR_STORE_UNAVAILABLE with the original as cause', async () => {
    const cause = prismaError('P1001')
    const error = await guard(() => Promise.reject(cause)).catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(StoreUnavailableError)
    expect(error).toMatchObject({ code: 'ERR_STORE_UNAVAILABLE', cause })
  })

  it('retries a deadlock and rethrows other errors unchanged', async () => {
    let calls = 0
    const result = await guard(async () => {
      calls++
      if (calls < 3) throw prismaError('P2034')
      return 'done'
    })
    expect({ result, calls }).toEqual({ result: 'done', calls: 3 })

    const unique = prismaError('P2002')
    await expect(guard(() => Promise.reject(unique))).rejects.toBe(unique)
  })
})
