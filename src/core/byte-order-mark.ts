/**
 * `text` without a leading UTF-8 byte-order mark (U+FEFF), which editors such
 * as Notepad and Excel write and `JSON.parse` rejects with an invisible
 * character in its message. Every JSON file ringtrain reads goes through this,
 * as the CSV reader skips the mark's bytes (data/csv-read.ts).
 */
export function withoutByteOrderMark(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}
