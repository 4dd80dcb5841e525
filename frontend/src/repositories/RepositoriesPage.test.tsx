import { fireEvent, screen, waitFor, within } from '@testing-library/react'
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { Repository } from '../api/repositories'
import { installFakeApi, paginated } from '../test/fakeApi'
import { pipeline, project } from '../test/fixtures'
import { renderAt } from '../test/render'
import { RepositoriesPage } from './RepositoriesPage'

afterEach(() => vi.unstubAllGlobals())

const SHA = '0123456789abcdef0123456789abcdef01234567'
const URL = 'https://git.example.com/team/pipelines.git'

function repository(overrides: Partial<Repository> = {}): Repository {
  return {
    id: 3,
    project: 1,
    url: URL,
    branch: 'main',
    path: 'pipelines',
    has_secret: true,
    last_commit: SHA,
    last_synced_at: new Date(Date.now() - 5 * 60_000).toISOString(),
    last_error: '',
    pipelines: [{ id: 7, name: 'hello', folder: 'hello' }],
    created_by: 'ada',
    created_at: '2026-01-01T10:00:00Z',
    updated_at: '2026-01-01T10:00:00Z',
    ...overrides,
  }
}

function open(routes: Parameters<typeof installFakeApi>[0], role: 'owner' | 'viewer' = 'owner') {
  const api = installFakeApi({
    'GET /api/projects/': { body: paginated([project({ role })]) },
    'GET /api/pipelines/': { body: paginated([pipeline({ id: 7, name: 'hello' }), pipeline({ id: 8, name: 'Train churn model' })]) },
    ...routes,
  })
  renderAt('/repositories/', [{ path: '/repositories/', element: <RepositoriesPage /> }])
  return api
}

