/** One audit row as exported: the same fields in CSV and JSON. */
export interface ExportedAuditRow {
  id: number;
  at: string;
  actorUserId: string | null;
  actorUsername: string | null;
  action: string;
  targetType: string;
  targetId: string | null;
  ip: string | null;
  detail: Record<string, unknown>;
}

export const CSV_COLUMNS = [
  'id',
  'at',
  'actorUserId',
  'actorUsername',
  'action',
  'targetType',
  'targetId',
  'ip',
  'detail',
] as const;

/**
 * One CSV cell (RFC 4180). A cell a spreadsheet would run as a formula (starting with = + - @, or a tab or
 * carriage return that some strip before looking) gets a leading apostrophe, so an attacker-chosen user
 * name or call number cannot execute when an auditor opens the file.
 */
export function csvCell(value: string | number | null): string {
  if (value === null) return '';
  let text = String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function csvLine(cells: (string | number | null)[]): string {
  return `${cells.map(csvCell).join(',')}\r\n`;
}

export function csvRow(row: ExportedAuditRow): string {
  return csvLine(
    CSV_COLUMNS.map((column) => (column === 'detail' ? JSON.stringify(row.detail) : row[column])),
  );
}
