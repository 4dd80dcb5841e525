import { act, fireEvent, screen, waitFor, within } from '@testing-library/react'
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { RunInput } from '../api/backends'
import type { EnvironmentVariable } from '../api/deployments'
import type { Artifact } from '../api/types'
import { installFakeApi, paginated, type Routes } from '../test/fakeApi'
import { runDetail } from '../test/fixtures'
import { renderAt } from '../test/render'
import { ExecuteDialog } from './ExecuteDialog'
import { account, executeRoutes } from './testRoutes'

afterEach(() => vi.unstubAllGlobals())

const INPUTS: RunInput[] = [
  { name: 'dataset', type: 'file', default: null, description: 'A CSV table', wired: true },
  { name: 'n', type: 'int', default: 3, description: '', wired: true },
  { name: 'label', type: 'str', default: null, description: '', wired: true },
]

function artifact(overrides: Partial<Artifact> = {}): Artifact {
  return {
    id: 7,
    project: 1,
    name: 'blobs.csv',
    storage_backend: 'local',
    size: 2048,
    checksum: 'c'.repeat(64),
    content_type: 'text/csv',
    created_by: 'ted',
    produced_by: null,
    created_at: '2026-01-01T00:00:00Z',
    download_url: '/api/artifacts/7/download/',
    needs_credentials: false,
    ...overrides,
  }
}

function routes(artifacts: Artifact[], extra: Routes = {}, accounts = [account()]): Routes {
  const base = executeRoutes(1, { accounts })
  const setup = base['GET /api/pipelines/1/run-setup/']
  return {
    ...base,
    'GET /api/pipelines/1/run-setup/': async (call) => {
      const answer = typeof setup === 'function' ? await setup(call) : setup!
      return { ...answer, body: { ...(answer.body as object), inputs: INPUTS } }
    },
    'GET /api/artifacts/': { body: paginated(artifacts) },
    ...extra,
  }
}

function variable(overrides: Partial<EnvironmentVariable> = {}): EnvironmentVariable {
  return {
    id: 1,
    project: 1,
    name: 'REGION',
    secret: false,
    value: 'eu-west-1',
    has_value: true,
    created_at: '2026-01-01T00:00:00Z',
    updated_at: '2026-01-01T00:00:00Z',
    ...overrides,
  }
}

const VARIABLES = [variable(), variable({ id: 2, name: 'API_KEY', secret: true, value: null })]

function posted(api: { calls: { method: string; path: string; body: unknown }[] }) {
  return api.calls.filter((call) => call.method === 'POST' && call.path === '/api/runs/').at(-1)!.body as Record<
    string,
    unknown
  >
}

async function inputsSection() {
  const dialog = await screen.findByRole('dialog', { name: 'Run pipeline' })
  return within(await within(dialog).findByRole('group', { name: 'Inputs' }))
}

function renderDialog(routeTable: Routes) {
  const api = installFakeApi(routeTable)
  const started = vi.fn()
  renderAt('/pipelines/1/', [
    {
      path: '/pipelines/:id/',
      element: <ExecuteDialog pipelineId={1} projectId={1} onClose={vi.fn()} onStarted={started} />,
    },
  ])
  return { api, started }
}

