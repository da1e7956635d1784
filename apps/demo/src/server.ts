import { buildApp } from './app.js'
import { ConfigError, loadConfig } from './config.js'
import { createRuntime } from './runtime.js'

function stop(reason: string): never {
  process.stderr.write(`tessera-demo: ${reason}\n`)
  process.exit(1)
}

let config: ReturnType<typeof loadConfig>
try {
  config = loadConfig(process.env)
} catch (error) {
  if (error instanceof ConfigError) stop(error.message)
  throw error
}

const context = await createRuntime(config).catch((error: unknown) => {
  const message = error instanceof Error ? error.message.split('\n')[0] : String(error)
  return stop(`cannot start: ${message}`)
})
const app = await buildApp(context)

let closing = false
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (closing) return
    closing = true
    app.log.info({ signal }, 'shutting down')
    // Stops accepting connections, lets requests in flight finish, then closes DB and Redis.
    app.close().then(
      () => process.exit(0),
      (error: unknown) => {
        app.log.error({ err: error }, 'shutdown failed')
        process.exit(1)
      },
    )
  })
}

try {
  await app.listen({ host: config.host, port: config.port })
  app.log.info(
    {
      database: config.databaseUrl ? 'postgresql' : 'pglite',
      // The in-process denylist is lost on restart: logged-out access tokens work again on
      // sensitive routes until they expire. Redis keeps it across restarts and instances.
      denylist: config.redisUrl ? 'redis' : 'memory (not kept across restarts)',
    },
    'tessera demo ready',
  )
  if (config.adminEmails.length > 0) {
    app.log.warn(
      { adminEmails: config.adminEmails.length },
      'ADMIN_EMAILS grants admin to unverified registrations; demo use only',
    )
  }
} catch (error) {
  await app.close().catch(() => {})
  stop(`cannot listen on ${config.host}:${config.port}: ${(error as Error).message}`)
}
