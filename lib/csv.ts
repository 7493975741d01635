// CSV as RFC 4180 writes it (CRLF line ends; a field with a comma, quote or line break is quoted, its quotes doubled),
// for the site's downloads. Pure functions: no server imports.

export type CsvValue = string | number | boolean | null | undefined;

/**
 * Spreadsheets run a cell that starts with one of these as a formula (CSV injection): a text field starting with one
 * gets a leading apostrophe, which spreadsheets show as text. Numbers are written as they are (−0.5 stays a number).
 */
const FORMULA_START = /^[=+\-@\t\r]/;

/** One field: null and undefined are empty, numbers in full precision (non-finite ones empty), text escaped. */
export function csvField(value: CsvValue): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "number") return Number.isFinite(value) ? String(value) : "";
  if (typeof value === "boolean") return value ? "true" : "false";
  const text = FORMULA_START.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** A header line and one line per row, each row's values in the header's order; ends with a line break. */
export function toCsv<K extends string>(columns: readonly K[], rows: readonly Record<K, CsvValue>[]): string {
  const lines = [columns.map(csvField).join(","), ...rows.map((row) => columns.map((c) => csvField(row[c])).join(","))];
  return `${lines.join("\r\n")}\r\n`;
}

/** The headers of a CSV download; `filename` is ours (ids of the form [a-z0-9-]), never a visitor's text. */
export function csvResponse(body: string, filename: string): Response {
  return new Response(body, {
    status: 200,
    headers: {
      "content-type": "text/csv; charset=utf-8",
      "content-disposition": `attachment; filename="${filename}"`,
      "cache-control": "no-store",
    },
  });
}
