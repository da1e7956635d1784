import { randomUUID } from 'node:crypto'
import { DemoError } from './errors.js'
import type { PrismaClient } from './generated/prisma/client.js'

/** A user as the routes see it. */
export interface User {
  id: string
  email: string
  passwordHash: string
  role: 'user' | 'admin'
  createdAt: Date
}

/** Users of the demo, kept in the same database as Tessera's refresh tokens. */
export interface UserRepository {
  /** Creates a user; throws `ERR_EMAIL_TAKEN` when the email is registered already. */
  create(input: { email: string; passwordHash: string; role: User['role'] }): Promise<User>
  findByEmail(email: string): Promise<User | null>
  findById(id: string): Promise<User | null>
  updatePasswordHash(id: string, passwordHash: string): Promise<void>
  list(): Promise<User[]>
}

function toUser(row: {
  id: string
  email: string
  passwordHash: string
  role: string
  createdAt: Date
}): User {
  return { ...row, role: row.role === 'admin' ? 'admin' : 'user' }
}

function isUniqueViolation(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === 'P2002'
}

// Any other database failure means the database cannot serve the request: a 503, never a 500
// that would leak driver details.
async function guarded<T>(operation: () => Promise<T>): Promise<T> {
  try {
    return await operation()
  } catch (error) {
    if (error instanceof DemoError) throw error
    throw new DemoError('ERR_DATABASE_UNAVAILABLE', 'database is unavailable', { cause: error })
  }
}

/** A {@link UserRepository} on the demo's Prisma client. Emails are stored lower-cased. */
export function createUserRepository(prisma: PrismaClient): UserRepository {
  return {
    create: (input) =>
      guarded(async () => {
        try {
          const row = await prisma.user.create({
            data: { id: randomUUID(), ...input, email: input.email.toLowerCase() },
          })
          return toUser(row)
        } catch (error) {
          if (isUniqueViolation(error)) {
            throw new DemoError('ERR_EMAIL_TAKEN', 'an account with this email exists already')
          }
          throw error
        }
      }),
    findByEmail: (email) =>
      guarded(async () => {
        const row = await prisma.user.findUnique({ where: { email: email.toLowerCase() } })
        return row ? toUser(row) : null
      }),
    findById: (id) =>
      guarded(async () => {
        const row = await prisma.user.findUnique({ where: { id } })
        return row ? toUser(row) : null
      }),
    updatePasswordHash: (id, passwordHash) =>
      guarded(async () => {
        await prisma.user.update({ where: { id }, data: { passwordHash } })
      }),
    list: () =>
      guarded(async () => {
        const rows = await prisma.user.findMany({ orderBy: { createdAt: 'asc' } })
        return rows.map(toUser)
      }),
  }
}
