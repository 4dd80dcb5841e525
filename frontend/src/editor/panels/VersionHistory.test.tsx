import { fireEvent, render, screen, waitFor, within } from '@testing-library/react'
import { beforeAll, describe, expect, it, vi } from 'vitest'
import type { PipelineVersion, PipelineVersionDetail, RestoredPipeline } from '../../api/types'
import { installFakeApi, paginated } from '../../test/fakeApi'
import { pipeline } from '../../test/fixtures'
import { installReactFlowStubs } from '../../test/reactFlowJsdom'
import { VersionHistory } from './VersionHistory'

beforeAll(installReactFlowStubs)

function version(number: number, overrides: Partial<PipelineVersion> = {}): PipelineVersion {
  return {
    id: 100 + number,
    pipeline: 1,
    number,
    content_hash: `hash${number}abcdef0123`,
    tags: [],
    created_by: 'ada',
    created_at: new Date(Date.now() - number * 60_000).toISOString(),
    ...overrides,
  }
}

const graph = {
  nodes: [{ id: 'load', operation: 10, label: 'Load <b>data</b>', params: {}, position: { x: 0, y: 0 } }],
  edges: [],
  inputs: [],
}

const restored: RestoredPipeline = { ...pipeline({ id: 1 }), graph, revision: 8 }

function renderHistory(props: Partial<Parameters<typeof VersionHistory>[0]> = {}) {
  const onRestored = vi.fn()
  const onOpen = vi.fn()
  render(
    <VersionHistory pipelineId={1} revision={7} canEdit onRestored={onRestored} onOpen={onOpen} {...props} />,
  )
  return { onRestored, onOpen }
}

