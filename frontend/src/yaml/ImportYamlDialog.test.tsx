import { fireEvent, screen, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { configureClient } from '../api/client'
import { PipelinesPage } from '../pages/PipelinesPage'
import { installFakeApi, paginated, type Routes } from '../test/fakeApi'
import { pipeline, project } from '../test/fixtures'
import { LocationProbe, renderAt, TEST_BOOT } from '../test/render'

const forecasting = project({ id: 1, name: 'Forecasting', role: 'viewer' })
const marketing = project({ id: 2, name: 'Marketing', role: 'editor' })
const research = project({ id: 3, name: 'Research', role: 'owner' })

const MAIN_YML = 'name: p\ntasks:\n  - name: a\n    image: busybox:1.36\n'

function routes(importAnswer: Routes[string]): Routes {
  return {
    'GET /api/projects/': { body: paginated([forecasting, marketing, research]) },
    'GET /api/pipelines/': { body: paginated([pipeline()]) },
    'POST /api/pipelines/import/': importAnswer,
  }
}

function renderPage(answer: Routes[string], path = '/pipelines/') {
  const api = installFakeApi(routes(answer))
  renderAt(path, [
    { path: '/pipelines/', element: <PipelinesPage /> },
    { path: '/pipelines/:id/', element: <LocationProbe /> },
  ])
  return api
}

async function openDialog(user: ReturnType<typeof userEvent.setup>) {
  await user.click(await screen.findByRole('button', { name: /Import YAML/ }))
  return screen.getByRole('dialog', { name: 'Import YAML pipeline' })
}

function mainYml(name = 'main.yml') {
  return new File([MAIN_YML], name, { type: 'application/yaml' })
}

/** The multipart body of the import call. */
function sentForm(api: ReturnType<typeof installFakeApi>): FormData {
  const init = api.fetchMock.mock.calls.find(([, options]) => options?.method === 'POST')![1]!
  return init.body as FormData
}

beforeEach(() => configureClient({ csrfToken: TEST_BOOT.csrfToken }))
afterEach(() => vi.unstubAllGlobals())

describe('ImportYamlDialog', () => {
  it('uploads the file to the chosen project and opens the imported pipeline', async () => {
    // given
    const user = userEvent.setup()
    const api = renderPage({ status: 201, body: { ...pipeline({ id: 9, name: 'p' }), graph: { nodes: [], edges: [], inputs: [] } } })
    const dialog = await openDialog(user)
    const fileInput = within(dialog).getByLabelText('File') as HTMLInputElement
    expect(fileInput.accept).toBe('.yml,.yaml,.zip')
    expect(document.activeElement).toBe(fileInput)
    const projectSelect = within(dialog).getByLabelText('Project') as HTMLSelectElement
    expect(projectSelect.value).toBe('2')

    // when
    await user.selectOptions(projectSelect, '3')
    await user.upload(fileInput, mainYml())
    expect(fileInput.files?.[0]?.name).toBe('main.yml')
    await user.click(within(dialog).getByRole('button', { name: 'Import' }))

    // then
    expect(await screen.findByTestId('location')).toHaveProperty('textContent', '/pipelines/9/')
    const post = api.calls.find((call) => call.method === 'POST')!
    expect(post.path).toBe('/api/pipelines/import/')
    expect(post.headers['X-CSRFToken']).toBe('test-csrf-token')
    const form = sentForm(api)
    expect(form.get('project')).toBe('3')
    expect((form.get('file') as File).name).toBe('main.yml')
  })

  it('defaults to the project the list is filtered on, and Enter imports', async () => {
    const user = userEvent.setup()
    const api = renderPage({ status: 200, body: pipeline({ id: 4 }) }, '/pipelines/?project=3')
    const dialog = await openDialog(user)
    expect((within(dialog).getByLabelText('Project') as HTMLSelectElement).value).toBe('3')

    await user.upload(within(dialog).getByLabelText('File'), mainYml('pipeline.yaml'))
    within(dialog).getByLabelText('Project').focus()
    await user.keyboard('{Enter}')

    expect(await screen.findByTestId('location')).toHaveProperty('textContent', '/pipelines/4/')
    expect(sentForm(api).get('project')).toBe('3')
  })

  it('lists every problem with its file and line, and keeps the dialog open', async () => {
    // given
    const user = userEvent.setup()
    renderPage({
      status: 400,
      body: {
        problems: [
          { file: 'main.yml', line: 7, message: "'Busybox': repository names must be lowercase." },
          { file: 'main.yml', line: 12, message: "task 'c' depends on unknown task 'ghost'; tasks: a, b, c" },
          { file: 'configs/x.yaml', line: null, message: 'the file is too large' },
        ],
      },
    })
    const dialog = await openDialog(user)

    // when
    await user.upload(within(dialog).getByLabelText('File'), mainYml())
    await user.click(within(dialog).getByRole('button', { name: 'Import' }))

    // then
    const alert = await within(dialog).findByRole('alert')
    expect(alert.textContent).toContain('main.yml was not imported: 3 problems')
    const items = within(alert).getAllByRole('listitem').map((item) => item.textContent)
    expect(items).toEqual([
      "main.yml:7 — 'Busybox': repository names must be lowercase.",
      "main.yml:12 — task 'c' depends on unknown task 'ghost'; tasks: a, b, c",
      'configs/x.yaml — the file is too large',
    ])
    expect(screen.queryByTestId('location')).toBeNull()
    expect(within(dialog).getByRole('button', { name: 'Import' })).toHaveProperty('disabled', false)
    expect(within(dialog).getByLabelText('File').getAttribute('aria-invalid')).toBe('true')
  })

  it('shows field errors under their field', async () => {
    const user = userEvent.setup()
    renderPage({ status: 400, body: { project: ['You need the editor role in this project.'] } })
    const dialog = await openDialog(user)

    await user.upload(within(dialog).getByLabelText('File'), mainYml())
    await user.click(within(dialog).getByRole('button', { name: 'Import' }))

    const message = await within(dialog).findByText('You need the editor role in this project.')
    expect(message.className).toBe('field-error')
    expect(within(dialog).getByLabelText('Project').getAttribute('aria-invalid')).toBe('true')
  })

  it('asks for a file before uploading, and refuses other kinds of file', async () => {
    const user = userEvent.setup({ applyAccept: false })
    const api = renderPage({ status: 201, body: pipeline() })
    const dialog = await openDialog(user)

    await user.click(within(dialog).getByRole('button', { name: 'Import' }))
    expect(within(dialog).getByText('Choose a main.yml or a zip of its directory.')).toBeTruthy()

    await user.upload(within(dialog).getByLabelText('File'), new File(['{}'], 'pipeline.json'))
    expect(within(dialog).getByText(/Choose a main.yml \(.yml or .yaml\) or a .zip/)).toBeTruthy()
    await user.click(within(dialog).getByRole('button', { name: 'Import' }))
    expect(api.calls.some((call) => call.method === 'POST')).toBe(false)
  })

  it('takes a file dropped onto the dialog', async () => {
    const user = userEvent.setup()
    const api = renderPage({ status: 201, body: pipeline({ id: 6 }) })
    const dialog = await openDialog(user)
    const zone = within(dialog).getByText('or drop a file here').parentElement!
    const zip = new File(['PK'], 'clickstream.zip', { type: 'application/zip' })

    fireEvent.dragOver(zone, { dataTransfer: { types: ['Files'], files: [zip] } })
    expect(zone.className).toContain('is-dragging')
    fireEvent.drop(zone, { dataTransfer: { types: ['Files'], files: [zip] } })
    await user.click(within(dialog).getByRole('button', { name: 'Import' }))

    expect(await screen.findByTestId('location')).toHaveProperty('textContent', '/pipelines/6/')
    expect((sentForm(api).get('file') as File).name).toBe('clickstream.zip')
  })

  it('shows Importing… while the upload runs, and Escape closes the dialog', async () => {
    const user = userEvent.setup()
    let answer: (value: { status: number; body: unknown }) => void = () => undefined
    renderPage(() => new Promise((resolve) => (answer = resolve)))
    const dialog = await openDialog(user)

    await user.upload(within(dialog).getByLabelText('File'), mainYml())
    await user.click(within(dialog).getByRole('button', { name: 'Import' }))
    const pending = within(dialog).getByRole('button', { name: 'Importing…' })
    expect(pending).toHaveProperty('disabled', true)

    await user.keyboard('{Escape}')
    expect(screen.queryByRole('dialog')).toBeNull()
    answer({ status: 201, body: pipeline({ id: 5 }) })
  })
})
