/**
 * FNV-1a, 32-bit: a small, stable, non-cryptographic hash of a string (feature hashing, picking a
 * canned wording). Hand-written: eight lines, where a library would add a dependency.
 */
export function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}
