import { act, fireEvent, screen, waitFor, within } from '@testing-library/react'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { installFakeApi, type Routes } from '../test/fakeApi'
import { runDetail } from '../test/fixtures'
import { renderAt } from '../test/render'
import { ExecuteDialog } from './ExecuteDialog'
import { account, executeRoutes } from './testRoutes'

afterEach(() => vi.unstubAllGlobals())

function renderDialog(routes: Routes) {
  const api = installFakeApi(routes)
  const started = vi.fn()
  const closed = vi.fn()
  renderAt('/pipelines/1/', [
    {
      path: '/pipelines/:id/',
      element: <ExecuteDialog pipelineId={1} projectId={1} onClose={closed} onStarted={started} />,
    },
  ])
  return { api, started, closed }
}

async function dialog() {
  const found = await screen.findByRole('dialog', { name: 'Run pipeline' })
  await within(found).findByLabelText('Execution name')
  return within(found)
}

describe('ExecuteDialog', () => {
  it('shows the name the run will get as the user types', async () => {
    renderDialog(executeRoutes(1))
    const view = await dialog()
    expect(view.getByText('run', { selector: '.execute-run-name' })).toBeTruthy()
    fireEvent.change(view.getByLabelText('Execution name'), { target: { value: 'test' } })
    await waitFor(() => expect(view.getByText('test_2', { selector: '.execute-run-name' })).toBeTruthy())
    expect(view.getByText(/the name is taken/)).toBeTruthy()
  })

  it('renders the chosen backend’s options from its schema and sends typed values', async () => {
    const { api, started } = renderDialog({
      ...executeRoutes(1),
      'POST /api/runs/': { status: 201, body: runDetail({ id: 42 }) },
    })
    const view = await dialog()
    fireEvent.click(view.getByLabelText('Debug mode'))
    fireEvent.change(view.getByLabelText(/^Experiment/), { target: { value: '3' } })
    const compute = view.getByRole('group', { name: 'Compute' })
    fireEvent.change(within(compute).getByLabelText('Backend'), { target: { value: 'kubernetes' } })
    fireEvent.change(within(compute).getByLabelText(/^GPUs/), { target: { value: '2' } })
    fireEvent.change(within(compute).getByLabelText(/^Node selector/), { target: { value: 'pool=gpu\nzone=a' } })
    const storage = view.getByRole('group', { name: 'Storage' })
    fireEvent.change(within(storage).getByLabelText('Backend'), { target: { value: 's3' } })
    expect((within(storage).getByLabelText(/^Secret key/) as HTMLInputElement).type).toBe('password')
    fireEvent.change(within(storage).getByLabelText(/^Endpoint/), { target: { value: 'http://127.0.0.1:9000' } })
    fireEvent.change(within(storage).getByLabelText(/^Bucket/), { target: { value: 'runs' } })
    fireEvent.click(view.getByLabelText('Save for future executions'))
    fireEvent.click(view.getByRole('button', { name: 'Run' }))

    await waitFor(() => expect(started).toHaveBeenCalled())
    const post = api.calls.find((call) => call.method === 'POST')!
    expect(post.body).toEqual({
      pipeline: 1,
      name: 'run',
      debug: true,
      experiment: 3,
      compute: { backend: 'kubernetes', options: { gpu_count: 2, node_selector: { pool: 'gpu', zone: 'a' } }, account: null },
      storage: { backend: 's3', options: { endpoint: 'http://127.0.0.1:9000', bucket: 'runs' }, account: null },
      save_for_future: true,
    })
    // no pipeline inputs: neither the artifacts nor the environment variables are asked for
    expect(api.calls.some((call) => call.path === '/api/environment-variables/' || call.path === '/api/artifacts/')).toBe(
      false,
    )
  })

  it('refuses empty required fields next to them before asking the server', async () => {
    const { api } = renderDialog(executeRoutes(1))
    const view = await dialog()
    const storage = view.getByRole('group', { name: 'Storage' })
    fireEvent.change(within(storage).getByLabelText('Backend'), { target: { value: 's3' } })
    fireEvent.change(within(storage).getByLabelText(/^Bucket/), { target: { value: 'runs' } })
    fireEvent.click(view.getByRole('button', { name: 'Run' }))
    const endpoint = within(storage).getByLabelText(/^Endpoint/)
    expect(endpoint.getAttribute('aria-invalid')).toBe('true')
    expect(within(storage).getByText('This field is required.')).toBeTruthy()
    expect(api.calls.some((call) => call.method === 'POST')).toBe(false)
  })

  it('puts the server’s errors next to the fields they name', async () => {
    renderDialog({
      ...executeRoutes(1),
      'POST /api/runs/': {
        status: 400,
        body: {
          storage: ['storage.options.bucket: \'a\' is too short'],
          compute: ['compute: unknown backend \'mainframe\''],
          non_field_errors: ['the pipeline has no nodes'],
        },
      },
    })
    const view = await dialog()
    const storage = view.getByRole('group', { name: 'Storage' })
    fireEvent.change(within(storage).getByLabelText('Backend'), { target: { value: 's3' } })
    fireEvent.change(within(storage).getByLabelText(/^Endpoint/), { target: { value: 'http://x' } })
    fireEvent.change(within(storage).getByLabelText(/^Bucket/), { target: { value: 'a' } })
    fireEvent.click(view.getByRole('button', { name: 'Run' }))
    expect(await within(storage).findByText("'a' is too short")).toBeTruthy()
    expect(within(storage).getByLabelText(/^Bucket/).getAttribute('aria-invalid')).toBe('true')
    const compute = view.getByRole('group', { name: 'Compute' })
    expect(within(compute).getByText("unknown backend 'mainframe'")).toBeTruthy()
    expect(within(view.getByRole('alert')).getByText('the pipeline has no nodes')).toBeTruthy()
    expect((view.getByRole('button', { name: 'Run' }) as HTMLButtonElement).disabled).toBe(false)
  })

  it('fills in from a linked account and from the saved choices', async () => {
    const { api } = renderDialog({
      ...executeRoutes(1, {
        accounts: [account()],
        setup: {
          name: 'nightly',
          run_name: 'nightly',
          preset: { debug: true, storage: { backend: 's3', options: { bucket: 'team' }, account: 5 } },
        },
      }),
      'POST /api/runs/': { status: 201, body: runDetail({ id: 9 }) },
    })
    const view = await dialog()
    expect((view.getByLabelText('Execution name') as HTMLInputElement).value).toBe('nightly')
    expect((view.getByLabelText('Debug mode') as HTMLInputElement).checked).toBe(true)
    const storage = view.getByRole('group', { name: 'Storage' })
    expect((within(storage).getByLabelText('Linked account') as HTMLSelectElement).value).toBe('5')
    expect((within(storage).getByLabelText(/^Bucket/) as HTMLInputElement).value).toBe('team')
    // The account holds the endpoint and the secrets: those may stay empty.
    expect(within(storage).getByLabelText(/^Endpoint/).getAttribute('placeholder')).toBe('from “Team MinIO”')
    expect((view.getByLabelText('Save for future executions') as HTMLInputElement).checked).toBe(true)
    fireEvent.click(view.getByRole('button', { name: 'Run' }))
    await waitFor(() => expect(api.calls.some((call) => call.method === 'POST')).toBe(true))
    const post = api.calls.find((call) => call.method === 'POST')!
    expect((post.body as { storage: unknown }).storage).toEqual({ backend: 's3', options: { bucket: 'team' }, account: 5 })
  })

  it('saves typed-in secrets as a linked account when asked, and runs with the account', async () => {
    const { api } = renderDialog({
      ...executeRoutes(1),
      'POST /api/accounts/': { status: 201, body: account({ id: 11, label: 'Mine' }) },
      'POST /api/runs/': { status: 201, body: runDetail({ id: 9 }) },
    })
    const view = await dialog()
    const storage = view.getByRole('group', { name: 'Storage' })
    fireEvent.change(within(storage).getByLabelText('Backend'), { target: { value: 's3' } })
    fireEvent.change(within(storage).getByLabelText(/^Endpoint/), { target: { value: 'http://m:9000' } })
    fireEvent.change(within(storage).getByLabelText(/^Bucket/), { target: { value: 'runs' } })
    fireEvent.change(within(storage).getByLabelText(/^Secret key/), { target: { value: 'hunter2' } })
    fireEvent.change(view.getByLabelText(/^Save as a linked account/), { target: { value: 'Mine' } })
    await act(async () => fireEvent.click(view.getByRole('button', { name: 'Run' })))
    await waitFor(() => expect(api.calls.filter((call) => call.method === 'POST')).toHaveLength(2))
    const [created, submitted] = api.calls.filter((call) => call.method === 'POST')
    expect(created!.body).toEqual({
      kind: 'storage',
      backend: 's3',
      label: 'Mine',
      options: { endpoint: 'http://m:9000', bucket: 'runs', secret_key: 'hunter2' },
    })
    expect((submitted!.body as { storage: unknown }).storage).toEqual({ backend: 's3', options: {}, account: 11 })
  })

  it('tests a connection and says what came back', async () => {
    renderDialog({
      ...executeRoutes(1),
      'POST /api/backends/storage/s3/check/': { body: { ok: false, message: 'bucket \'runs\' does not exist' } },
    })
    const view = await dialog()
    const storage = view.getByRole('group', { name: 'Storage' })
    fireEvent.change(within(storage).getByLabelText('Backend'), { target: { value: 's3' } })
    fireEvent.change(within(storage).getByLabelText(/^Endpoint/), { target: { value: 'http://m:9000' } })
    fireEvent.change(within(storage).getByLabelText(/^Bucket/), { target: { value: 'runs' } })
    fireEvent.click(within(storage).getByRole('button', { name: 'Test connection' }))
    expect((await within(storage).findByRole('status')).textContent).toContain("bucket 'runs' does not exist")
  })

  it('schedules a recurring run: the next fire times as you type, schedule errors next to their fields', async () => {
    const scheduled = vi.fn()
    const api = installFakeApi({
      ...executeRoutes(1),
      'POST /api/recurring-runs/preview/': (call) => {
        const body = call.body as { cron?: string }
        return body.cron === '0 25 * * *'
          ? { status: 400, body: { cron: ['Not a valid cron expression: hour 25.'] } }
          : { body: { next_fire_times: ['2026-12-01T08:00:00Z', '2026-12-02T08:00:00Z'] } }
      },
      'POST /api/recurring-runs/': (call) =>
        (call.body as { schedule: { max_concurrent: number } }).schedule.max_concurrent === 3
          ? { status: 201, body: { id: 9, name: 'Nightly' } }
          : { status: 400, body: { schedule: { end_at: ['The end has already passed: nothing would run.'] } } },
    })
    renderAt('/pipelines/1/', [
      {
        path: '/pipelines/:id/',
        element: (
          <ExecuteDialog
            pipelineId={1}
            projectId={1}
            onClose={vi.fn()}
            onStarted={vi.fn()}
            onScheduled={scheduled}
          />
        ),
      },
    ])
    const view = await dialog()
    fireEvent.click(view.getByRole('radio', { name: 'Recurring' }))
    fireEvent.change(view.getByLabelText('Recurring run name'), { target: { value: 'Nightly' } })
    const schedule = within(view.getByRole('group', { name: 'Schedule' }))
    fireEvent.click(schedule.getByRole('radio', { name: 'Cron' }))
    fireEvent.change(schedule.getByRole('textbox', { name: 'Cron expression' }), { target: { value: '0 25 * * *' } })
    expect(await schedule.findByText('Not a valid cron expression: hour 25.')).toBeTruthy()
    fireEvent.change(schedule.getByRole('textbox', { name: 'Cron expression' }), { target: { value: '0 9 * * *' } })
    await waitFor(() => expect(schedule.getAllByRole('listitem')).toHaveLength(2))
    expect(schedule.queryByText(/hour 25/)).toBeNull()

    fireEvent.click(view.getByRole('button', { name: 'Schedule' }))
    expect(await schedule.findByText('The end has already passed: nothing would run.')).toBeTruthy()

    fireEvent.change(schedule.getByLabelText('Max concurrent runs'), { target: { value: '3' } })
    fireEvent.click(view.getByRole('button', { name: 'Schedule' }))
    await waitFor(() => expect(scheduled).toHaveBeenCalledWith(expect.objectContaining({ id: 9 })))
    const sent = api.calls.filter((call) => call.path === '/api/recurring-runs/').at(-1)!.body as Record<string, unknown>
    expect(sent).toMatchObject({
      pipeline: 1,
      name: 'Nightly',
      schedule: { trigger: 'cron', cron: '0 9 * * *', max_concurrent: 3, name: 'Nightly' },
    })
    expect(sent).not.toHaveProperty('save_for_future')
  })
})
