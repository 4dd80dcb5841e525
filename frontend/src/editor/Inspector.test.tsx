import { screen, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { configureClient } from '../api/client'
import type { Graph, Operation } from '../api/types'
import { installFakeApi, paginated } from '../test/fakeApi'
import { project } from '../test/fixtures'
import { LocationProbe, renderAt, TEST_BOOT } from '../test/render'
import { Inspector } from './Inspector'
import { createEditorStore } from './store'
import { OPERATIONS, TRAIN } from './testOperations'

beforeEach(() => configureClient({ csrfToken: TEST_BOOT.csrfToken }))
afterEach(() => vi.unstubAllGlobals())

function renderInspector(operations: Operation[]) {
  const document: Graph = {
    nodes: [{ id: 'train', operation: 2, label: '', params: {}, position: { x: 0, y: 0 } }],
    edges: [],
    inputs: [],
  }
  const store = createEditorStore({ operations, document })
  store.getState().select({ nodes: ['train'] })
  renderAt('/pipelines/5/edit/', [
    {
      path: '/pipelines/5/edit/',
      element: (
        <Inspector
          store={store}
          pipeline={{ name: 'P', projectName: 'Team', projectId: 4, revision: 1, latestVersion: null }}
        />
      ),
    },
    { path: '/operations/:id/edit/', element: <LocationProbe /> },
  ])
}

describe('Inspector, on a built-in operation', () => {
  it('links to it and duplicates it into the pipeline’s project, then opens the copy', async () => {
    const copy: Operation = { ...TRAIN, id: 31, project: 4, builtin: false, name: 'train (copy)', slug: 'train-copy' }
    const api = installFakeApi({
      'GET /api/projects/': {
        body: paginated([project({ id: 3, name: 'Elsewhere', role: 'editor' }), project({ id: 4, name: 'Team', role: 'owner' })]),
      },
      'POST /api/operations/2/duplicate/': { status: 201, body: copy },
    })
    renderInspector(OPERATIONS)
    const user = userEvent.setup()

    expect(screen.getByRole('link', { name: 'View operation' }).getAttribute('href')).toBe('/operations/2/edit/?project=4')
    expect(screen.queryByRole('link', { name: 'Edit operation' })).toBeNull()
    await user.click(screen.getByRole('button', { name: 'Duplicate into project' }))
    const dialog = await screen.findByRole('dialog', { name: 'Duplicate into project' })
    expect(((await within(dialog).findByLabelText('Project')) as HTMLSelectElement).value).toBe('4')
    await user.type(within(dialog).getByLabelText(/Name/), 'My train')
    await user.click(within(dialog).getByRole('button', { name: 'Duplicate' }))

    expect((await screen.findByTestId('location')).textContent).toBe('/operations/31/edit/')
    expect(api.calls.find((call) => call.method === 'POST')?.body).toEqual({ project: 4, name: 'My train' })
  })

  it('offers editing, not duplicating, for an operation of a project', () => {
    installFakeApi({})
    renderInspector(OPERATIONS.map((operation) => (operation.id === 2 ? { ...operation, project: 4, builtin: false } : operation)))
    expect(screen.getByRole('link', { name: 'Edit operation' })).toBeTruthy()
    expect(screen.queryByRole('button', { name: 'Duplicate into project' })).toBeNull()
  })
})

describe('Inspector, parameters with bounds and choices', () => {
  const limited: Operation = {
    ...TRAIN,
    latest_version: {
      ...TRAIN.latest_version!,
      parameters: [
        { name: 'epochs', type: 'int', default: 10, description: 'Passes', minimum: 1, maximum: 100 },
        { name: 'mode', type: 'str', default: 'fast', description: '', choices: ['fast', 'exact'] },
      ],
    },
  }

  it('shows the bounds, refuses a value outside them next to the field, and keeps the last good one', async () => {
    installFakeApi({ 'GET /api/projects/': { body: paginated([project({ id: 4, role: 'owner' })]) } })
    renderInspector([limited])
    const user = userEvent.setup()
    const epochs = screen.getByLabelText(/^epochs/) as HTMLInputElement
    expect(epochs.min).toBe('1')
    expect(epochs.max).toBe('100')
    expect(screen.getByText('Passes · 1 to 100')).toBeTruthy()
    await user.type(epochs, '500')
    expect(screen.getByRole('alert').textContent).toBe('epochs must be at most 100')
    expect(epochs.getAttribute('aria-invalid')).toBe('true')
    await user.clear(epochs)
    await user.type(epochs, '50')
    expect(screen.queryByRole('alert')).toBeNull()
  })

  it('offers a fixed choice as a list, the default first', async () => {
    installFakeApi({ 'GET /api/projects/': { body: paginated([project({ id: 4, role: 'owner' })]) } })
    renderInspector([limited])
    const user = userEvent.setup()
    const mode = screen.getByLabelText(/^mode/) as HTMLSelectElement
    expect([...mode.options].map((option) => option.textContent)).toEqual(['fast (default)', 'fast', 'exact'])
    await user.selectOptions(mode, '"exact"')
    expect(mode.value).toBe('"exact"')
  })
})
