import argon2 from 'argon2'
import { describe, expect, it, vi } from 'vitest'
import { hashPassword, verifyPassword } from './passwords.js'

describe('hashPassword', () => {
  it('hashes with argon2id', async () => {
    const hash = await hashPassword('correct horse battery')
    expect(hash).toMatch(/^\$argon2id\$/)
    expect(await verifyPassword(hash, 'correct horse battery')).toBe(true)
    expect(await verifyPassword(hash, 'correct horse battery!')).toBe(false)
  })
})

describe('verifyPassword', () => {
  it('runs a full argon2id verification for an unknown account and refuses it', async () => {
    const verify = vi.spyOn(argon2, 'verify')
    expect(await verifyPassword(null, 'correct horse battery')).toBe(false)
    expect(verify).toHaveBeenCalledTimes(1)
    expect(verify.mock.calls[0]![0]).toMatch(/^\$argon2id\$/)
  })
})
