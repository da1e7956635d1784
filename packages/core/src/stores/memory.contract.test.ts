import { runStoreContract } from '../testing/store-contract.js'
import { createMemoryStores } from './memory.js'

runStoreContract('memory', async ({ clock }) => createMemoryStores({ clock }))
