/** An id from the URL (a path segment or a query value), or null when it is not a whole number. */
export function parseId(value: string | null | undefined): number | null {
  return value && /^\d+$/.test(value) ? Number(value) : null
}
