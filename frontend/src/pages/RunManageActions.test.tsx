import { fireEvent, screen, waitFor, within } from '@testing-library/react'
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { CloneSetup } from '../api/runsManagement'
import { executeRoutes } from '../execute/testRoutes'
import { installFakeApi, paginated } from '../test/fakeApi'
import { runDetail } from '../test/fixtures'
import { LocationProbe, renderAt } from '../test/render'
import { ArchivedBadge, ClonedFrom, RunManageActions } from './RunManageActions'

afterEach(() => vi.unstubAllGlobals())

const cloneSetup: CloneSetup = {
  cloned_from: 7,
  pipeline: 1,
  pipeline_version: 11,
  name: 'sweep',
  run_name: 'sweep_2',
  debug: true,
  experiment: 3,
  params: { train: { epochs: 5 } },
  inputs: { rows: { value: 40 } },
  run_inputs: [{ name: 'rows', type: 'int', default: 10, description: '', wired: true }],
  compute: { backend: 'local', options: {}, account: null },
  storage: { backend: 'local', options: {}, account: null },
  secrets_dropped: true,
}

function renderActions(routes: Parameters<typeof installFakeApi>[0], overrides = {}) {
  const api = installFakeApi({
    'GET /api/experiments/': { body: paginated([{ id: 3, project: 1, name: 'Baseline', archived: false }]) },
    ...routes,
  })
  const changed = vi.fn()
  const run = runDetail({ id: 7, name: 'sweep', state: 'succeeded', ...overrides })
  renderAt('/runs/7/', [
    {
      path: '/runs/:id/',
      element: (
        <>
          <ArchivedBadge run={run} />
          <ul>
            <ClonedFrom run={run} />
          </ul>
          <RunManageActions run={run} active={false} disabledReason={null} onChanged={changed} />
          <LocationProbe />
        </>
      ),
    },
    { path: '/runs/', element: <LocationProbe /> },
  ])
  return { api, changed }
}

describe('RunManageActions', () => {
  it('archives a run and restores an archived one', async () => {
    const { api, changed } = renderActions({
      'POST /api/runs/7/archive/': { body: runDetail({ id: 7, archived_at: '2026-01-01T00:00:00Z' }) },
    })
    fireEvent.click(await screen.findByRole('button', { name: 'Archive' }))
    await waitFor(() => expect(changed).toHaveBeenCalled())
    expect(api.calls.some((call) => call.method === 'POST' && call.path === '/api/runs/7/archive/')).toBe(true)
  })

  it('shows the Archived badge, a Restore action and where the run was cloned from', async () => {
    renderActions({}, { archived_at: '2026-01-01T00:00:00Z', cloned_from: 2, cloned_from_name: 'base' })
    expect(await screen.findByRole('button', { name: 'Restore' })).toBeTruthy()
    expect(screen.getByText('Archived')).toBeTruthy()
    expect(screen.getByRole('link', { name: 'base' }).getAttribute('href')).toBe('/runs/2/')
  })

  it('deletes after a confirmation naming what goes, and says why a refusal happened', async () => {
    let refuse = true
    renderActions({
      'DELETE /api/runs/7/': () =>
        refuse
          ? { status: 409, body: { detail: 'The run is running: cancel it first, then delete it.' } }
          : { body: { node_runs: 1, events: 4, artifacts: 2 } },
    })
    fireEvent.click(await screen.findByRole('button', { name: 'Delete' }))
    const dialog = within(await screen.findByRole('dialog', { name: 'Delete this run?' }))
    expect(dialog.getByText(/the artifacts it produced, files included/)).toBeTruthy()
    fireEvent.click(dialog.getByRole('button', { name: 'Delete run' }))
    expect(await dialog.findByText(/cancel it first/)).toBeTruthy()
    refuse = false
    fireEvent.click(dialog.getByRole('button', { name: 'Delete run' }))
    await waitFor(() => expect(screen.getByTestId('location').textContent).toBe('/runs/'))
  })

  it('moves the run to an experiment', async () => {
    const { api, changed } = renderActions({
      'POST /api/runs/7/experiment/': { body: runDetail({ id: 7, experiment: 3 }) },
    })
    const select = await screen.findByLabelText('Move to experiment')
    await waitFor(() => expect((select as HTMLSelectElement).disabled).toBe(false))
    fireEvent.change(select, { target: { value: '3' } })
    await waitFor(() => expect(changed).toHaveBeenCalled())
    expect(api.calls.find((call) => call.path === '/api/runs/7/experiment/')?.body).toEqual({ experiment: 3 })
  })

  it('clones: the dialog opens prefilled and submits the exact version, params and origin', async () => {
    const { api } = renderActions({
      ...executeRoutes(1),
      'GET /api/runs/7/clone-setup/': { body: cloneSetup },
      'POST /api/runs/': { status: 201, body: runDetail({ id: 9 }) },
    })
    fireEvent.click(await screen.findByRole('button', { name: 'Clone' }))
    const dialog = within(await screen.findByRole('dialog', { name: 'Clone run' }))
    expect((await dialog.findByLabelText('Execution name') as HTMLInputElement).value).toBe('sweep')
    expect((dialog.getByLabelText('Debug mode') as HTMLInputElement).checked).toBe(true)
    expect(dialog.getByText(/Time-dependent inputs are not recreated/)).toBeTruthy()
    expect(dialog.getByRole('list', { name: 'Parameters' }).textContent).toContain('train.epochs = 5')
    expect(dialog.getByText(/Secrets typed in for the original run are not copied/)).toBeTruthy()
    fireEvent.click(dialog.getByRole('button', { name: 'Run' }))
    await waitFor(() => expect(screen.getByTestId('location').textContent).toBe('/runs/9/'))
    const body = api.calls.find((call) => call.method === 'POST' && call.path === '/api/runs/')?.body
    expect(body).toMatchObject({
      pipeline: 1,
      name: 'sweep',
      debug: true,
      experiment: 3,
      pipeline_version: 11,
      params: { train: { epochs: 5 } },
      inputs: { rows: { value: 40 } },
      cloned_from: 7,
      save_for_future: false,
    })
  })
})
