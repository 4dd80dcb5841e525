import { fireEvent, screen, waitFor, within } from '@testing-library/react'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { installFakeApi, paginated, type Routes } from '../test/fakeApi'
import { project } from '../test/fixtures'
import { LocationProbe, renderAt } from '../test/render'
import { DeployPage } from './DeployPage'
import { createdDeployment, deploySetup } from './testData'

afterEach(() => vi.unstubAllGlobals())

function renderDeploy(routes: Routes) {
  const api = installFakeApi({
    'GET /api/projects/': { body: paginated([project({ id: 1, role: 'editor' })]) },
    'GET /api/pipelines/4/deploy-setup/': { body: deploySetup() },
    'POST /api/recurring-runs/preview/': { body: { next_fire_times: ['2026-01-02T02:00:00Z'] } },
    ...routes,
  })
  renderAt('/pipelines/4/deploy/', [
    { path: '/pipelines/:id/deploy/', element: <DeployPage /> },
    { path: '/deployments/:id/', element: <LocationProbe /> },
  ])
  return api
}

async function form() {
  const found = await screen.findByRole('form', { name: 'Deploy pipeline' })
  return within(found)
}

describe('DeployPage', () => {
  it('sends the mappings, the name and the limits, shows the token once, then opens the deployment', async () => {
    const api = renderDeploy({
      'POST /api/deployments/': { status: 201, body: createdDeployment('pw_secret_token_123') },
    })
    const view = await form()
    const name = view.getByLabelText('Name')
    expect((name as HTMLInputElement).value).toBe('classify-blobs')
    fireEvent.change(name, { target: { value: 'blobs-api' } })
    fireEvent.change(view.getByLabelText('threshold: comes from'), { target: { value: 'constant' } })
    fireEvent.change(view.getByLabelText('threshold: value'), { target: { value: '0.75' } })
    fireEvent.change(view.getByLabelText('load.path: name the caller uses'), { target: { value: 'path' } })
    fireEvent.change(view.getByLabelText('report.chart: goes to'), { target: { value: 'datastore' } })
    fireEvent.change(view.getByLabelText('report.chart: storage path'), { target: { value: 'reports/chart.png' } })
    fireEvent.change(view.getByLabelText('Wait for the run (seconds)'), { target: { value: '90' } })
    fireEvent.click(view.getByRole('button', { name: 'Deploy' }))

    const dialog = await screen.findByRole('dialog', { name: 'blobs-api is deployed' })
    expect(within(dialog).getByTestId('endpoint-token').textContent).toBe('pw_secret_token_123')
    expect(within(dialog).getByLabelText('curl example').textContent).toContain('EndpointToken pw_secret_token_123')
    const post = api.calls.find((call) => call.method === 'POST' && call.path === '/api/deployments/')!
    expect(post.body).toEqual({
      pipeline: 4,
      pipeline_version: 9,
      name: 'blobs-api',
      rule: 'endpoint',
      input_mappings: {
        threshold: { kind: 'constant', value: 0.75 },
        'load.path': { kind: 'endpoint_value', name: 'path' },
      },
      output_mappings: {
        'describe.stats': { kind: 'endpoint_value' },
        'report.chart': { kind: 'datastore', path: 'reports/chart.png' },
      },
      wait_seconds: 90,
      rate_limit_per_minute: 60,
      max_body_bytes: 1048576,
    })

    fireEvent.click(within(dialog).getByRole('button', { name: 'I have copied the token' }))
    await waitFor(() => expect(screen.getByTestId('location').textContent).toBe('/deployments/7/'))
    expect(screen.queryByText('pw_secret_token_123')).toBeNull()
  })

  it('puts the server’s refusals next to the rows and fields they name', async () => {
    renderDeploy({
      'POST /api/deployments/': {
        status: 400,
        body: {
          'inputs.load.path': ["step input 'load.path' (str) is not mapped"],
          'outputs.report.chart': ['path must be a storage key such as data/input.csv'],
          name: ["The name 'classify-blobs' is taken: deployment names are unique."],
        },
      },
    })
    const view = await form()
    fireEvent.click(view.getByRole('button', { name: 'Deploy' }))

    const inputRow = (await view.findByText("step input 'load.path' (str) is not mapped")).closest('tr')!
    expect(inputRow.getAttribute('data-key')).toBe('load.path')
    expect(within(inputRow).getByLabelText('load.path: name the caller uses').getAttribute('aria-invalid')).toBe('true')
    const outputRow = view.getByText('path must be a storage key such as data/input.csv').closest('tr')!
    expect(outputRow.getAttribute('data-key')).toBe('report.chart')
    expect(view.getByText(/deployment names are unique/)).toBeTruthy()
    expect(view.getByLabelText('Name').getAttribute('aria-invalid')).toBe('true')
    expect(screen.queryByRole('dialog')).toBeNull()
  })

  it('refuses a row it can check before asking the server', async () => {
    const api = renderDeploy({})
    const view = await form()
    fireEvent.change(view.getByLabelText('threshold: comes from'), { target: { value: 'constant' } })
    fireEvent.change(view.getByLabelText('threshold: value'), { target: { value: 'high' } })
    fireEvent.change(view.getByLabelText('Name'), { target: { value: 'Blobs' } })
    expect(view.getByText('Use lower case letters.')).toBeTruthy()
    fireEvent.click(view.getByRole('button', { name: 'Deploy' }))
    expect(await view.findByText('The value must be a number.')).toBeTruthy()
    expect(api.calls.some((call) => call.method === 'POST' && call.path === '/api/deployments/')).toBe(false)
  })

  it('offers a periodic rule with a cron schedule and no endpoint kinds', async () => {
    const api = renderDeploy({
      'POST /api/deployments/': { status: 201, body: createdDeployment(null, { id: 8, rule: 'periodic', url: null }) },
    })
    const view = await form()
    fireEvent.click(view.getByRole('radio', { name: 'Periodic' }))
    expect(view.queryByLabelText('Wait for the run (seconds)')).toBeNull()
    const kinds = within(view.getByLabelText('threshold: comes from')).getAllByRole('option').map((o) => o.textContent)
    expect(kinds).toEqual(['Constant', 'Environment variable', 'Datastore file', 'None'])
    fireEvent.change(view.getByLabelText('Cron expression'), { target: { value: '0 3 * * *' } })
    fireEvent.change(view.getByLabelText('Time zone'), { target: { value: 'Europe/Paris' } })
    fireEvent.change(view.getByLabelText('threshold: value'), { target: { value: '1' } })
    fireEvent.change(view.getByLabelText('load.path: comes from'), { target: { value: 'env' } })
    fireEvent.change(view.getByLabelText('load.path: environment variable'), { target: { value: 'DATA_PATH' } })
    fireEvent.click(view.getByRole('button', { name: 'Deploy' }))

    await waitFor(() => expect(screen.getByTestId('location').textContent).toBe('/deployments/8/'))
    const post = api.calls.find((call) => call.method === 'POST' && call.path === '/api/deployments/')!
    expect(post.body).toMatchObject({
      rule: 'periodic',
      input_mappings: { threshold: { kind: 'constant', value: 1 }, 'load.path': { kind: 'env', variable: 'DATA_PATH' } },
      output_mappings: { 'describe.stats': { kind: 'none' }, 'report.chart': { kind: 'none' } },
      schedule: { cron: '0 3 * * *', timezone: 'Europe/Paris', max_concurrent: 1 },
    })
    expect(post.body).not.toHaveProperty('wait_seconds')
  })
})
