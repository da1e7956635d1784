import type { ScanReport } from './run-scan.js'

/** Renders a scan report as a table for a terminal. Forged tokens appear by id only. */
export function formatScanReport(report: ScanReport): string {
  const { baselines, jwks } = report
  const lines = [
    `scan ${report.method} ${report.url}`,
    `baselines: valid token -> ${baselines.valid}, no token -> ${baselines.unauthenticated}`,
    'error' in jwks
      ? `jwks: ${jwks.source}: ${jwks.error}`
      : `jwks: ${jwks.source}${jwks.kid ? ` (kid ${jwks.kid})` : ''}`,
    '',
  ]

  const rows = report.results.map((result) => [
    result.verdict === 'accepted' ? 'ACCEPTED' : result.verdict,
    result.status === null ? '-' : String(result.status),
    result.via ? `${result.id} (via ${result.via})` : result.id,
    [
      result.verdict === 'accepted' ? result.weakness : result.title,
      result.fetched ? 'KEY URL FETCHED' : '',
      result.note ?? '',
    ]
      .filter(Boolean)
      .join('; '),
  ])
  const table = [['RESULT', 'STATUS', 'VARIANT', 'DETAIL'], ...rows]
  const widths = [0, 1, 2].map((column) => Math.max(...table.map((row) => row[column]!.length)))
  for (const row of table)
    lines.push(
      row
        .map((cell, column) => cell.padEnd(widths[column] ?? 0))
        .join('  ')
        .trimEnd(),
    )

  const count = (verdict: string) =>
    report.results.filter((result) => result.verdict === verdict).length
  const fetched = report.results.filter((result) => result.fetched).length
  lines.push(
    '',
    `${count('accepted')} accepted, ${count('rejected')} rejected, ` +
      `${count('inconclusive')} inconclusive, ${count('skipped')} skipped` +
      `${fetched ? `, ${fetched} key URL fetched` : ''} (${report.requests} requests)` +
      `${report.incomplete ? '; INCOMPLETE: budget exhausted' : ''}`,
  )
  return `${lines.join('\n')}\n`
}

/** Exit code of a scan: 1 when a forgery was accepted or a key URL fetched, 2 when incomplete. */
export function scanExitCode(report: ScanReport): number {
  if (report.results.some((result) => result.verdict === 'accepted' || result.fetched)) return 1
  return report.incomplete ? 2 : 0
}
