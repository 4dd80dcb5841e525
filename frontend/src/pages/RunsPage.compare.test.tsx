import { fireEvent, screen } from '@testing-library/react'
import { describe, expect, it } from 'vitest'
import { installFakeApi, paginated } from '../test/fakeApi'
import { run } from '../test/fixtures'
import { LocationProbe, renderAt } from '../test/render'
import { RunsPage } from './RunsPage'

function renderRuns(count: number) {
  installFakeApi({
    'GET /api/runs/': {
      body: paginated(
        Array.from({ length: count }, (_, i) =>
          run({ id: i + 1, name: `run-${i + 1}`, created_at: `2025-03-${String(i + 1).padStart(2, '0')}T10:00:00Z` }),
        ),
      ),
    },
  })
  renderAt('/runs/', [
    { path: '/runs/', element: <RunsPage /> },
    { path: '/runs/compare/', element: <LocationProbe /> },
  ])
}

describe('RunsPage: comparing runs', () => {
  it('compares the ticked runs, in the order they were made', async () => {
    renderRuns(4)
    const compare = await screen.findByRole('button', { name: 'Compare (0)' })
    expect((compare as HTMLButtonElement).disabled).toBe(true)
    fireEvent.click(await screen.findByRole('checkbox', { name: 'Select run-3' }))
    expect((screen.getByRole('button', { name: 'Compare (1)' }) as HTMLButtonElement).disabled).toBe(true)
    expect(screen.getByText('Select 2 to 10 runs to compare them.')).toBeTruthy()
    fireEvent.click(screen.getByRole('checkbox', { name: 'Select run-1' }))
    fireEvent.click(screen.getByRole('button', { name: 'Compare (2)' }))
    expect(screen.getByTestId('location').textContent).toBe('/runs/compare/?ids=1,3')
  })

  it('says how many to unselect above ten', async () => {
    renderRuns(12)
    fireEvent.click(await screen.findByRole('checkbox', { name: 'Select all runs shown' }))
    expect((screen.getByRole('button', { name: 'Compare (12)' }) as HTMLButtonElement).disabled).toBe(true)
    expect(screen.getByText('Compare up to 10 runs at a time: unselect 2 runs.')).toBeTruthy()
    fireEvent.click(screen.getByRole('button', { name: 'Clear selection' }))
    expect(screen.getByRole('button', { name: 'Compare (0)' })).toBeTruthy()
  })
})
