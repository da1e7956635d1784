/** Limits of one scan: how many requests, how fast, how long in total. */
export interface RequestBudgetOptions {
  /**
   * Most requests the scan may send, baselines and JWKS fetch included.
   * @default 100
   */
  maxRequests?: number
  /**
   * Most requests per second.
   * @default 10
   */
  ratePerSecond?: number
  /**
   * Time limit of each request.
   * @default 5000
   */
  requestTimeoutMs?: number
  /**
   * Time limit of the whole scan; requests still running are aborted.
   * @default 120000
   */
  totalTimeoutMs?: number
  /** Clock in milliseconds, injectable for tests. @default Date.now */
  now?: () => number
  /** Waits `ms`, injectable for tests. @default a timer */
  sleep?: (ms: number) => Promise<void>
  /** HTTP client, injectable for tests. @default globalThis.fetch */
  fetch?: typeof globalThis.fetch
}

/** What the scan keeps of a response: never the body itself, only its size. */
export interface ScanResponse {
  status: number
  bodyBytes: number
}

/** The scan ran out of requests or time; `limit` and the message say which. */
export class BudgetExhaustedError extends Error {
  readonly limit: 'requests' | 'time'

  constructor(message: string, limit: 'requests' | 'time') {
    super(message)
    this.name = 'BudgetExhaustedError'
    this.limit = limit
  }
}

/** A bounded HTTP client: every request of a scan goes through one. */
export interface RequestBudget {
  /** Sends one request, waiting for its rate slot; throws {@link BudgetExhaustedError}. */
  send(
    url: string,
    init: { method: string; headers: Record<string, string> },
  ): Promise<ScanResponse>
  /** Sends a GET and returns the parsed JSON body (for the JWKS). */
  getJson(url: string): Promise<unknown>
  /** Requests sent so far. */
  readonly used: number
  /** Most requests this budget allows. */
  readonly maxRequests: number
}

const MAX_BODY_BYTES = 1024 * 1024

/**
 * Creates the bounded HTTP client of a scan.
 *
 * @example
 * ```ts
 * const budget = createRequestBudget({ maxRequests: 50, ratePerSecond: 5 })
 * const { status } = await budget.send(url, { method: 'GET', headers: {} })
 * ```
 */
export function createRequestBudget(options: RequestBudgetOptions = {}): RequestBudget {
  const maxRequests = options.maxRequests ?? 100
  const interval = 1000 / (options.ratePerSecond ?? 10)
  const requestTimeoutMs = options.requestTimeoutMs ?? 5000
  const totalTimeoutMs = options.totalTimeoutMs ?? 120_000
  const now = options.now ?? Date.now
  const sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)))
  const fetchImpl = options.fetch ?? globalThis.fetch
  const startedAt = now()
  let used = 0
  let nextSlot = startedAt

  async function acquire(): Promise<AbortSignal> {
    if (used >= maxRequests)
      throw new BudgetExhaustedError(`request limit of ${maxRequests} reached`, 'requests')
    used++
    const wait = nextSlot - now()
    nextSlot = Math.max(nextSlot, now()) + interval
    if (wait > 0) await sleep(wait)
    const remaining = startedAt + totalTimeoutMs - now()
    if (remaining <= 0)
      throw new BudgetExhaustedError(`time limit of ${totalTimeoutMs} ms reached`, 'time')
    return AbortSignal.timeout(Math.min(requestTimeoutMs, remaining))
  }

  async function request(url: string, init: RequestInit): Promise<Response> {
    const signal = await acquire()
    return fetchImpl(url, { ...init, redirect: 'manual', signal })
  }

  return {
    get used() {
      return used
    },
    maxRequests,
    async send(url, init) {
      const response = await request(url, init)
      return { status: response.status, bodyBytes: await drain(response) }
    },
    async getJson(url) {
      const response = await request(url, {
        method: 'GET',
        headers: { accept: 'application/json' },
      })
      if (!response.ok) {
        await drain(response)
        throw new Error(`GET ${url} answered ${response.status}`)
      }
      const text = await response.text()
      if (text.length > MAX_BODY_BYTES) throw new Error(`GET ${url} answered too large a body`)
      return JSON.parse(text)
    },
  }
}

/** Reads and discards a body, up to a limit, so the connection can be reused. */
async function drain(response: Response): Promise<number> {
  if (!response.body) return 0
  let bytes = 0
  for await (const chunk of response.body) {
    bytes += (chunk as Uint8Array).byteLength
    // Leaving the loop cancels the rest of the stream.
    if (bytes > MAX_BODY_BYTES) break
  }
  return bytes
}
