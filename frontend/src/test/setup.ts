import { cleanup, configure } from '@testing-library/react'
import { afterEach, beforeEach, vi } from 'vitest'
import { configureClient } from '../api/client'

// findBy*/waitFor give up after 1 s by default, which a loaded 2-core CI machine can exceed
// while React Flow lays out a page; a real failure still fails, only later.
configure({ asyncUtilTimeout: 5000 })

// No test reaches a real server: pages that would open a WebSocket poll over the fake REST API
// instead, unless a test installs the FakeWebSocket (src/test/fakeWebSocket.ts).
beforeEach(() => {
  if (typeof window !== 'undefined') vi.stubGlobal('WebSocket', undefined)
})

afterEach(() => {
  configureClient({ csrfToken: '' })
  // Pure `lib/` tests run in the node environment, without a DOM.
  if (typeof document === 'undefined') return
  cleanup()
  for (const cookie of document.cookie ? document.cookie.split(';') : []) {
    const name = cookie.split('=')[0]?.trim()
    if (name) document.cookie = `${name}=; expires=Thu, 01 Jan 1970 00:00:00 GMT; path=/`
  }
})
