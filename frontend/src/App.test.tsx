import { fireEvent, render, screen, within } from '@testing-library/react'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { MemoryRouter } from 'react-router-dom'
import { AppRoutes } from './App'
import type { Boot } from './boot'
import { BootProvider } from './BootContext'
import { installFakeApi, paginated, type Routes } from './test/fakeApi'
import { run, runDetail } from './test/fixtures'
import { TEST_BOOT } from './test/render'

function renderApp(path: string, routes: Routes = {}, boot: Boot = TEST_BOOT) {
  const api = installFakeApi(routes)
  render(
    <BootProvider boot={boot}>
      <MemoryRouter initialEntries={[path]}>
        <AppRoutes />
      </MemoryRouter>
    </BootProvider>,
  )
  return api
}

afterEach(() => vi.unstubAllGlobals())

describe('layout', () => {
  it('shows the product, the navigation, API docs and the user with a POST logout', async () => {
    renderApp('/runs/', { 'GET /api/runs/': { body: paginated([]) } })
    const banner = screen.getByRole('banner')
    expect(within(banner).getByText('Pipewright')).toBeTruthy()
    const nav = within(banner).getByRole('navigation', { name: 'Main' })
    expect(within(nav).getByRole('link', { name: 'Pipelines' }).getAttribute('href')).toBe('/pipelines/')
    expect(within(nav).getByRole('link', { name: 'Repositories' }).getAttribute('href')).toBe('/repositories/')
    expect(within(nav).getByRole('link', { name: 'Runs' }).className).toContain('is-active')
    expect(within(banner).getByRole('link', { name: 'API docs' }).getAttribute('href')).toBe('/api/docs/')
    expect(within(banner).queryByRole('link', { name: 'Admin' })).toBeNull()
    expect(within(banner).getByText('ada')).toBeTruthy()

    const logout = within(banner).getByRole('button', { name: 'Log out' }).closest('form')!
    expect(logout.getAttribute('method')).toBe('post')
    expect(logout.getAttribute('action')).toBe('/accounts/logout/')
    const token = logout.querySelector<HTMLInputElement>('input[name="csrfmiddlewaretoken"]')!
    expect(token.type).toBe('hidden')
    expect(token.value).toBe('test-csrf-token')
    await screen.findByRole('heading', { name: 'No runs yet' })
  })

  it('links staff to the admin', async () => {
    renderApp('/runs/', { 'GET /api/runs/': { body: paginated([]) } }, { ...TEST_BOOT, user: { username: 'root', isStaff: true } })
    expect(screen.getByRole('link', { name: 'Admin' }).getAttribute('href')).toBe('/admin/')
    await screen.findByRole('heading', { name: 'No runs yet' })
  })
})

describe('routes', () => {
  it('shows a friendly page for unknown addresses, with a way back', () => {
    renderApp('/nowhere/at/all/')
    expect(screen.getByRole('heading', { name: 'This page does not exist' })).toBeTruthy()
    expect(screen.getByText('/nowhere/at/all/')).toBeTruthy()
    expect(screen.getByRole('link', { name: 'Go to pipelines' }).getAttribute('href')).toBe('/pipelines/')
  })

  it('treats a non-numeric run id as not found without calling the API', async () => {
    const api = renderApp('/runs/abc/')
    expect(await screen.findByRole('heading', { name: 'Run not found' })).toBeTruthy()
    expect(api.calls).toHaveLength(0)
  })
})

describe('runs list', () => {
  it('explains where runs come from when there are none', async () => {
    renderApp('/runs/', { 'GET /api/runs/': { body: paginated([]) } })
    expect(await screen.findByRole('heading', { name: 'No runs yet' })).toBeTruthy()
    expect(screen.getByText(/appears here each time a pipeline is executed/)).toBeTruthy()
  })

  it('lists runs with pipeline, state badge and duration', async () => {
    const api = renderApp('/runs/', {
      'GET /api/runs/': {
        body: paginated([
          run({ id: 4, name: 'nightly', state: 'failed' }),
          run({ id: 5, name: 'try', state: 'pending', started_at: null, finished_at: null, debug: true }),
        ]),
      },
    })
    const link = await screen.findByRole('link', { name: 'nightly' })
    expect(link.getAttribute('href')).toBe('/runs/4/')
    const rows = screen.getAllByRole('row').slice(1)
    const first = within(rows[0]!)
    expect(first.getByRole('link', { name: 'Train churn model' }).getAttribute('href')).toBe('/pipelines/1/')
    expect(first.getByText('Failed').closest('.badge')?.className).toContain('badge-failed')
    expect(first.getByText('3 m 05 s')).toBeTruthy()
    const second = within(rows[1]!)
    expect(second.getByText('Pending')).toBeTruthy()
    expect(second.getByText('debug')).toBeTruthy()
    expect(second.getByText('—')).toBeTruthy()
    expect(api.calls.find((call) => call.path === '/api/runs/')!.search.get('limit')).toBe('50')
  })
})

describe('run page', () => {
  it('shows the run and its node runs (the page is loaded lazily)', async () => {
    renderApp('/runs/1/', {
      'GET /api/runs/1/': { body: runDetail() },
      'GET /api/operations/': { body: paginated([]) },
      'GET /api/projects/': { body: paginated([]) },
    })
    expect(await screen.findByRole('heading', { name: 'nightly' })).toBeTruthy()
    expect(screen.getByText('1 of 2 nodes done · 1 failed')).toBeTruthy()
    const details = screen.getByRole('region', { name: 'Run details' })
    expect(within(details).getByText('Duration')).toBeTruthy()
    expect(within(details).getByText('3 m 05 s')).toBeTruthy()
    // The version of this run is not there: the graph says so and offers a retry.
    expect(await screen.findByText(/Could not load the graph of this run/)).toBeTruthy()
    // The table view lists the node runs all the same.
    fireEvent.click(screen.getByRole('button', { name: 'Table' }))
    const table = screen.getByRole('table', { name: 'Nodes of this run' })
    const rows = within(table).getAllByRole('row').slice(1)
    expect(within(rows[0]!).getByText('load', { selector: 'code' })).toBeTruthy()
    expect(within(rows[0]!).getByText('10 s')).toBeTruthy()
    expect(within(rows[1]!).getAllByRole('cell')[2]!.textContent).toBe('2')
  })

  it('says so when the run does not exist', async () => {
    renderApp('/runs/99/', {})
    expect(await screen.findByRole('heading', { name: 'Run not found' })).toBeTruthy()
    expect(screen.getByRole('link', { name: 'Back to runs' }).getAttribute('href')).toBe('/runs/')
  })

  it('offers a retry on other errors', async () => {
    renderApp('/runs/1/', { 'GET /api/runs/1/': { status: 503, body: null } })
    const alert = await screen.findByRole('alert')
    expect(within(alert).getByText('Could not load this run')).toBeTruthy()
    expect(within(alert).getByRole('button', { name: 'Retry' })).toBeTruthy()
  })

  it('asks to log in again when the session is gone', async () => {
    renderApp('/runs/1/', {
      'GET /api/runs/1/': { status: 403, body: { detail: 'Authentication credentials were not provided.' } },
    })
    const login = await screen.findByRole('link', { name: 'Log in again' })
    expect(login.getAttribute('href')).toBe('/accounts/login/?next=%2Fruns%2F1%2F')
  })
})
