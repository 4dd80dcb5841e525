import { fireEvent, screen, waitFor, within } from '@testing-library/react'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { installFakeApi, paginated } from '../test/fakeApi'
import { project } from '../test/fixtures'
import { renderAt } from '../test/render'
import { DeploymentPage } from './DeploymentPage'
import { DeploymentsPage } from './DeploymentsPage'
import { EnvironmentPage } from './EnvironmentPage'
import { deploymentDetail, variable } from './testData'

afterEach(() => vi.unstubAllGlobals())

describe('DeploymentPage', () => {
  it('shows recent calls with status and latency, and a new token only once', async () => {
    let detail = deploymentDetail({
      recent_calls: [
        { id: 1, created_at: '2026-01-01T10:01:00Z', status_code: 200, latency_ms: 2410, error: '', run: 5, run_name: 'blobs-api 1', run_state: 'succeeded' },
        { id: 2, created_at: '2026-01-01T10:00:00Z', status_code: 422, latency_ms: 12, error: 'threshold: must be a number', run: null, run_name: null, run_state: null },
      ],
    })
    const api = installFakeApi({
      'GET /api/deployments/7/': () => ({ body: detail }),
      'POST /api/deployments/7/tokens/': () => {
        const created = { id: 4, prefix: 'pw_New1', created_at: '2026-01-01T11:00:00Z', revoked_at: null, last_used_at: null }
        detail = { ...detail, tokens: [...detail.tokens, created] }
        return { status: 201, body: { ...created, token: 'pw_New1_whole_token' } }
      },
    })
    renderAt('/deployments/7/', [{ path: '/deployments/:id/', element: <DeploymentPage /> }])

    const calls = await screen.findByRole('table', { name: 'Recent calls' })
    expect(within(calls).getByText('200').className).toContain('status-code-ok')
    expect(within(calls).getByText('2.41 s')).toBeTruthy()
    expect(within(calls).getByRole('link', { name: 'blobs-api 1' }).getAttribute('href')).toBe('/runs/5/')
    expect(within(calls).getByText('422').className).toContain('status-code-warn')
    expect(within(calls).getByText('threshold: must be a number')).toBeTruthy()
    expect(screen.getByLabelText('Endpoint URL').textContent).toBe('POST http://testserver/endpoints/blobs-api')

    fireEvent.click(screen.getByRole('button', { name: 'New token' }))
    const dialog = await screen.findByRole('dialog', { name: 'New token' })
    expect(within(dialog).getByTestId('endpoint-token').textContent).toBe('pw_New1_whole_token')
    expect(api.calls.find((call) => call.method === 'POST')!.body).toEqual({ revoke_others: false })
    fireEvent.click(within(dialog).getByRole('button', { name: 'I have copied the token' }))
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull())
    expect(screen.queryByText('pw_New1_whole_token')).toBeNull()
    expect(await screen.findByText('pw_New1…')).toBeTruthy()
  })

  it('revokes a token after asking', async () => {
    let detail = deploymentDetail()
    const api = installFakeApi({
      'GET /api/deployments/7/': () => ({ body: detail }),
      'POST /api/deployments/7/tokens/3/revoke/': () => {
        detail = { ...detail, tokens: detail.tokens.map((token) => ({ ...token, revoked_at: '2026-01-01T12:00:00Z' })) }
        return { body: detail.tokens[0] }
      },
    })
    renderAt('/deployments/7/', [{ path: '/deployments/:id/', element: <DeploymentPage /> }])
    fireEvent.click(await screen.findByRole('button', { name: 'Revoke token pw_AbCd' }))
    const confirm = await screen.findByRole('dialog', { name: 'Revoke token pw_AbCd…?' })
    fireEvent.click(within(confirm).getByRole('button', { name: 'Revoke token' }))
    expect(await screen.findByText('Revoked')).toBeTruthy()
    expect(screen.getByText(/Every token is revoked/)).toBeTruthy()
    expect(api.calls.some((call) => call.path === '/api/deployments/7/tokens/3/revoke/')).toBe(true)
  })

  it('regenerates: a new token shown once, the others revoked', async () => {
    const api = installFakeApi({
      'GET /api/deployments/7/': { body: deploymentDetail() },
      'POST /api/deployments/7/tokens/': {
        status: 201,
        body: { id: 4, prefix: 'pw_Re', created_at: '2026-01-01T11:00:00Z', revoked_at: null, last_used_at: null, token: 'pw_Re_whole' },
      },
    })
    renderAt('/deployments/7/', [{ path: '/deployments/:id/', element: <DeploymentPage /> }])
    fireEvent.click(await screen.findByRole('button', { name: 'Regenerate' }))
    const confirm = await screen.findByRole('dialog', { name: 'Regenerate the token?' })
    fireEvent.click(within(confirm).getByRole('button', { name: 'Regenerate' }))
    const dialog = await screen.findByRole('dialog', { name: 'New token' })
    expect(within(dialog).getByTestId('endpoint-token').textContent).toBe('pw_Re_whole')
    expect(api.calls.find((call) => call.method === 'POST')!.body).toEqual({ revoke_others: true })
  })

  it('pauses and saves new limits', async () => {
    let detail = deploymentDetail()
    const api = installFakeApi({
      'GET /api/deployments/7/': () => ({ body: detail }),
      'PATCH /api/deployments/7/': (call) => {
        detail = { ...detail, ...(call.body as object) }
        return { body: detail }
      },
    })
    renderAt('/deployments/7/', [{ path: '/deployments/:id/', element: <DeploymentPage /> }])
    fireEvent.click(await screen.findByRole('button', { name: 'Pause' }))
    expect(await screen.findByRole('button', { name: 'Resume' })).toBeTruthy()
    fireEvent.click(screen.getByRole('button', { name: 'Edit limits' }))
    const form = screen.getByRole('form', { name: 'Edit limits' })
    fireEvent.change(within(form).getByLabelText('Max body size (MB)'), { target: { value: '2' } })
    fireEvent.click(within(form).getByRole('button', { name: 'Save limits' }))
    expect(await screen.findByText('2 MB')).toBeTruthy()
    const patches = api.calls.filter((call) => call.method === 'PATCH').map((call) => call.body)
    expect(patches).toEqual([
      { enabled: false },
      { wait_seconds: 30, rate_limit_per_minute: 60, max_body_bytes: 2097152 },
    ])
  })
})

