import { screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { configureClient } from '../api/client'
import { installFakeApi, paginated, type Routes } from '../test/fakeApi'
import { pipeline, project } from '../test/fixtures'
import { LocationProbe, renderAt, TEST_BOOT } from '../test/render'
import { PipelinesPage } from './PipelinesPage'

const forecasting = project({ id: 1, name: 'Forecasting', role: 'viewer' })
const marketing = project({ id: 2, name: 'Marketing', role: 'editor' })

const churn = pipeline({ id: 1, name: 'Train churn model', description: 'Gradient boosting on customer events' })
const clean = pipeline({
  id: 2,
  name: 'Clean raw events',
  description: 'Deduplicate the Kafka dump',
  project: 2,
  project_name: 'Marketing',
  node_count: 1,
  latest_version: null,
})

function renderPage(routes: Routes, path = '/pipelines/') {
  const api = installFakeApi(routes)
  renderAt(path, [
    { path: '/pipelines/', element: <PipelinesPage /> },
    { path: '/pipelines/:id/', element: <LocationProbe /> },
  ])
  return api
}

beforeEach(() => configureClient({ csrfToken: TEST_BOOT.csrfToken }))
afterEach(() => vi.unstubAllGlobals())

describe('PipelinesPage', () => {
  it('explains pipelines and offers to create one when there are none', async () => {
    renderPage({
      'GET /api/projects/': { body: paginated([marketing]) },
      'GET /api/pipelines/': { body: paginated([]) },
    })

    expect(await screen.findByRole('heading', { name: 'No pipelines yet' })).toBeTruthy()
    expect(screen.getByText(/A pipeline is a graph of operations/)).toBeTruthy()
    const buttons = screen.getAllByRole('button', { name: /New pipeline/ })
    expect(buttons.every((button) => !(button as HTMLButtonElement).disabled)).toBe(true)
    expect(screen.queryByRole('searchbox')).toBeNull()
  })

  it('lists pipelines with their project, node count, version and update time', async () => {
    const api = renderPage({
      'GET /api/projects/': { body: paginated([forecasting, marketing]) },
      'GET /api/pipelines/': { body: paginated([churn, clean]) },
    })

    const link = await screen.findByRole('link', { name: 'Train churn model' })
    expect(link.getAttribute('href')).toBe('/pipelines/1/')
    const rows = screen.getAllByRole('row').slice(1)
    expect(rows).toHaveLength(2)

    const first = within(rows[0]!)
    expect(first.getByText('Gradient boosting on customer events')).toBeTruthy()
    expect(first.getByText('Forecasting')).toBeTruthy()
    expect(first.getByText('4')).toBeTruthy()
    expect(first.getByText('v3')).toBeTruthy()
    const time = first.getByText('5 minutes ago')
    expect(time.tagName).toBe('TIME')
    expect(time.getAttribute('title')).toMatch(/\d{4}, \d{2}:\d{2}:\d{2}$/)

    const second = within(rows[1]!)
    expect(second.getByText('Marketing')).toBeTruthy()
    expect(second.getByText('Draft')).toBeTruthy()

    const pipelinesCall = api.calls.find((call) => call.path === '/api/pipelines/')!
    expect(pipelinesCall.search.get('limit')).toBe('200')
    expect(pipelinesCall.search.has('project')).toBe(false)
  })

  it('filters by name or description as you type, and "/" focuses the search box', async () => {
    const user = userEvent.setup()
    renderPage({
      'GET /api/projects/': { body: paginated([forecasting]) },
      'GET /api/pipelines/': { body: paginated([churn, clean]) },
    })
    const search = await screen.findByRole('searchbox', { name: /Search pipelines/ })
    expect(screen.getByText('2 pipelines')).toBeTruthy()

    await user.keyboard('/')
    expect(document.activeElement).toBe(search)

    await user.keyboard('kafka')
    expect(screen.queryByRole('link', { name: 'Train churn model' })).toBeNull()
    expect(screen.getByRole('link', { name: 'Clean raw events' })).toBeTruthy()
    expect(screen.getByText('1 of 2 pipelines')).toBeTruthy()

    await user.clear(search)
    await user.type(search, 'nothing like this')
    expect(screen.getByRole('heading', { name: 'No matching pipelines' })).toBeTruthy()
    await user.click(screen.getByRole('button', { name: 'Clear search' }))
    expect(screen.getAllByRole('row')).toHaveLength(3)
  })

  it('filters by project on the server when there is more than one project', async () => {
    const user = userEvent.setup()
    const api = renderPage({
      'GET /api/projects/': { body: paginated([forecasting, marketing]) },
      'GET /api/pipelines/': (call) => ({
        body: paginated(call.search.get('project') === '2' ? [clean] : [churn, clean]),
      }),
    })
    const select = await screen.findByRole('combobox', { name: 'Filter by project' })
    await user.selectOptions(select, '2')

    await waitFor(() => expect(screen.queryByRole('link', { name: 'Train churn model' })).toBeNull())
    expect(await screen.findByRole('link', { name: 'Clean raw events' })).toBeTruthy()
    expect(api.calls.filter((call) => call.path === '/api/pipelines/').at(-1)!.search.get('project')).toBe('2')
  })

  it('shows an error with a Retry button that loads again', async () => {
    const user = userEvent.setup()
    let attempts = 0
    renderPage({
      'GET /api/projects/': { body: paginated([forecasting]) },
      'GET /api/pipelines/': () => {
        attempts += 1
        return attempts === 1 ? { status: 500, body: null } : { body: paginated([churn]) }
      },
    })

    const alert = await screen.findByRole('alert')
    expect(within(alert).getByText('Could not load pipelines')).toBeTruthy()
    expect(within(alert).getByText(/server ran into a problem \(500\)/)).toBeTruthy()

    await user.click(within(alert).getByRole('button', { name: 'Retry' }))
    expect(await screen.findByRole('link', { name: 'Train churn model' })).toBeTruthy()
  })

  describe('new pipeline dialog', () => {
    const routes = (post: Routes[string]): Routes => ({
      'GET /api/projects/': { body: paginated([forecasting, marketing]) },
      'GET /api/pipelines/': { body: paginated([churn]) },
      'POST /api/pipelines/': post,
    })

    async function openDialog(user: ReturnType<typeof userEvent.setup>) {
      await screen.findByRole('link', { name: 'Train churn model' })
      await user.click(screen.getByRole('button', { name: /New pipeline/ }))
      return screen.getByRole('dialog', { name: 'New pipeline' })
    }

    it('creates the pipeline in the first editable project and opens it', async () => {
      const user = userEvent.setup()
      const api = renderPage(routes({ status: 201, body: { ...churn, id: 7, name: 'Forecast sales' } }))
      const dialog = await openDialog(user)

      const name = within(dialog).getByLabelText('Name')
      expect(document.activeElement).toBe(name)
      const projectSelect = within(dialog).getByLabelText('Project') as HTMLSelectElement
      expect(projectSelect.value).toBe('2')
      expect((within(dialog).getByRole('option', { name: 'Forecasting (view only)' }) as HTMLOptionElement).disabled).toBe(true)

      await user.type(name, '  Forecast sales ')
      await user.type(within(dialog).getByLabelText(/Description/), 'Weekly{Enter}')

      expect(await screen.findByTestId('location')).toHaveProperty('textContent', '/pipelines/7/')
      const post = api.calls.find((call) => call.method === 'POST')!
      expect(post.path).toBe('/api/pipelines/')
      expect(post.body).toEqual({ project: 2, name: 'Forecast sales', description: 'Weekly' })
      expect(post.headers['X-CSRFToken']).toBe('test-csrf-token')
    })

    it('shows a 400 field error next to the name field', async () => {
      const user = userEvent.setup()
      renderPage(
        routes({ status: 400, body: { name: ['A pipeline with this name already exists in this project.'] } }),
      )
      const dialog = await openDialog(user)
      const name = within(dialog).getByLabelText('Name')
      await user.type(name, 'Train churn model{Enter}')

      const message = await within(dialog).findByText('A pipeline with this name already exists in this project.')
      expect(name.getAttribute('aria-invalid')).toBe('true')
      expect(name.getAttribute('aria-describedby')).toBe(message.id)
      expect(message.closest('.field')).toBe(name.closest('.field'))
      expect(screen.getByRole('dialog')).toBeTruthy()
    })

    it('shows general 400 errors at the top of the form', async () => {
      const user = userEvent.setup()
      renderPage(routes({ status: 400, body: { non_field_errors: ['The fields project, name must make a unique set.'] } }))
      const dialog = await openDialog(user)
      await user.type(within(dialog).getByLabelText('Name'), 'Dup{Enter}')
      const alert = await within(dialog).findByRole('alert')
      expect(alert.textContent).toContain('must make a unique set')
    })

    it('asks for a name before sending anything', async () => {
      const user = userEvent.setup()
      const api = renderPage(routes({ status: 201, body: churn }))
      const dialog = await openDialog(user)
      await user.click(within(dialog).getByRole('button', { name: 'Create pipeline' }))
      expect(within(dialog).getByText('Give the pipeline a name.')).toBeTruthy()
      expect(api.calls.some((call) => call.method === 'POST')).toBe(false)
    })

    it('closes on Escape', async () => {
      const user = userEvent.setup()
      renderPage(routes({ status: 201, body: churn }))
      await openDialog(user)
      await user.keyboard('{Escape}')
      expect(screen.queryByRole('dialog')).toBeNull()
    })
  })
})
