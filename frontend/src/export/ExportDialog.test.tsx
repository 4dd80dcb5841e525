import { act, fireEvent, screen, waitFor, within } from '@testing-library/react'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { RunInput } from '../api/backends'
import { configureClient } from '../api/client'
import { installFakeApi, type RecordedCall, type Routes } from '../test/fakeApi'
import { renderAt } from '../test/render'
import { ExportDialog } from './ExportDialog'
import { ZIP_BYTES, artifact, exportRoutes } from './testRoutes'

const INPUTS: RunInput[] = [
  { name: 'dataset', type: 'file', default: null, description: 'A CSV table', wired: true },
  { name: 'epochs', type: 'int', default: 3, description: '', wired: true },
  { name: 'label', type: 'str', default: null, description: '', wired: true },
]

/** The links clicked to save a file, with what their blob URL held. */
let saved: { href: string; download: string; blob: Blob | undefined }[] = []
const blobs = new Map<string, Blob>()
const original = { createObjectURL: URL.createObjectURL, revokeObjectURL: URL.revokeObjectURL }

beforeEach(() => {
  saved = []
  blobs.clear()
  let next = 0
  Object.assign(URL, {
    createObjectURL: vi.fn((blob: Blob) => {
      const url = `blob:export-${++next}`
      blobs.set(url, blob)
      return url
    }),
    revokeObjectURL: vi.fn(),
  })
  vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
    saved.push({ href: this.getAttribute('href') ?? '', download: this.download, blob: blobs.get(this.getAttribute('href') ?? '') })
  })
})

afterEach(() => {
  Object.assign(URL, original)
  vi.unstubAllGlobals()
})

function renderDialog(routes: Routes, version: number | null = 3) {
  const api = installFakeApi(routes)
  const closed = vi.fn()
  renderAt('/pipelines/1/', [
    {
      path: '/pipelines/:id/',
      element: <ExportDialog pipelineId={1} projectId={1} version={version} onClose={closed} />,
    },
  ])
  return { api, closed }
}

async function dialog() {
  const found = await screen.findByRole('dialog', { name: 'Export pipeline' })
  await within(found).findByRole('button', { name: /Download zip/ })
  return within(found)
}

function row(view: ReturnType<typeof within>, name: string) {
  return within(view.getByRole('group', { name }))
}

function exportCalls(calls: RecordedCall[]) {
  return calls.filter((call) => call.method === 'POST' && call.path === '/api/pipelines/1/export/')
}

