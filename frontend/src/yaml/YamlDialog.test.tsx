import { render, screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { installFakeApi } from '../test/fakeApi'
import { GitCommit } from './GitCommit'
import { YamlDialog } from './YamlDialog'

const TEXT = 'name: churn\ndescription: ""\ntasks:\n  - name: prepare\n    image: python:3.11\n  - name: train\n    image: python:3.11\n    depends: [prepare]\n'

afterEach(() => {
  vi.unstubAllGlobals()
  vi.restoreAllMocks()
})

describe('YamlDialog', () => {
  it('loads the YAML and shows it with copy and download actions', async () => {
    // given
    const api = installFakeApi({
      'GET /api/pipelines/7/yaml/': { text: TEXT, headers: { 'Content-Type': 'application/yaml; charset=utf-8' } },
    })
    const onClose = vi.fn()

    // when
    render(<YamlDialog pipelineId={7} pipelineName="Churn" onClose={onClose} />)

    // then
    const dialog = screen.getByRole('dialog', { name: 'Pipeline as YAML' })
    expect(within(dialog).getByText('Writing YAML…')).toBeTruthy()
    const block = await within(dialog).findByTestId('yaml-text')
    expect(block.textContent).toBe(TEXT)
    expect(api.calls[0]!.search.has('version')).toBe(false)
    expect(within(dialog).getByRole('button', { name: 'Copy YAML' })).toBeTruthy()
    expect(within(dialog).getByRole('button', { name: /Download main.yml/ })).toBeTruthy()
    const zip = within(dialog).getByRole('link', { name: /Download zip/ })
    expect(zip.getAttribute('href')).toBe('/api/pipelines/7/yaml/?format=zip')
  })

  it('asks for the version being viewed', async () => {
    const api = installFakeApi({ 'GET /api/pipelines/7/yaml/': { text: TEXT } })

    render(<YamlDialog pipelineId={7} version={3} onClose={vi.fn()} />)

    await screen.findByTestId('yaml-text')
    expect(api.calls[0]!.search.get('version')).toBe('3')
    expect(screen.getByText('Version 3')).toBeTruthy()
    expect(screen.getByRole('link', { name: /Download zip/ }).getAttribute('href')).toBe(
      '/api/pipelines/7/yaml/?version=3&format=zip',
    )
  })

  it('downloads the text as main.yml', async () => {
    const user = userEvent.setup()
    installFakeApi({ 'GET /api/pipelines/7/yaml/': { text: TEXT } })
    const created: Blob[] = []
    vi.spyOn(URL, 'createObjectURL').mockImplementation((blob) => {
      created.push(blob as Blob)
      return 'blob:yaml'
    })
    vi.spyOn(URL, 'revokeObjectURL').mockImplementation(() => undefined)
    const clicked: string[] = []
    vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      clicked.push(this.download)
    })
    render(<YamlDialog pipelineId={7} pipelineName="Churn" onClose={vi.fn()} />)

    await user.click(await screen.findByRole('button', { name: /Download main.yml/ }))

    expect(clicked).toEqual(['main.yml'])
    expect(await created[0]!.text()).toBe(TEXT)
  })

  it('says why a pipeline cannot be written as YAML', async () => {
    installFakeApi({
      'GET /api/pipelines/7/yaml/': {
        status: 400,
        body: { problems: ['node data: a Python operation; only container operations are YAML tasks'] },
      },
    })

    render(<YamlDialog pipelineId={7} pipelineName="Churn" onClose={vi.fn()} />)

    const alert = await screen.findByRole('alert')
    expect(alert.textContent).toContain('This pipeline cannot be written as YAML')
    expect(within(alert).getByRole('listitem').textContent).toBe(
      'node data: a Python operation; only container operations are YAML tasks',
    )
    expect(screen.queryByTestId('yaml-text')).toBeNull()
    expect(screen.queryByRole('button', { name: /Download/ })).toBeNull()
  })

  it('offers a retry when the YAML could not be loaded', async () => {
    const user = userEvent.setup()
    let calls = 0
    installFakeApi({
      'GET /api/pipelines/7/yaml/': () => (++calls === 1 ? { status: 500, body: null } : { text: TEXT }),
    })
    render(<YamlDialog pipelineId={7} pipelineName="Churn" onClose={vi.fn()} />)

    const alert = await screen.findByRole('alert')
    expect(alert.textContent).toContain("Couldn't load the YAML.")
    await user.click(within(alert).getByRole('button', { name: 'Retry' }))

    await waitFor(() => expect(screen.getByTestId('yaml-text').textContent).toBe(TEXT))
  })
})

describe('GitCommit', () => {
  it('shows the first 8 characters of the sha, the whole sha in its title', () => {
    const sha = '1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b'
    render(<GitCommit sha={sha} />)
    const label = screen.getByTitle(`Git commit ${sha}`)
    expect(label.textContent).toBe('git 1a2b3c4d')
  })

  it('shows nothing without a commit', () => {
    const { container } = render(<GitCommit sha="" />)
    expect(container.innerHTML).toBe('')
  })
})
