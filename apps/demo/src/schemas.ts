// JSON schemas of the demo's requests and responses. Every body is closed
// (`additionalProperties: false`) so a typo is a 400 naming the field, not a silent default.

const email = { type: 'string', format: 'email', minLength: 3, maxLength: 254 } as const
// argon2 hashes any length, so the upper bound only caps the work one request can cause.
const password = { type: 'string', minLength: 10, maxLength: 256 } as const

export const credentialsBody = {
  type: 'object',
  required: ['email', 'password'],
  additionalProperties: false,
  properties: { email, password },
} as const

export const changePasswordBody = {
  type: 'object',
  required: ['currentPassword', 'newPassword'],
  additionalProperties: false,
  properties: { currentPassword: { type: 'string', maxLength: 256 }, newPassword: password },
} as const

export const userResponse = {
  type: 'object',
  required: ['id', 'email', 'role', 'createdAt'],
  properties: {
    id: { type: 'string' },
    email: { type: 'string' },
    role: { type: 'string', enum: ['user', 'admin'] },
    createdAt: { type: 'string', format: 'date-time' },
  },
} as const

export const tokenResponse = {
  type: 'object',
  required: ['accessToken', 'tokenType', 'expiresIn'],
  properties: {
    accessToken: { type: 'string', description: 'Keep in memory; send as Authorization: Bearer' },
    tokenType: { type: 'string', enum: ['Bearer'] },
    expiresIn: { type: 'integer', description: 'Seconds until the access token expires' },
    user: userResponse,
  },
} as const

export const errorResponse = {
  type: 'object',
  properties: {
    statusCode: { type: 'integer' },
    code: { type: 'string' },
    error: { type: 'string' },
    message: { type: 'string' },
  },
} as const

export const bearerSecurity = [{ bearerAuth: [] }]

/** Error responses shared by routes, keyed by status. */
export function errors(...statuses: number[]) {
  return Object.fromEntries(statuses.map((status) => [status, errorResponse]))
}
