import Fastify, { type FastifyInstance } from 'fastify'
import { afterEach, describe, expect, it } from 'vitest'
import { errorHandler } from './error-handler.js'

const PASSWORD = 'hunter2-correct-horse'

let app: FastifyInstance | undefined
afterEach(async () => app?.close())

// An app whose JSON parser passes JSON.parse's own error on as a 400, like Fastify 4's
// default parser did: on Node 20 its message quotes part of the body.
async function appWithQuotingParser() {
  app = Fastify({ logger: false })
  app.setErrorHandler(errorHandler)
  app.removeContentTypeParser('application/json')
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    try {
      done(null, JSON.parse(body as string))
    } catch (error) {
      ;(error as { statusCode?: number }).statusCode = 400
      done(error as Error, undefined)
    }
  })
  app.post('/login', async () => ({ ok: true }))
  return app
}

describe('errorHandler', () => {
  it('answers a body that is not JSON with a fixed message, never a slice of the body', async () => {
    const body = `{"email": "a@example.com", "password": ${PASSWORD}}`
    const parserMessage = (() => {
      try {
        JSON.parse(body)
      } catch (error) {
        return (error as Error).message
      }
    })()
    // The premise: the parser's message itself holds part of the password.
    expect(parserMessage).toContain(PASSWORD.slice(0, 6))

    const reply = await (await appWithQuotingParser()).inject({
      method: 'POST',
      url: '/login',
      headers: { 'content-type': 'application/json' },
      payload: body,
    })
    expect(reply.statusCode).toBe(400)
    expect(reply.json()).toMatchObject({
      code: 'ERR_REQUEST_INVALID',
      message: 'request body is not valid',
    })
    expect(reply.body).not.toContain(PASSWORD.slice(0, 6))
  })
})