describe('DeploymentsPage', () => {
  it('lists deployments with their rule, URL and last call, and points to Deploy when empty', async () => {
    installFakeApi({
      'GET /api/deployments/': {
        body: paginated([
          deploymentDetail(),
          deploymentDetail({
            id: 8,
            name: 'nightly',
            rule: 'periodic',
            url: null,
            enabled: false,
            schedule: { recurring_run: 2, cron: '0 2 * * *', timezone: 'UTC', enabled: false, next_fire_at: null },
          }),
        ]),
      },
      'GET /api/deployments/7/calls/': {
        body: paginated([{ id: 1, created_at: '2026-01-01T10:01:00Z', status_code: 200, latency_ms: 40, error: '', run: 5, run_name: 'r', run_state: 'succeeded' }]),
      },
      'GET /api/deployments/8/calls/': { body: paginated([]) },
    })
    renderAt('/deployments/', [{ path: '/deployments/', element: <DeploymentsPage /> }])
    const table = await screen.findByRole('table', { name: 'Deployments' })
    const api = within(table).getByText('blobs-api').closest('tr')!
    expect(within(api).getByText('http://testserver/endpoints/blobs-api')).toBeTruthy()
    expect(await within(api).findByText('40 ms')).toBeTruthy()
    expect(within(api).getByRole('switch', { name: 'Pause blobs-api' })).toBeTruthy()
    const nightly = within(table).getByText('nightly').closest('tr')!
    expect(within(nightly).getByText('Periodic: 0 2 * * * (UTC)')).toBeTruthy()
    expect(within(nightly).getByText('Paused')).toBeTruthy()
    expect(await within(nightly).findByText('No calls yet')).toBeTruthy()
  })

  it('says how to make one when there are none', async () => {
    installFakeApi({ 'GET /api/deployments/': { body: paginated([]) } })
    renderAt('/deployments/', [{ path: '/deployments/', element: <DeploymentsPage /> }])
    expect(await screen.findByText('No deployments yet')).toBeTruthy()
    expect(screen.getByText('Deploy')).toBeTruthy()
  })
})

describe('EnvironmentPage', () => {
  it('never shows a secret value, and puts a refusal next to the name', async () => {
    const api = installFakeApi({
      'GET /api/projects/': { body: paginated([project({ id: 1, role: 'editor' })]) },
      'GET /api/environment-variables/': {
        body: paginated([variable(), variable({ id: 2, name: 'API_KEY', secret: true, value: null })]),
      },
      'POST /api/environment-variables/': {
        status: 400,
        body: { name: ['This project already has a variable of that name.'] },
      },
    })
    renderAt('/environment/', [{ path: '/environment/', element: <EnvironmentPage /> }])
    const table = await screen.findByRole('table', { name: 'Environment variables' })
    const secret = within(table).getByText('API_KEY').closest('tr')!
    expect(within(secret).getByText('secret')).toBeTruthy()
    expect(within(secret).getByLabelText('Secret value set')).toBeTruthy()
    expect(within(table).getByText('https://example.test')).toBeTruthy()

    const form = screen.getByRole('form', { name: 'New environment variable' })
    fireEvent.change(within(form).getByLabelText('Name'), { target: { value: 'API_KEY' } })
    fireEvent.change(within(form).getByLabelText('Value'), { target: { value: 'hunter2' } })
    fireEvent.click(within(form).getByLabelText('Secret'))
    expect((within(form).getByLabelText('Value') as HTMLInputElement).type).toBe('password')
    fireEvent.click(within(form).getByRole('button', { name: 'Add variable' }))
    expect(await within(form).findByText('This project already has a variable of that name.')).toBeTruthy()
    expect(api.calls.find((call) => call.method === 'POST')!.body).toEqual({
      project: 1,
      name: 'API_KEY',
      value: 'hunter2',
      secret: true,
    })
  })
})
