import { fireEvent, screen, waitFor, within } from '@testing-library/react'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { installFakeApi, paginated } from '../test/fakeApi'
import { run } from '../test/fixtures'
import { renderAt } from '../test/render'
import { RunsPage } from './RunsPage'

afterEach(() => vi.unstubAllGlobals())

describe('RunsPage archive', () => {
  it('archives a run from the list and shows archived runs in the Archived view, to restore', async () => {
    let archived = false
    const api = installFakeApi({
      'GET /api/runs/': (call) => {
        const wantArchived = call.search.get('archived') === 'true'
        const listed = wantArchived === archived ? [run({ id: 4, name: 'nightly', archived_at: archived ? '2026-01-01T00:00:00Z' : null })] : []
        return { body: paginated(listed) }
      },
      'POST /api/runs/4/archive/': () => {
        archived = true
        return { body: run({ id: 4 }) }
      },
      'POST /api/runs/4/restore/': () => {
        archived = false
        return { body: run({ id: 4 }) }
      },
    })
    renderAt('/runs/', [{ path: '/runs/', element: <RunsPage /> }])
    const row = (await screen.findByRole('link', { name: 'nightly' })).closest('tr')!
    fireEvent.click(within(row).getByRole('button', { name: /Archive/ }))
    await waitFor(() => expect(screen.queryByRole('link', { name: 'nightly' })).toBeNull())

    fireEvent.click(screen.getByRole('button', { name: 'Archived' }))
    const archivedRow = (await screen.findByRole('link', { name: 'nightly' })).closest('tr')!
    expect(api.calls.some((call) => call.search.get('archived') === 'true')).toBe(true)
    fireEvent.click(within(archivedRow).getByRole('button', { name: /Restore/ }))
    await waitFor(() => expect(screen.getByText('No archived runs')).toBeTruthy())
  })
})
