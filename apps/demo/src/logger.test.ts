import { Writable } from 'node:stream'
import pino from 'pino'
import { describe, expect, it } from 'vitest'
import { loggerOptions } from './logger.js'

describe('loggerOptions', () => {
  it('redacts headers, cookies, passwords and tokens', () => {
    const lines: string[] = []
    const stream = new Writable({
      write(chunk, _encoding, done) {
        lines.push(chunk.toString())
        done()
      },
    })
    const { stream: _unused, ...options } = loggerOptions('info')
    const logger = pino(options, stream)

    logger.info(
      {
        req: { headers: { authorization: 'Bearer secret-1', cookie: 'tessera_refresh=secret-2' } },
        res: { headers: { 'set-cookie': 'tessera_refresh=secret-3' } },
        body: { password: 'secret-4', newPassword: 'secret-5' },
        result: { accessToken: 'secret-6', refreshToken: 'secret-7' },
        userId: 'user-1',
      },
      'probe',
    )

    const output = lines.join('')
    expect(output).toContain('user-1')
    for (let i = 1; i <= 7; i += 1) expect(output).not.toContain(`secret-${i}`)
  })
})
