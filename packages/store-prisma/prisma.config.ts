import { defineConfig } from 'prisma/config'

// The URL is only read by Prisma CLI commands that talk to a database (`migrate deploy`,
// `migrate diff --from-config-datasource`); `prisma generate` does not need it.
export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  datasource: {
    url: process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/test',
  },
})
