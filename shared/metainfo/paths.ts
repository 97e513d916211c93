/**
 * Path safety for torrent content. A torrent comes from strangers; its file paths must never name a
 * place outside the folder the user chose. We refuse unsafe components at parse time, so every later
 * layer can join components under a root without re-checking.
 */

/** Why a component is unsafe, or null when it is safe to use as one file or folder name. */
export function unsafeComponentReason(component: string): string | null {
  if (component.length === 0) return 'is empty';
  if (component === '.' || component === '..') return `is "${component}"`;
  if (component.includes('/')) return 'contains "/"';
  // Windows treats "\" as a separator, so "..\x" would climb out there.
  if (component.includes('\\')) return 'contains "\\"';
  if (component.includes('\0')) return 'contains a NUL byte';
  return null;
}

/** Joins safe components with "/" (the form used in JSON output and storage keys). */
export function joinPath(components: readonly string[]): string {
  return components.join('/');
}
