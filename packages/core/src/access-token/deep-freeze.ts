/**
 * Freezes a JSON value and everything it holds, in place, and returns it. Claims come from
 * `JSON.parse`, so there are no cycles, getters or class instances to worry about; an own
 * `__proto__` key is an ordinary own property and is frozen like the others.
 */
export function deepFreeze<T>(value: T): T {
  if (typeof value !== 'object' || value === null) return value
  for (const inner of Object.values(value)) deepFreeze(inner)
  return Object.freeze(value)
}
