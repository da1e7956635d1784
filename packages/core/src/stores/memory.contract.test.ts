import { runStoreContract } from '../testing/store-contract.js'
import { createMemoryStores } from './memory.js'

runStoreContract('memory', async ({ clock }) => createMemoryStores({ clock }))

// Two Tessera instances on the same in-process stores: exercises the suite's `reconnect` path,
// which the Prisma and Redis packages use with a second client.
runStoreContract('memory, two instances', async ({ clock }) => {
  const stores = createMemoryStores({ clock })
  return { ...stores, reconnect: async () => stores }
})
