/**
 * One HTTP byte range (RFC 9110) over a resource of `length` bytes: what the store's web seed and
 * the streaming service worker both answer. Null: no single range asked (none, several, or
 * nonsense), so the whole resource; 'unsatisfiable': it starts past the end (416).
 */
export function parseByteRange(header: string | null | undefined, length: number): { start: number; end: number } | null | 'unsatisfiable' {
  if (!header) return null;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return null;
  let start: number;
  let end: number;
  if (m[1] === '') {
    start = Math.max(0, length - Number(m[2]));
    end = length - 1;
  } else {
    start = Number(m[1]);
    end = m[2] === '' ? length - 1 : Math.min(Number(m[2]), length - 1);
  }
  if (start >= length || start > end) return 'unsatisfiable';
  return { start, end };
}