describe('RepositoriesPage', () => {
  it('lists a repository with its branch, folder, last sync, commit, credentials and pipelines', async () => {
    open({ 'GET /api/repositories/': { body: paginated([repository({ last_error: 'cannot read it: timeout' })]) } })
    const card = await screen.findByRole('article', { name: URL })
    expect(within(card).getByText('main')).toBeTruthy()
    expect(within(card).getByText('pipelines/')).toBeTruthy()
    expect(within(card).getByText('5 minutes ago')).toBeTruthy()
    const sha = within(card).getByText('0123456')
    expect(sha.getAttribute('title')).toBe(SHA)
    expect(within(card).getByText('set')).toBeTruthy()
    expect(within(card).getByText(/cannot read it: timeout/)).toBeTruthy()
    expect(within(card).getByRole('link', { name: 'hello' }).getAttribute('href')).toBe('/pipelines/7/')
    expect(within(card).getByText('pipelines/hello/')).toBeTruthy()
    expect(within(card).getByRole('button', { name: 'Sync now' })).toBeTruthy()
    expect(within(card).getByRole('button', { name: 'Push hello' })).toBeTruthy()
  })

  it('shows viewers the list without the buttons that change it', async () => {
    open({ 'GET /api/repositories/': { body: paginated([repository({ has_secret: false })]) } }, 'viewer')
    const card = await screen.findByRole('article', { name: URL })
    expect(within(card).getByText('none')).toBeTruthy()
    expect(within(card).queryByRole('button')).toBeNull()
    expect(screen.queryByRole('button', { name: 'Link repository' })).toBeNull()
    expect(screen.getByText(/need the editor role/)).toBeTruthy()
  })

  it('links a repository, showing a refused URL next to its field', async () => {
    let created: Repository[] = []
    const api = open({
      'GET /api/repositories/': () => ({ body: paginated(created) }),
      'POST /api/repositories/': (call) => {
        const body = call.body as { url: string }
        if (body.url.startsWith('ftp')) {
          return { status: 400, body: { url: ['ftp:// URLs are not taken; use https, http, ssh or git'] } }
        }
        created = [repository({ url: body.url, pipelines: [], last_commit: '', last_synced_at: null })]
        return { status: 201, body: created[0] }
      },
    })
    fireEvent.click(await screen.findByRole('button', { name: 'Link repository' }))
    const dialog = await screen.findByRole('dialog', { name: 'Link repository' })
    expect(within(dialog).getByLabelText('Branch')).toHaveProperty('value', 'main')
    expect(within(dialog).getByText(/Stored encrypted; never shown again/)).toBeTruthy()
    const url = within(dialog).getByLabelText('Repository URL')
    fireEvent.change(url, { target: { value: 'ftp://example.com/x.git' } })
    fireEvent.change(within(dialog).getByLabelText('Folder optional'), { target: { value: 'pipelines' } })
    fireEvent.change(within(dialog).getByLabelText('Access token'), { target: { value: 'ghp_secret' } })
    fireEvent.click(within(dialog).getByRole('button', { name: 'Link repository' }))

    const error = await within(dialog).findByText('ftp:// URLs are not taken; use https, http, ssh or git')
    expect(url.getAttribute('aria-invalid')).toBe('true')
    expect(url.getAttribute('aria-describedby')).toBe(error.id)

    fireEvent.change(url, { target: { value: URL } })
    fireEvent.click(within(dialog).getByRole('button', { name: 'Link repository' }))
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull())
    expect(await screen.findByRole('article', { name: URL })).toBeTruthy()
    const posts = api.calls.filter((call) => call.method === 'POST').map((call) => call.body)
    expect(posts[1]).toEqual({ project: 1, url: URL, branch: 'main', path: 'pipelines', secret: { token: 'ghp_secret' } })
  })

  it('edits a repository: empty credentials stay, "remove" sends {}', async () => {
    const api = open({
      'GET /api/repositories/': { body: paginated([repository()]) },
      'PATCH /api/repositories/3/': (call) => ({ body: repository(call.body as Partial<Repository>) }),
    })
    const card = await screen.findByRole('article', { name: URL })
    fireEvent.click(within(card).getByRole('button', { name: 'Edit' }))
    let dialog = await screen.findByRole('dialog', { name: 'Edit repository' })
    fireEvent.change(within(dialog).getByLabelText('Branch'), { target: { value: 'release' } })
    fireEvent.click(within(dialog).getByRole('button', { name: 'Save changes' }))
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull())

    fireEvent.click(within(card).getByRole('button', { name: 'Edit' }))
    dialog = await screen.findByRole('dialog', { name: 'Edit repository' })
    fireEvent.click(within(dialog).getByLabelText('Remove the stored credentials'))
    fireEvent.click(within(dialog).getByRole('button', { name: 'Save changes' }))
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull())

    const patches = api.calls.filter((call) => call.method === 'PATCH').map((call) => call.body)
    expect(patches).toEqual([
      { url: URL, branch: 'release', path: 'pipelines' },
      { url: URL, branch: 'main', path: 'pipelines', secret: {} },
    ])
  })

  it('syncs now and reports the imported pipelines and the problems with file and line', async () => {
    let report: () => void = () => {}
    open({
      'GET /api/repositories/': { body: paginated([repository()]) },
      'POST /api/repositories/3/sync/': () =>
        new Promise((resolve) => {
          report = () =>
            resolve({
              body: {
                commit: SHA,
                imported: [{ folder: 'hello', pipeline: 7, name: 'hello', version: 2, git_commit: SHA }],
                problems: [{ file: 'pipelines/broken/main.yml', line: 4, message: 'tasks: expected a list' }],
              },
            })
        }),
    })
    const card = await screen.findByRole('article', { name: URL })
    fireEvent.click(within(card).getByRole('button', { name: 'Sync now' }))
    const pending = await within(card).findByRole('button', { name: 'Syncing…' })
    expect(pending).toHaveProperty('disabled', true)
    report()

    const result = await within(card).findByRole('region', { name: 'Sync report' })
    expect(result.textContent).toContain('1 pipeline imported, 1 problem.')
    expect(within(result).getByRole('link', { name: 'hello' }).getAttribute('href')).toBe('/pipelines/7/')
    const problems = within(result).getByRole('list', { name: 'Problems' })
    expect(problems.textContent).toBe('pipelines/broken/main.yml:4 — tasks: expected a list')
    expect(within(card).getByRole('button', { name: 'Sync now' })).toHaveProperty('disabled', false)
  })

  it('says clearly that an unreachable repository changed nothing', async () => {
    open({
      'GET /api/repositories/': { body: paginated([repository()]) },
      'POST /api/repositories/3/sync/': {
        status: 400,
        body: { detail: 'cannot read https://git.example.com/team/pipelines.git (branch main): Could not resolve host' },
      },
    })
    const card = await screen.findByRole('article', { name: URL })
    fireEvent.click(within(card).getByRole('button', { name: 'Sync now' }))
    const alert = await within(card).findByRole('alert')
    expect(alert.textContent).toContain('Could not sync.')
    expect(alert.textContent).toContain('Could not resolve host')
    expect(alert.textContent).toContain('Nothing was changed')
  })

  it('pushes a pipeline with a message and shows the commit and the version', async () => {
    const api = open({
      'GET /api/repositories/': { body: paginated([repository()]) },
      'POST /api/repositories/3/push/': { body: { commit: SHA, pipeline: 7, version: 4, folder: 'hello' } },
    })
    const card = await screen.findByRole('article', { name: URL })
    fireEvent.click(within(card).getByRole('button', { name: 'Push hello' }))
    const dialog = await screen.findByRole('dialog', { name: 'Push hello' })
    fireEvent.change(within(dialog).getByLabelText('Commit message optional'), { target: { value: 'Tune the greeting' } })
    fireEvent.click(within(dialog).getByRole('button', { name: 'Push' }))

    expect((await within(dialog).findByTestId('pushed-commit')).textContent).toBe(SHA)
    expect(within(dialog).getByRole('link', { name: 'version 4' }).getAttribute('href')).toBe('/pipelines/7/')
    expect(api.calls.find((call) => call.path.endsWith('/push/'))!.body).toEqual({ pipeline: 7, message: 'Tune the greeting' })
  })

  it('pushes a pipeline not yet in the repository, picked from the project', async () => {
    const api = open({
      'GET /api/repositories/': { body: paginated([repository()]) },
      'POST /api/repositories/3/push/': { status: 400, body: { detail: 'the pipeline comes from another repository' } },
    })
    const card = await screen.findByRole('article', { name: URL })
    fireEvent.click(within(card).getByRole('button', { name: 'Push a pipeline…' }))
    const dialog = await screen.findByRole('dialog', { name: 'Push a pipeline' })
    const select = await within(dialog).findByLabelText('Pipeline')
    expect([...(select as HTMLSelectElement).options].map((option) => option.textContent)).toEqual([
      'hello (in hello/)',
      'Train churn model',
    ])
    fireEvent.change(select, { target: { value: '8' } })
    expect(within(dialog).getByText(/Not in the repository yet/)).toBeTruthy()
    fireEvent.click(within(dialog).getByRole('button', { name: 'Push' }))
    const alert = await within(dialog).findByRole('alert')
    expect(alert.textContent).toBe('the pipeline comes from another repository. Nothing was pushed.')
    expect(api.calls.find((call) => call.path.endsWith('/push/'))!.body).toEqual({ pipeline: 8, message: '' })
  })

  it('says what a repository is for when none is linked', async () => {
    open({ 'GET /api/repositories/': { body: paginated([]) } })
    expect(await screen.findByRole('heading', { name: 'No repositories linked yet' })).toBeTruthy()
    expect(screen.getByRole('button', { name: 'Link repository' })).toBeTruthy()
  })
})
