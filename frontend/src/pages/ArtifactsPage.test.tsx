import { fireEvent, screen, waitFor, within } from '@testing-library/react'
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { Artifact } from '../api/types'
import { installFakeApi, paginated } from '../test/fakeApi'
import { project } from '../test/fixtures'
import { LocationProbe, renderAt } from '../test/render'
import { ArtifactsPage } from './ArtifactsPage'

afterEach(() => {
  vi.unstubAllGlobals()
})

function artifact(overrides: Partial<Artifact> = {}): Artifact {
  return {
    id: 1,
    project: 1,
    name: 'model.pkl',
    storage_backend: 'local',
    size: 2048,
    checksum: 'abc',
    content_type: '',
    created_by: 'ada',
    produced_by: 7,
    created_at: '2025-03-01T10:00:00Z',
    download_url: '/api/artifacts/1/download/',
    run: 3,
    run_name: 'nightly',
    node_id: 'train',
    ...overrides,
  }
}

const routes = [
  {
    path: '/artifacts/',
    element: (
      <>
        <ArtifactsPage />
        <LocationProbe />
      </>
    ),
  },
]

describe('ArtifactsPage', () => {
  it('lists artifacts with the run and node that made them and a download link', async () => {
    installFakeApi({
      'GET /api/projects/': { body: paginated([project()]) },
      'GET /api/artifacts/': { body: paginated([artifact(), artifact({ id: 2, name: 'data.csv', run: null, node_id: null })]) },
    })
    renderAt('/artifacts/', routes)
    const row = (await screen.findByRole('cell', { name: 'model.pkl' })).closest('tr')!
    expect(within(row).getByRole('link', { name: 'nightly' }).getAttribute('href')).toBe('/runs/3/')
    expect(within(row).getByRole('link', { name: 'train' }).getAttribute('href')).toBe('/runs/3/?node=train')
    expect(within(row).getByRole('link', { name: 'Download model.pkl' }).getAttribute('href')).toBe(
      '/api/artifacts/1/download/',
    )
    expect(within(row).queryByRole('button', { name: /Preview/ })).toBeNull() // a pickle has no preview
    expect(within(screen.getByRole('cell', { name: 'data.csv' }).closest('tr')!).getByText('uploaded')).toBeTruthy()
    expect(screen.getByText('1–2 of 2')).toBeTruthy()
  })

  it('keeps the project and text filters in the URL and sends them to the server', async () => {
    const api = installFakeApi({
      'GET /api/projects/': { body: paginated([project(), project({ id: 2, name: 'Vision' })]) },
      'GET /api/artifacts/': { body: paginated([artifact()]) },
    })
    renderAt('/artifacts/?project=2', routes)
    await screen.findByRole('cell', { name: 'model.pkl' })
    expect(api.calls.find((call) => call.path === '/api/artifacts/')!.search.get('project')).toBe('2')
    fireEvent.change(screen.getByRole('searchbox', { name: /Search artifacts/ }), { target: { value: 'model' } })
    await waitFor(() => expect(screen.getByTestId('location').textContent).toBe('/artifacts/?project=2&q=model'))
    await waitFor(() => expect(api.calls.at(-1)!.search.get('q')).toBe('model'))
    expect(api.calls.at(-1)!.search.get('project')).toBe('2')
  })

  it('pages through the list on the server', async () => {
    const api = installFakeApi({
      'GET /api/projects/': { body: paginated([project()]) },
      'GET /api/artifacts/': (call) => ({
        body: paginated([artifact({ name: `file-${call.search.get('offset') ?? '0'}` })], 120),
      }),
    })
    renderAt('/artifacts/', routes)
    await screen.findByRole('cell', { name: 'file-0' })
    expect((screen.getByRole('button', { name: 'Prev' }) as HTMLButtonElement).disabled).toBe(true)
    fireEvent.click(screen.getByRole('button', { name: 'Next' }))
    await screen.findByRole('cell', { name: 'file-50' })
    expect(screen.getByText('51–51 of 120')).toBeTruthy()
    expect(screen.getByTestId('location').textContent).toBe('/artifacts/?offset=50')
    expect(api.calls.at(-1)!.search.get('limit')).toBe('50')
  })

  it('previews an image inline and a CSV as a table', async () => {
    installFakeApi({
      'GET /api/projects/': { body: paginated([project()]) },
      'GET /api/artifacts/': {
        body: paginated([
          artifact({ id: 5, name: 'chart.png' }),
          artifact({ id: 6, name: 'scores.csv', size: 20 }),
        ]),
      },
      'GET /api/artifacts/6/download/': { text: 'name,score\nada,0.9\n' },
    })
    renderAt('/artifacts/', routes)
    await screen.findByRole('cell', { name: 'chart.png' })
    fireEvent.click(screen.getByRole('button', { name: 'Preview chart.png' }))
    const image = screen.getByRole('img', { name: 'Preview of chart.png' })
    expect(image.getAttribute('src')).toBe('/api/artifacts/5/download/')
    fireEvent.click(screen.getByRole('button', { name: 'Preview scores.csv' }))
    const table = await screen.findByRole('table', { name: 'Preview of scores.csv' })
    expect(within(table).getByText('ada')).toBeTruthy()
  })

  it('says so when nothing matches', async () => {
    installFakeApi({
      'GET /api/projects/': { body: paginated([project()]) },
      'GET /api/artifacts/': { body: paginated([]) },
    })
    renderAt('/artifacts/?q=zzz', routes)
    expect(await screen.findByText('No matching artifacts')).toBeTruthy()
  })
})
