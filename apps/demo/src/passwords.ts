import argon2 from 'argon2'

// OWASP's argon2id baseline: 19 MiB, 2 iterations, 1 lane.
const OPTIONS = { type: argon2.argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const

let dummyHash: Promise<string> | null = null

/**
 * Computes the throwaway hash ahead of the first login, so that the first unknown email is
 * not slower than the others.
 */
export async function prepareDummyHash(): Promise<void> {
  dummyHash ??= argon2.hash('tessera-demo-dummy-password', OPTIONS)
  await dummyHash
}

/** Hashes a password with argon2id. */
export function hashPassword(password: string): Promise<string> {
  return argon2.hash(password, OPTIONS)
}

/**
 * Checks a password against a stored hash. With no hash (unknown account) it still runs one
 * argon2id verification against a throwaway hash, so that response time does not reveal
 * whether an account exists.
 */
export async function verifyPassword(hash: string | null, password: string): Promise<boolean> {
  if (hash === null) {
    await prepareDummyHash()
    await argon2.verify(await dummyHash!, password)
    return false
  }
  return argon2.verify(hash, password)
}
