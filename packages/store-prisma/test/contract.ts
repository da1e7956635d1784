import type { ContractSetup, ContractStores } from '@tessera/core/testing'
import { createPrismaStore } from '../src/prisma-store.js'
import { type Backend, sharedDenylist } from './backends.js'

/** The contract suite's setup on one backend: empty tables, a second instance on demand. */
export function contractSetup(backend: () => Backend): ContractSetup {
  return async ({ clock }) => {
    await backend().reset()
    const denylist = sharedDenylist(clock)
    const stores = (client: Backend['client']): ContractStores => ({
      ...createPrismaStore({ client }),
      denylist,
    })

    return {
      ...stores(backend().client),
      async reconnect() {
        const other = await backend().connect()
        return { ...stores(other), teardown: () => other.$disconnect() }
      },
    }
  }
}