describe('VersionHistory', () => {
  it('lists the versions newest first with tags and authors', async () => {
    installFakeApi({
      'GET /api/pipelines/1/versions/': {
        body: paginated([version(1), version(3, { tags: ['nightly run'], created_by: 'grace' }), version(2)]),
      },
    })
    renderHistory()
    const region = screen.getByRole('region', { name: 'Version history' })
    expect(within(region).getByRole('status').textContent).toContain('Loading versions…')
    const items = await within(region).findAllByRole('listitem')
    expect(items.map((item) => item.getAttribute('aria-label'))).toEqual(['Version 3', 'Version 2', 'Version 1'])
    expect(items[0]!.textContent).toContain('v3')
    expect(items[0]!.textContent).toContain('nightly run')
    expect(items[0]!.textContent).toContain('grace')
    expect(items[0]!.textContent).toContain('hash3abc')
    expect(within(items[0]!).getByRole('button', { name: 'Restore version 3' })).toBeTruthy()
  })

  it('shows the git commit of a version imported from a repository', async () => {
    installFakeApi({
      'GET /api/pipelines/1/versions/': {
        body: [version(2, { git_commit: '1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b' }), version(1, { git_commit: '' })],
      },
    })
    renderHistory()
    const items = await screen.findAllByRole('listitem')
    const commit = within(items[0]!).getByTitle('Git commit 1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b')
    expect(commit.textContent).toBe('git 1a2b3c4d')
    expect(commit.querySelector('code')).toBeTruthy()
    expect(items[1]!.textContent).not.toContain('git ')
  })

  it('shows a previewed version as YAML, asking for that version', async () => {
    const { calls } = installFakeApi({
      'GET /api/pipelines/1/versions/': { body: [version(2)] },
      'GET /api/pipeline-versions/102/': { body: { ...version(2), graph } },
      'GET /api/pipelines/1/yaml/': { text: 'name: churn\ntasks: []\n' },
    })
    render(<VersionHistory pipelineId={1} canEdit={false} onRestored={vi.fn()} />)
    fireEvent.click(await screen.findByRole('button', { name: 'Open version 2' }))
    const preview = await screen.findByRole('dialog', { name: 'Version 2' })
    fireEvent.click(within(preview).getByRole('button', { name: 'View as YAML' }))

    const dialog = await screen.findByRole('dialog', { name: 'Pipeline as YAML' })
    expect((await within(dialog).findByTestId('yaml-text')).textContent).toBe('name: churn\ntasks: []\n')
    expect(calls.find((call) => call.path === '/api/pipelines/1/yaml/')!.search.get('version')).toBe('2')
    expect(screen.getAllByRole('dialog')).toHaveLength(1)
  })

  it('shows the empty state', async () => {
    installFakeApi({ 'GET /api/pipelines/1/versions/': { body: [] } })
    renderHistory()
    expect(await screen.findByText('No versions yet: Save creates the first one.')).toBeTruthy()
  })

  it('shows an error with Retry', async () => {
    let fail = true
    installFakeApi({
      'GET /api/pipelines/1/versions/': () =>
        fail ? { status: 500, body: { detail: 'Server on fire.' } } : { body: [version(1)] },
    })
    renderHistory()
    const alert = await screen.findByRole('alert')
    expect(alert.textContent).toContain('The server ran into a problem (500)')
    fail = false
    fireEvent.click(within(alert).getByRole('button', { name: 'Retry' }))
    expect(await screen.findByRole('listitem', { name: 'Version 1' })).toBeTruthy()
  })

  it('hides Restore from viewers', async () => {
    installFakeApi({ 'GET /api/pipelines/1/versions/': { body: [version(1)] } })
    renderHistory({ canEdit: false })
    await screen.findByRole('listitem', { name: 'Version 1' })
    expect(screen.getByRole('button', { name: 'Open version 1' })).toBeTruthy()
    expect(screen.queryByRole('button', { name: /Restore/ })).toBeNull()
  })

  it('opens a version with its frozen graph', async () => {
    const detail: PipelineVersionDetail = { ...version(2), graph }
    const { calls } = installFakeApi({
      'GET /api/pipelines/1/versions/': { body: [version(2)] },
      'GET /api/pipeline-versions/102/': { body: detail },
    })
    const { onOpen } = renderHistory()
    fireEvent.click(await screen.findByRole('button', { name: 'Open version 2' }))
    await waitFor(() => expect(onOpen).toHaveBeenCalledWith(detail))
    expect(calls.map((call) => call.path)).toContain('/api/pipeline-versions/102/')
  })

  it('previews a version read-only in a dialog without onOpen', async () => {
    installFakeApi({
      'GET /api/pipelines/1/versions/': { body: [version(2)] },
      'GET /api/pipeline-versions/102/': { body: { ...version(2), graph } },
    })
    render(<VersionHistory pipelineId={1} canEdit={false} onRestored={vi.fn()} />)
    fireEvent.click(await screen.findByRole('button', { name: 'Open version 2' }))
    const dialog = await screen.findByRole('dialog', { name: 'Version 2' })
    expect(dialog.textContent).toContain('Read-only')
    expect(await within(dialog).findByText('Load <b>data</b>')).toBeTruthy()
    fireEvent.keyDown(document, { key: 'Escape' })
    expect(screen.queryByRole('dialog')).toBeNull()
  })

  it('restores after confirming, sending the revision', async () => {
    const { calls } = installFakeApi({
      'GET /api/pipelines/1/versions/': { body: [version(2), version(1)] },
      'POST /api/pipelines/1/versions/1/restore/': { body: restored },
    })
    const { onRestored } = renderHistory()
    fireEvent.click(await screen.findByRole('button', { name: 'Restore version 1' }))
    const dialog = screen.getByRole('dialog', { name: 'Restore version 1?' })
    expect(dialog.textContent).toContain('Your unsaved changes will be replaced.')
    expect(calls.some((call) => call.method === 'POST')).toBe(false)

    fireEvent.click(within(dialog).getByRole('button', { name: 'Restore version 1' }))
    await waitFor(() => expect(onRestored).toHaveBeenCalledWith(restored, 1))
    const post = calls.find((call) => call.method === 'POST')!
    expect(post.body).toEqual({ revision: 7 })
    expect(screen.queryByRole('dialog')).toBeNull()
  })

  it('cancelling the confirmation restores nothing', async () => {
    const { calls } = installFakeApi({ 'GET /api/pipelines/1/versions/': { body: [version(1)] } })
    const { onRestored } = renderHistory()
    fireEvent.click(await screen.findByRole('button', { name: 'Restore version 1' }))
    fireEvent.click(screen.getByRole('button', { name: 'Cancel' }))
    expect(screen.queryByRole('dialog')).toBeNull()
    expect(calls.some((call) => call.method === 'POST')).toBe(false)
    expect(onRestored).not.toHaveBeenCalled()
  })

  it("shows the server's message when the draft is stale (409)", async () => {
    const detail =
      'This pipeline was changed elsewhere (revision 9) since you opened revision 7. Reload it, or save your version as a copy.'
    installFakeApi({
      'GET /api/pipelines/1/versions/': { body: [version(1)] },
      'POST /api/pipelines/1/versions/1/restore/': { status: 409, body: { detail, current_revision: 9 } },
    })
    const { onRestored } = renderHistory()
    fireEvent.click(await screen.findByRole('button', { name: 'Restore version 1' }))
    const dialog = screen.getByRole('dialog')
    fireEvent.click(within(dialog).getByRole('button', { name: 'Restore version 1' }))
    expect((await within(dialog).findByRole('alert')).textContent).toContain(detail)
    expect(onRestored).not.toHaveBeenCalled()
    expect((within(dialog).getByRole('button', { name: 'Restore version 1' }) as HTMLButtonElement).disabled).toBe(false)
  })

  it('explains a 403', async () => {
    installFakeApi({
      'GET /api/pipelines/1/versions/': { body: [version(1)] },
      'POST /api/pipelines/1/versions/1/restore/': { status: 403, body: { detail: 'Nope.' } },
    })
    renderHistory()
    fireEvent.click(await screen.findByRole('button', { name: 'Restore version 1' }))
    const dialog = screen.getByRole('dialog')
    fireEvent.click(within(dialog).getByRole('button', { name: 'Restore version 1' }))
    expect((await within(dialog).findByRole('alert')).textContent).toContain('Only editors of this project can restore versions.')
  })
})
