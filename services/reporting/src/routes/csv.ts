/** RFC 4180 line ending. */
const CRLF = '\r\n';

/** A field as RFC 4180 wants it: quoted (quotes doubled) when it holds a comma, quote, CR or LF. */
export function csvField(value: string | number | null): string {
  const text = value === null ? '' : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** An RFC 4180 document: the header row, then one row per record, every line ending in CRLF. */
export function toCsv(
  header: readonly string[],
  rows: readonly (readonly (string | number | null)[])[],
): string {
  return [header, ...rows].map((row) => row.map(csvField).join(',') + CRLF).join('');
}

/** The media type of CSV responses (RFC 4180, with the header row: RFC 7111 `header=present`). */
export const CSV_CONTENT_TYPE = 'text/csv; charset=utf-8; header=present';
