// How long to wait before reconnecting (pure): 0.5 s doubling to 10 s, with jitter so that
// many tabs do not all come back at the same instant after a server restart.

export const RECONNECT_MIN_MS = 500
export const RECONNECT_MAX_MS = 10_000

/** The delay before the next try after `failures` failed tries in a row: between half and all of the step. */
export function reconnectDelay(failures: number, random: () => number = Math.random): number {
  const step = Math.min(RECONNECT_MAX_MS, RECONNECT_MIN_MS * 2 ** Math.max(0, Math.min(failures, 16)))
  const jitter = Math.min(1, Math.max(0, random()))
  return Math.round(step / 2 + (step / 2) * jitter)
}
