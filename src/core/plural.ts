/** `1 round`, `2 rounds`: a count with its noun in the right number (`plural` for irregular ones). */
export function countOf(count: number, noun: string, plural = `${noun}s`): string {
  return `${count} ${count === 1 ? noun : plural}`;
}