describe('ExportDialog', () => {
  it('lists the pipeline’s inputs, each given on the command line until made static', async () => {
    renderDialog(exportRoutes(1, { inputs: INPUTS, artifacts: [artifact()] }))
    const view = await dialog()
    expect(screen.getByRole('dialog', { name: 'Export pipeline' }).textContent).toContain('python main.py')
    expect(view.getByText('Version 3', { exact: false })).toBeTruthy()
    const inputs = view.getByRole('group', { name: 'Inputs' })
    expect(within(inputs).getAllByRole('radiogroup').map((group) => group.getAttribute('aria-label'))).toEqual([
      'How dataset is given',
      'How epochs is given',
      'How label is given',
    ])
    const dataset = row(view, 'dataset')
    expect(dataset.getByText('A CSV table')).toBeTruthy()
    const argument = dataset.getByRole('radio', { name: 'Command-line argument (--input dataset=...)' })
    expect((argument as HTMLInputElement).checked).toBe(true)
    expect(document.activeElement).toBe(argument)
    expect(dataset.getByText('Required when the zip runs: a path.')).toBeTruthy()
    expect(row(view, 'epochs').getByText('Optional when the zip runs (a value); left out, it is 3.')).toBeTruthy()
    // nothing to pick while every input is an argument
    expect(view.queryByRole('combobox')).toBeNull()
  })

  it('says so when the pipeline takes no inputs, and downloads it as it is', async () => {
    const { api } = renderDialog(exportRoutes(1, { inputs: [] }), null)
    const view = await dialog()
    expect(view.getByText('This pipeline takes no inputs: the zip runs as it is.')).toBeTruthy()
    expect(view.getByText('The saved pipeline', { exact: false })).toBeTruthy()
    expect(document.activeElement).toBe(view.getByRole('button', { name: /Download zip/ }))
    // no artifacts, backends or accounts are asked for
    expect(api.calls.map((call) => call.path)).toEqual(['/api/pipelines/1/run-setup/'])
    fireEvent.click(view.getByRole('button', { name: /Download zip/ }))
    await waitFor(() => expect(saved).toHaveLength(1))
    expect(exportCalls(api.calls)[0]!.body).toEqual({ version: null, static: {}, input_credentials: {} })
  })

  it('ships a static value (the default, or what is typed) and a static file picked or uploaded', async () => {
    const uploaded = artifact({ id: 12, name: 'fresh.csv', size: 10 })
    const { api } = renderDialog({
      ...exportRoutes(1, { inputs: INPUTS, artifacts: [artifact()] }),
      'POST /api/artifacts/': { status: 201, body: uploaded },
    })
    const view = await dialog()
    fireEvent.click(row(view, 'epochs').getByRole('radio', { name: 'Static: ship its current value in the zip' }))
    expect((row(view, 'epochs').getByLabelText('Value shipped in the zip') as HTMLInputElement).value).toBe('3')
    fireEvent.click(row(view, 'label').getByRole('radio', { name: /^Static/ }))
    fireEvent.click(row(view, 'dataset').getByRole('radio', { name: 'Static: ship an artifact in the zip' }))

    // nothing chosen or typed yet: said next to the inputs, nothing sent
    fireEvent.click(view.getByRole('button', { name: /Download zip/ }))
    expect(await row(view, 'dataset').findByText('Choose an artifact, or upload a file.')).toBeTruthy()
    expect(row(view, 'label').getByText('Type a value, or give it on the command line.')).toBeTruthy()
    expect(row(view, 'dataset').getByLabelText('Artifact shipped in the zip').getAttribute('aria-invalid')).toBe('true')
    expect(exportCalls(api.calls)).toHaveLength(0)

    const file = new File(['x,y\n1,2\n'], 'fresh.csv', { type: 'text/csv' })
    await act(async () => {
      fireEvent.change(screen.getByTestId('upload-dataset'), { target: { files: [file] } })
    })
    const picker = row(view, 'dataset').getByLabelText('Artifact shipped in the zip') as HTMLSelectElement
    await waitFor(() => expect(picker.value).toBe('12'))
    expect(row(view, 'dataset').queryByText('Choose an artifact, or upload a file.')).toBeNull()
    fireEvent.change(row(view, 'label').getByLabelText('Value shipped in the zip'), { target: { value: 'blue' } })
    fireEvent.change(row(view, 'epochs').getByLabelText('Value shipped in the zip'), { target: { value: '' } })
    fireEvent.click(view.getByRole('button', { name: /Download zip/ }))
    await waitFor(() => expect(exportCalls(api.calls)).toHaveLength(1))
    expect(exportCalls(api.calls)[0]!.body).toEqual({
      version: 3,
      static: { dataset: { artifact: 12 }, epochs: { value: 3 }, label: { value: 'blue' } },
      input_credentials: {},
    })

    // back to an argument: no longer shipped
    fireEvent.click(row(view, 'label').getByRole('radio', { name: /^Command-line argument/ }))
    expect(row(view, 'label').queryByLabelText('Value shipped in the zip')).toBeNull()
  })

  it('asks for credentials when a static artifact is kept with someone else’s, and sends them', async () => {
    const foreign = artifact({ id: 21, name: 'shared.csv', storage_backend: 's3', needs_credentials: true })
    const { api } = renderDialog(exportRoutes(1, { inputs: INPUTS.slice(0, 1), artifacts: [foreign] }))
    const view = await dialog()
    fireEvent.click(row(view, 'dataset').getByRole('radio', { name: /^Static/ }))
    expect(view.queryByRole('group', { name: 'Credentials for pipeline inputs' })).toBeNull()
    fireEvent.change(row(view, 'dataset').getByLabelText('Artifact shipped in the zip'), { target: { value: '21' } })
    const section = within(await view.findByRole('group', { name: 'Credentials for pipeline inputs' }))
    expect(section.getByText('S3 / MinIO: shared.csv')).toBeTruthy()
    expect(section.getByText(/never go into the zip/)).toBeTruthy()
    fireEvent.click(view.getByRole('button', { name: /Download zip/ }))
    expect(await section.findAllByText('This field is required.')).toHaveLength(2)
    fireEvent.change(section.getByLabelText('Access key'), { target: { value: 'AK' } })
    fireEvent.change(section.getByLabelText('Secret key'), { target: { value: 'hunter2' } })
    fireEvent.click(view.getByRole('button', { name: /Download zip/ }))
    await waitFor(() => expect(exportCalls(api.calls)).toHaveLength(1))
    expect((exportCalls(api.calls)[0]!.body as { input_credentials: unknown }).input_credentials).toEqual({
      21: { options: { access_key: 'AK', secret_key: 'hunter2' } },
    })
    // or a linked account; and an argument input needs none
    fireEvent.change(section.getByLabelText('Linked account'), { target: { value: '5' } })
    fireEvent.click(view.getByRole('button', { name: /Download zip/ }))
    await waitFor(() => expect(exportCalls(api.calls)).toHaveLength(2))
    expect((exportCalls(api.calls)[1]!.body as { input_credentials: unknown }).input_credentials).toEqual({ 21: { account: 5 } })
    fireEvent.click(row(view, 'dataset').getByRole('radio', { name: /^Command-line argument/ }))
    expect(view.queryByRole('group', { name: 'Credentials for pipeline inputs' })).toBeNull()
  })

  it('puts a refusal’s messages next to the fields they name, lists graph problems, and saves nothing', async () => {
    const foreign = artifact({ id: 21, name: 'shared.csv', storage_backend: 's3', needs_credentials: true })
    const { api } = renderDialog(
      exportRoutes(1, {
        inputs: INPUTS,
        artifacts: [foreign],
        answer: {
          status: 400,
          body: {
            graph: ['node train, port data: required input is not connected', 'node plot: unknown operation 9'],
            static: ['static.epochs: must be of type int', 'static.gone: not an input of this pipeline'],
            input_credentials: ['input_credentials.21.options.secret_key: the storage refused these credentials'],
            version: ['version 9 does not exist'],
          },
        },
      }),
    )
    const view = await dialog()
    fireEvent.click(row(view, 'dataset').getByRole('radio', { name: /^Static/ }))
    fireEvent.change(row(view, 'dataset').getByLabelText('Artifact shipped in the zip'), { target: { value: '21' } })
    fireEvent.click(row(view, 'epochs').getByRole('radio', { name: /^Static/ }))
    const section = within(await view.findByRole('group', { name: 'Credentials for pipeline inputs' }))
    fireEvent.change(section.getByLabelText('Access key'), { target: { value: 'AK' } })
    fireEvent.change(section.getByLabelText('Secret key'), { target: { value: 'nope' } })
    fireEvent.click(view.getByRole('button', { name: /Download zip/ }))

    expect(await row(view, 'epochs').findByText('must be of type int')).toBeTruthy()
    expect(row(view, 'epochs').getByLabelText('Value shipped in the zip').getAttribute('aria-invalid')).toBe('true')
    expect(section.getByText('the storage refused these credentials')).toBeTruthy()
    const alert = within(view.getByRole('alert'))
    expect(alert.getByText('The pipeline could not be exported')).toBeTruthy()
    expect(alert.getByText('version 9 does not exist')).toBeTruthy()
    expect(alert.getByText('gone: not an input of this pipeline')).toBeTruthy()
    expect(alert.getByText('Its graph has 2 problems:')).toBeTruthy()
    expect(within(alert.getByRole('list', { name: 'Graph problems' })).getAllByRole('listitem').map((item) => item.textContent)).toEqual([
      'node train, port data: required input is not connected',
      'node plot: unknown operation 9',
    ])
    expect(exportCalls(api.calls)).toHaveLength(1)
    expect(saved).toHaveLength(0)
    expect(URL.createObjectURL).not.toHaveBeenCalled()
    expect((view.getByRole('button', { name: /Download zip/ }) as HTMLButtonElement).disabled).toBe(false)
  })

  it('shows an error that is not a refusal at the top', async () => {
    renderDialog(exportRoutes(1, { inputs: [], answer: { status: 403, body: { detail: 'You do not have permission.' } } }))
    const view = await dialog()
    fireEvent.click(view.getByRole('button', { name: /Download zip/ }))
    expect(await within(await view.findByRole('alert')).findByText('You do not have permission.')).toBeTruthy()
    expect(saved).toHaveLength(0)
  })

  it('downloads with Ctrl+Enter: the zip is saved through a blob link named as the server says', async () => {
    configureClient({ csrfToken: 'test-csrf-token' })
    const { api } = renderDialog(exportRoutes(1, { inputs: INPUTS.slice(1, 2) }))
    const view = await dialog()
    fireEvent.keyDown(row(view, 'epochs').getByRole('radio', { name: /^Command-line/ }), { key: 'Enter', ctrlKey: true })
    await waitFor(() => expect(saved).toHaveLength(1))
    expect(saved[0]!.download).toBe('train-churn-model-v3.zip')
    expect(saved[0]!.href).toBe('blob:export-1')
    expect(saved[0]!.blob!.type).toBe('application/zip')
    expect(await saved[0]!.blob!.text()).toBe(ZIP_BYTES)
    const post = exportCalls(api.calls)[0]!
    expect(post.headers['X-CSRFToken']).toBe('test-csrf-token')
    expect(post.headers['Content-Type']).toBe('application/json')
    const status = view.getByRole('status')
    expect(status.textContent).toContain('Saved train-churn-model-v3.zip')
    expect(view.getByRole('button', { name: 'Close' })).toBeTruthy()
    // the link is gone from the page
    expect(document.querySelector('a[download]')).toBeNull()
  })

  it('shows the bytes received while the zip streams in', async () => {
    let push!: ReadableStreamDefaultController<Uint8Array>
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        push = controller
      },
    })
    renderDialog(
      exportRoutes(1, {
        inputs: [],
        answer: {
          stream,
          headers: { 'Content-Type': 'application/zip', 'Content-Disposition': "attachment; filename*=UTF-8''big%20one-v1.zip" },
        },
      }),
    )
    const view = await dialog()
    fireEvent.click(view.getByRole('button', { name: /Download zip/ }))
    const button = await view.findByRole('button', { name: /Downloading/ })
    expect((button as HTMLButtonElement).disabled).toBe(true)
    expect(view.getByRole('status').textContent).toContain('Preparing the zip…')
    await act(async () => push.enqueue(new Uint8Array(1536)))
    await waitFor(() => expect(view.getByRole('status').textContent).toContain('Downloading… 1.5 KB received'))
    await act(async () => push.enqueue(new Uint8Array(2048)))
    await waitFor(() => expect(view.getByRole('status').textContent).toContain('3.5 KB received'))
    expect(saved).toHaveLength(0)
    await act(async () => push.close())
    await waitFor(() => expect(saved).toHaveLength(1))
    expect(saved[0]!.download).toBe('big one-v1.zip')
    expect(saved[0]!.blob!.size).toBe(3584)
    expect(view.getByRole('status').textContent).toContain('(3.5 KB)')
  })

  it('closes with Cancel, stopping a download in progress', async () => {
    const stream = new ReadableStream<Uint8Array>({ start() {} })
    const { closed, api } = renderDialog(exportRoutes(1, { inputs: [], answer: { stream } }))
    const view = await dialog()
    fireEvent.click(view.getByRole('button', { name: /Download zip/ }))
    await view.findByRole('button', { name: /Downloading/ })
    fireEvent.click(view.getByRole('button', { name: 'Cancel' }))
    expect(closed).toHaveBeenCalled()
    const init = api.fetchMock.mock.calls.find(([url]) => String(url).includes('/export/'))![1] as RequestInit
    expect(init.signal!.aborted).toBe(true)
    expect(saved).toHaveLength(0)
  })
})
