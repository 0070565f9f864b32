/**
 * What an input file is, decided by its first bytes (magic numbers), never by its name: a PDF called .png is
 * still read as a PDF, and a file whose content is none of these is refused with a clear error.
 */
export type InputKind = 'pdf' | 'png' | 'jpeg' | 'tiff' | 'webp' | 'gif' | 'bmp' | 'json';

export const IMAGE_KINDS: ReadonlySet<InputKind> = new Set(['png', 'jpeg', 'tiff', 'webp', 'gif', 'bmp']);

const startsWith = (b: Uint8Array, sig: number[], at = 0) => b.length >= at + sig.length && sig.every((v, i) => b[at + i] === v);
const ascii = (s: string) => [...s].map((c) => c.charCodeAt(0));

/** The kind of an input from its content; null when it is none we read. */
export function detectInputKind(bytes: Uint8Array): InputKind | null {
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'png';
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return 'jpeg';
  if (startsWith(bytes, ascii('II*\0')) || startsWith(bytes, ascii('MM\0*'))) return 'tiff';
  if (startsWith(bytes, ascii('RIFF')) && startsWith(bytes, ascii('WEBP'), 8)) return 'webp';
  if (startsWith(bytes, ascii('GIF87a')) || startsWith(bytes, ascii('GIF89a'))) return 'gif';
  if (startsWith(bytes, ascii('BM')) && bytes.length > 26) return 'bmp';
  // PDF: the header may follow some junk bytes (the PDF spec lets readers look in the first 1024 bytes).
  const head = Buffer.from(bytes.subarray(0, 1024)).toString('latin1');
  if (head.includes('%PDF-')) return 'pdf';
  // JSON: first non-blank character after an optional UTF-8 byte-order mark is '{'.
  let i = startsWith(bytes, [0xef, 0xbb, 0xbf]) ? 3 : 0;
  while (i < bytes.length && (bytes[i] === 0x20 || bytes[i] === 0x09 || bytes[i] === 0x0a || bytes[i] === 0x0d)) i++;
  if (bytes[i] === 0x7b) return 'json';
  return null;
}
