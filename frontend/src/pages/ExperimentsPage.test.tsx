import { fireEvent, screen, waitFor, within } from '@testing-library/react'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { installFakeApi, paginated } from '../test/fakeApi'
import { project, run } from '../test/fixtures'
import { renderAt } from '../test/render'
import { ExperimentPage } from './ExperimentPage'
import { ExperimentsPage } from './ExperimentsPage'

afterEach(() => vi.unstubAllGlobals())

const sweep = {
  id: 3,
  project: 1,
  name: 'lr sweep',
  description: 'learning rates',
  archived: false,
  created_by: 'ada',
  created_at: '2026-01-01T00:00:00Z',
  run_count: 2,
}

describe('ExperimentsPage', () => {
  it('lists experiments with their run counts and creates one, showing a 400 next to its field', async () => {
    let refuse = true
    const api = installFakeApi({
      'GET /api/experiments/': { body: paginated([sweep]) },
      'GET /api/projects/': { body: paginated([project()]) },
      'POST /api/experiments/': () =>
        refuse
          ? { status: 400, body: { name: ['An experiment with this name already exists in the project.'] } }
          : { status: 201, body: { ...sweep, id: 4, name: 'depth', run_count: 0 } },
    })
    renderAt('/experiments/', [{ path: '/experiments/', element: <ExperimentsPage /> }])
    const row = (await screen.findByRole('link', { name: 'lr sweep' })).closest('tr')!
    expect(within(row).getByText('2')).toBeTruthy()

    const form = within(screen.getByRole('form', { name: 'New experiment' }))
    fireEvent.change(form.getByLabelText('Name'), { target: { value: 'lr sweep' } })
    await waitFor(() => expect((form.getByRole('button', { name: 'Create experiment' }) as HTMLButtonElement).disabled).toBe(false))
    fireEvent.click(form.getByRole('button', { name: 'Create experiment' }))
    expect(await form.findByText(/already exists in the project/)).toBeTruthy()
    refuse = false
    fireEvent.change(form.getByLabelText('Name'), { target: { value: 'depth' } })
    fireEvent.change(form.getByLabelText(/Description/), { target: { value: 'tree depth' } })
    fireEvent.click(form.getByRole('button', { name: 'Create experiment' }))
    await waitFor(() => expect((form.getByLabelText('Name') as HTMLInputElement).value).toBe(''))
    const created = api.calls.filter((call) => call.method === 'POST').at(-1)?.body
    expect(created).toEqual({ project: project().id, name: 'depth', description: 'tree depth' })
  })
})

describe('ExperimentPage', () => {
  it('shows the experiment’s runs with their state', async () => {
    const api = installFakeApi({
      'GET /api/experiments/3/': { body: sweep },
      'GET /api/runs/': { body: paginated([run({ id: 8, name: 'lr-0.1', state: 'running', finished_at: null })]) },
    })
    renderAt('/experiments/3/', [{ path: '/experiments/:id/', element: <ExperimentPage /> }])
    const row = (await screen.findByRole('link', { name: 'lr-0.1' })).closest('tr')!
    expect(within(row).getByText('Running')).toBeTruthy()
    expect(screen.getByRole('heading', { name: 'lr sweep' })).toBeTruthy()
    expect(api.calls.find((call) => call.path === '/api/runs/')?.search.get('experiment')).toBe('3')
  })
})