describe('the execute dialog’s Inputs section', () => {
  it('lists each input: an artifact picker for files, value fields prefilled with the default', async () => {
    const { api } = renderDialog(routes([artifact(), artifact({ id: 8, name: 'photos.tar.gz' })]))
    const inputs = await inputsSection()
    const picker = inputs.getByLabelText(/^dataset/) as HTMLSelectElement
    expect([...picker.options].map((option) => option.text)).toEqual([
      'Choose an artifact…',
      'blobs.csv (2 KB, #7)',
      'photos.tar.gz (2 KB, #8)',
    ])
    expect(inputs.getByText('A CSV table')).toBeTruthy()
    expect((inputs.getByLabelText(/^n/) as HTMLInputElement).value).toBe('3')
    expect(api.calls.find((call) => call.path === '/api/artifacts/')!.search.get('project')).toBe('1')
    // the source of each input: given by default; no environment variable for a file
    const source = inputs.getByLabelText('Source of dataset') as HTMLSelectElement
    expect(source.value).toBe('given')
    expect([...source.options].map((option) => option.text)).toEqual(['Artifact', 'Datastore path'])
    expect([...(inputs.getByLabelText('Source of n') as HTMLSelectElement).options].map((option) => option.text)).toEqual(
      ['Value', 'Environment variable', 'Datastore path'],
    )
    // environment variables are asked for only once an input wants one
    expect(api.calls.some((call) => call.path === '/api/environment-variables/')).toBe(false)
    // nothing chosen for the required inputs: explained next to them, nothing sent
    fireEvent.change(inputs.getByLabelText(/^n/), { target: { value: '' } })
    fireEvent.click(screen.getByRole('button', { name: 'Run' }))
    expect(await inputs.findByText('Choose an artifact, or upload a file.')).toBeTruthy()
    expect(inputs.getByText('This input is required.')).toBeTruthy()
    expect(picker.getAttribute('aria-invalid')).toBe('true')
    expect(api.calls.some((call) => call.method === 'POST')).toBe(false)
  })

  it('uploads a file for an input, picks it and sends the inputs with the run', async () => {
    const uploaded = artifact({ id: 12, name: 'fresh.csv', size: 10 })
    const { api, started } = renderDialog(
      routes([artifact()], {
        'POST /api/artifacts/': { status: 201, body: uploaded },
        'POST /api/runs/': { status: 201, body: runDetail({ id: 9 }) },
      }),
    )
    const inputs = await inputsSection()
    const file = new File(['x,y\n1,2\n'], 'fresh.csv', { type: 'text/csv' })
    await act(async () => {
      fireEvent.change(screen.getByTestId('upload-dataset'), { target: { files: [file] } })
    })
    await waitFor(() => expect((inputs.getByLabelText(/^dataset/) as HTMLSelectElement).value).toBe('12'))
    const upload = api.calls.find((call) => call.method === 'POST' && call.path === '/api/artifacts/')!
    expect(upload).toBeTruthy()
    fireEvent.change(inputs.getByLabelText(/^label/), { target: { value: 'blue' } })
    fireEvent.click(screen.getByRole('button', { name: 'Run' }))
    await waitFor(() => expect(started).toHaveBeenCalled())
    const post = api.calls.find((call) => call.method === 'POST' && call.path === '/api/runs/')!
    expect((post.body as { inputs: unknown }).inputs).toEqual({
      dataset: { artifact: 12 },
      n: { value: 3 },
      label: { value: 'blue' },
    })
    expect('input_credentials' in (post.body as object)).toBe(false)
  })

  it('puts the server’s errors next to the inputs they name', async () => {
    renderDialog(
      routes([artifact()], {
        'POST /api/runs/': {
          status: 400,
          body: { inputs: ['inputs.n: must be of type int', "inputs.dataset: artifact 'blobs.csv' is a directory, not a file"] },
        },
      }),
    )
    const inputs = await inputsSection()
    fireEvent.change(inputs.getByLabelText(/^dataset/), { target: { value: '7' } })
    fireEvent.change(inputs.getByLabelText(/^label/), { target: { value: 'x' } })
    fireEvent.click(screen.getByRole('button', { name: 'Run' }))
    expect(await inputs.findByText('must be of type int')).toBeTruthy()
    expect(inputs.getByText("artifact 'blobs.csv' is a directory, not a file")).toBeTruthy()
    expect(inputs.getByLabelText(/^n/).getAttribute('aria-invalid')).toBe('true')
  })

  it('asks for credentials when a chosen artifact is kept with someone else’s, and sends them', async () => {
    const foreign = artifact({ id: 21, name: 'shared.csv', storage_backend: 's3', needs_credentials: true })
    const { api } = renderDialog(routes([foreign], { 'POST /api/runs/': { status: 201, body: runDetail({ id: 9 }) } }))
    const inputs = await inputsSection()
    expect(screen.queryByRole('group', { name: 'Credentials for pipeline inputs' })).toBeNull()
    fireEvent.change(inputs.getByLabelText(/^dataset/), { target: { value: '21' } })
    fireEvent.change(inputs.getByLabelText(/^label/), { target: { value: 'x' } })
    const section = within(await screen.findByRole('group', { name: 'Credentials for pipeline inputs' }))
    expect(section.getByText('S3 / MinIO: shared.csv')).toBeTruthy()
    // typed secrets are required when no account is chosen
    fireEvent.click(screen.getByRole('button', { name: 'Run' }))
    expect(await section.findAllByText('This field is required.')).toHaveLength(2)
    expect((section.getByLabelText('Secret key') as HTMLInputElement).type).toBe('password')
    fireEvent.change(section.getByLabelText('Access key'), { target: { value: 'AK' } })
    fireEvent.change(section.getByLabelText('Secret key'), { target: { value: 'hunter2' } })
    fireEvent.click(screen.getByRole('button', { name: 'Run' }))
    await waitFor(() => expect(api.calls.some((call) => call.path === '/api/runs/')).toBe(true))
    let post = api.calls.filter((call) => call.path === '/api/runs/').at(-1)!
    expect((post.body as { input_credentials: unknown }).input_credentials).toEqual({
      21: { options: { access_key: 'AK', secret_key: 'hunter2' } },
    })
    // or a linked account of the user's for that backend
    fireEvent.change(section.getByLabelText('Linked account'), { target: { value: '5' } })
    expect(section.queryByLabelText('Secret key')).toBeNull()
    fireEvent.click(screen.getByRole('button', { name: 'Run' }))
    await waitFor(() => expect(api.calls.filter((call) => call.path === '/api/runs/')).toHaveLength(2))
    post = api.calls.filter((call) => call.path === '/api/runs/').at(-1)!
    expect((post.body as { input_credentials: unknown }).input_credentials).toEqual({ 21: { account: 5 } })
  })

  it('shows the server’s credential errors next to the backend’s fields', async () => {
    const foreign = artifact({ id: 21, name: 'shared.csv', storage_backend: 's3', needs_credentials: true })
    renderDialog(
      routes([foreign], {
        'POST /api/runs/': {
          status: 400,
          body: { input_credentials: ['input_credentials.21.account: 5 is not one of your linked accounts'] },
        },
      }),
    )
    const inputs = await inputsSection()
    fireEvent.change(inputs.getByLabelText(/^dataset/), { target: { value: '21' } })
    fireEvent.change(inputs.getByLabelText(/^label/), { target: { value: 'x' } })
    const section = within(await screen.findByRole('group', { name: 'Credentials for pipeline inputs' }))
    fireEvent.change(section.getByLabelText('Linked account'), { target: { value: '5' } })
    fireEvent.click(screen.getByRole('button', { name: 'Run' }))
    expect(await section.findByText('5 is not one of your linked accounts')).toBeTruthy()
  })

  it('takes an input from a project environment variable: sent in input_mappings, not in inputs', async () => {
    const { api, started } = renderDialog(
      routes([artifact()], {
        'GET /api/environment-variables/': { body: paginated(VARIABLES) },
        'POST /api/runs/': { status: 201, body: runDetail({ id: 9 }) },
      }),
    )
    const inputs = await inputsSection()
    fireEvent.change(inputs.getByLabelText(/^dataset/), { target: { value: '7' } })
    fireEvent.change(inputs.getByLabelText('Source of label'), { target: { value: 'env' } })
    await waitFor(() =>
      expect([...(inputs.getByLabelText(/^label/) as HTMLSelectElement).options].map((option) => option.text)).toEqual([
        'Choose a variable…',
        'REGION',
        'API_KEY (secret)',
      ]),
    )
    const asked = api.calls.filter((call) => call.path === '/api/environment-variables/')
    expect(asked).toHaveLength(1)
    expect(asked[0]!.search.get('project')).toBe('1')
    expect(inputs.getByRole('link', { name: 'Manage variables' }).getAttribute('href')).toBe('/environment/?project=1')
    // a variable must be chosen
    fireEvent.click(screen.getByRole('button', { name: 'Run' }))
    expect(await inputs.findByText('Choose an environment variable.')).toBeTruthy()
    expect(api.calls.some((call) => call.path === '/api/runs/')).toBe(false)
    fireEvent.change(inputs.getByLabelText(/^label/), { target: { value: 'API_KEY' } })
    expect(inputs.getByText(/the secret value never shows/)).toBeTruthy()
    // a second input switched over reuses the list
    fireEvent.change(inputs.getByLabelText('Source of n'), { target: { value: 'env' } })
    fireEvent.change(inputs.getByLabelText(/^n/), { target: { value: 'REGION' } })
    expect(api.calls.filter((call) => call.path === '/api/environment-variables/')).toHaveLength(1)
    fireEvent.click(screen.getByRole('button', { name: 'Run' }))
    await waitFor(() => expect(started).toHaveBeenCalled())
    const body = posted(api)
    expect(body.inputs).toEqual({ dataset: { artifact: 7 } })
    expect(body.input_mappings).toEqual({
      label: { kind: 'env', variable: 'API_KEY' },
      n: { kind: 'env', variable: 'REGION' },
    })
  })

  it('says when the project has no environment variables, with a link to add one', async () => {
    renderDialog(routes([artifact()], { 'GET /api/environment-variables/': { body: paginated([]) } }))
    const inputs = await inputsSection()
    fireEvent.change(inputs.getByLabelText('Source of label'), { target: { value: 'env' } })
    expect(await inputs.findByText(/No environment variables in this project/)).toBeTruthy()
    expect(inputs.getByRole('link', { name: 'Add one' }).getAttribute('href')).toBe('/environment/?project=1')
  })

  it('takes a file or a value from a datastore path; back to a value, it goes in inputs again', async () => {
    const { api, started } = renderDialog(routes([artifact()], { 'POST /api/runs/': { status: 201, body: runDetail({ id: 9 }) } }))
    const inputs = await inputsSection()
    fireEvent.change(inputs.getByLabelText(/^dataset/), { target: { value: '7' } })
    fireEvent.change(inputs.getByLabelText('Source of dataset'), { target: { value: 'datastore' } })
    fireEvent.change(inputs.getByLabelText('Source of label'), { target: { value: 'datastore' } })
    expect(inputs.getAllByText(/a key in the run’s storage, e\.g\. data\/in\.csv/i)).toHaveLength(2)
    // a path must be typed
    fireEvent.click(screen.getByRole('button', { name: 'Run' }))
    expect(await inputs.findAllByText('Type a path in the run’s storage.')).toHaveLength(2)
    fireEvent.change(inputs.getByLabelText(/^dataset/), { target: { value: ' data/in.csv ' } })
    fireEvent.change(inputs.getByLabelText(/^label/), { target: { value: 'config/label.txt' } })
    fireEvent.click(screen.getByRole('button', { name: 'Run' }))
    await waitFor(() => expect(started).toHaveBeenCalledTimes(1))
    let body = posted(api)
    expect(body.inputs).toEqual({ n: { value: 3 } })
    expect(body.input_mappings).toEqual({
      dataset: { kind: 'datastore', path: 'data/in.csv' },
      label: { kind: 'datastore', path: 'config/label.txt' },
    })
    // switched back, the artifact chosen before is given again and no mapping is sent
    fireEvent.change(inputs.getByLabelText('Source of dataset'), { target: { value: 'given' } })
    expect((inputs.getByLabelText(/^dataset/) as HTMLSelectElement).value).toBe('7')
    fireEvent.change(inputs.getByLabelText('Source of label'), { target: { value: 'given' } })
    fireEvent.change(inputs.getByLabelText(/^label/), { target: { value: 'x' } })
    fireEvent.click(screen.getByRole('button', { name: 'Run' }))
    await waitFor(() => expect(started).toHaveBeenCalledTimes(2))
    body = posted(api)
    expect(body.inputs).toEqual({ dataset: { artifact: 7 }, n: { value: 3 }, label: { value: 'x' } })
    expect('input_mappings' in body).toBe(false)
  })

  it('puts the server’s errors about a mapped input next to it', async () => {
    renderDialog(
      routes([artifact()], {
        'GET /api/environment-variables/': { body: paginated(VARIABLES) },
        'POST /api/runs/': {
          status: 400,
          body: {
            input_mappings: [
              "inputs.label: environment variable 'REGION' has no value",
              "inputs.dataset: no file at 'data/missing.csv' in the run's storage",
            ],
          },
        },
      }),
    )
    const inputs = await inputsSection()
    fireEvent.change(inputs.getByLabelText('Source of dataset'), { target: { value: 'datastore' } })
    fireEvent.change(inputs.getByLabelText(/^dataset/), { target: { value: 'data/missing.csv' } })
    fireEvent.change(inputs.getByLabelText('Source of label'), { target: { value: 'env' } })
    await waitFor(() => expect((inputs.getByLabelText(/^label/) as HTMLSelectElement).options).toHaveLength(3))
    fireEvent.change(inputs.getByLabelText(/^label/), { target: { value: 'REGION' } })
    fireEvent.click(screen.getByRole('button', { name: 'Run' }))
    expect(await inputs.findByText("environment variable 'REGION' has no value")).toBeTruthy()
    expect(inputs.getByText("no file at 'data/missing.csv' in the run's storage")).toBeTruthy()
    expect(inputs.getByLabelText(/^label/).getAttribute('aria-invalid')).toBe('true')
    expect(inputs.getByLabelText(/^dataset/).getAttribute('aria-invalid')).toBe('true')
    expect(screen.queryByRole('alert')).toBeNull()
  })

  it('sends the mappings of a recurring run too, and shows why the server refuses them', async () => {
    const { api } = renderDialog(
      routes([artifact()], {
        'POST /api/recurring-runs/preview/': { body: { next_fire_times: ['2026-12-01T08:00:00Z'] } },
        'POST /api/recurring-runs/': {
          status: 400,
          body: { inputs: ['inputs: a recurring run takes values and artifacts; deploy the pipeline instead'] },
        },
      }),
    )
    const inputs = await inputsSection()
    fireEvent.click(screen.getByRole('radio', { name: 'Recurring' }))
    fireEvent.change(inputs.getByLabelText(/^dataset/), { target: { value: '7' } })
    fireEvent.change(inputs.getByLabelText('Source of label'), { target: { value: 'datastore' } })
    fireEvent.change(inputs.getByLabelText(/^label/), { target: { value: 'data/label.txt' } })
    fireEvent.click(screen.getByRole('button', { name: 'Schedule' }))
    const alert = await screen.findByRole('alert')
    expect(within(alert).getByText('a recurring run takes values and artifacts; deploy the pipeline instead')).toBeTruthy()
    const sent = api.calls.find((call) => call.path === '/api/recurring-runs/')!.body as Record<string, unknown>
    expect(sent.inputs).toEqual({ dataset: { artifact: 7 }, n: { value: 3 } })
    expect(sent.input_mappings).toEqual({ label: { kind: 'datastore', path: 'data/label.txt' } })
  })
})
