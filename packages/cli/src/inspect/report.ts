import type { DecodedToken } from './decode.js'
import type { Finding, Severity } from './findings.js'
import { redactHeader, redactSensitiveClaims } from './sensitive.js'
import type { SignatureCheck } from './verify-signature.js'

/**
 * Everything `tessera inspect` learned about a token. Never holds the token, its signature, or
 * the values of claims that look like secrets, tokens or card numbers, or the private members of
 * an embedded `jwk`.
 */
export interface InspectReport {
  header: Record<string, unknown>
  claims: Record<string, unknown>
  sizeBytes: number
  signature: { bytes: number; check: SignatureCheck | null }
  findings: Finding[]
}

const ORDER: Severity[] = ['high', 'medium', 'low', 'info']
const TIME_CLAIMS = new Set(['exp', 'iat', 'nbf', 'auth_time'])

/** Builds the report; findings are sorted from high to info. */
export function buildInspectReport(
  token: DecodedToken,
  findings: Finding[],
  check: SignatureCheck | null,
): InspectReport {
  return {
    // An embedded private or symmetric key is a finding; its secret members are not printed.
    header: redactHeader(token.header),
    // Secret-looking values are findings; printing them again would leak them a second time.
    claims: redactSensitiveClaims(token.claims),
    sizeBytes: token.sizeBytes,
    signature: { bytes: token.signatureBytes, check },
    findings: [...findings].sort((a, b) => ORDER.indexOf(a.severity) - ORDER.indexOf(b.severity)),
  }
}

/** Renders the report for a terminal. */
export function formatInspectReport(report: InspectReport): string {
  const lines = ['header', ...fields(report.header), 'claims', ...fields(report.claims)]

  const { bytes, check } = report.signature
  const verdict =
    check === null
      ? 'not verified (pass --jwks to verify)'
      : check.valid
        ? `verified${check.kid ? ` with kid ${check.kid}` : ''}`
        : check.problem === 'bad-signature' || check.problem === 'malformed'
          ? `INVALID: ${check.reason}`
          : `NOT VERIFIED: ${check.reason}`
  lines.push(`signature: ${bytes} bytes, ${verdict}`, `size: ${report.sizeBytes} bytes`, '')

  if (report.findings.length === 0) lines.push('findings: none')
  else {
    lines.push('findings')
    const width = Math.max(...report.findings.map((finding) => finding.id.length))
    for (const finding of report.findings) {
      const severity = finding.severity.toUpperCase().padEnd(6)
      lines.push(`  ${severity}  ${finding.id.padEnd(width)}  ${finding.message}`)
    }
  }
  return `${lines.join('\n')}\n`
}

function fields(object: Record<string, unknown>): string[] {
  const entries = Object.entries(object)
  const width = Math.max(0, ...entries.map(([key]) => key.length))
  return entries.map(([key, value]) => {
    const text = JSON.stringify(value)
    const time =
      TIME_CLAIMS.has(key) && typeof value === 'number' && Number.isFinite(value)
        ? `  (${safeIso(value)})`
        : ''
    return `  ${key.padEnd(width)}  ${text}${time}`
  })
}

function safeIso(seconds: number): string {
  const date = new Date(seconds * 1000)
  return Number.isNaN(date.getTime()) ? 'out of range' : date.toISOString()
}
