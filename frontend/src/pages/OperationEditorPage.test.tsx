import { screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { configureClient } from '../api/client'
import type { Operation, OperationVersionDetail } from '../api/types'
import { installFakeApi, paginated, type Routes } from '../test/fakeApi'
import { project } from '../test/fixtures'
import { renderAt, TEST_BOOT } from '../test/render'
import OperationEditorPage from './OperationEditorPage'

// CodeMirror needs layout that jsdom lacks: a textarea stands in for it here.
vi.mock('../components/CodeEditor', () => ({
  default: ({ value, onChange, label }: { value: string; onChange: (value: string) => void; label?: string }) => (
    <textarea aria-label={label ?? 'Source'} value={value} onChange={(event) => onChange(event.target.value)} />
  ),
}))

function version(overrides: Partial<OperationVersionDetail> = {}): OperationVersionDetail {
  return {
    id: 70,
    operation: 7,
    number: 2,
    content_hash: 'abc',
    kind: 'python',
    source: 'def run(a: float) -> dict:\n    return {"b": a}\n',
    entrypoint: 'run',
    inputs: [{ name: 'a', type: 'float', description: '', optional: false }],
    outputs: [{ name: 'b', type: 'float', description: '', optional: false }],
    parameters: [{ name: 'scale', type: 'int', default: 3, description: 'factor' }],
    resources: { cpu: 1, memory: '512Mi', gpus: 0, cpu_fallback: false },
    requirements: ['numpy'],
    image: '',
    command: [],
    args: [],
    created_at: '2024-01-01T00:00:00Z',
    ...overrides,
  }
}

function operation(overrides: Partial<Operation> = {}): Operation {
  return {
    id: 7,
    project: 1,
    name: 'Scale',
    slug: 'scale',
    description: 'Multiplies',
    category: 'Math',
    builtin: false,
    latest_version: version(),
    ...overrides,
  }
}

function renderPage(routes: Routes, path: string) {
  const api = installFakeApi(routes)
  renderAt(path, [
    { path: '/operations/new/', element: <OperationEditorPage /> },
    { path: '/operations/:id/edit/', element: <OperationEditorPage /> },
  ])
  return api
}

beforeEach(() => configureClient({ csrfToken: TEST_BOOT.csrfToken }))
afterEach(() => vi.unstubAllGlobals())

describe('OperationEditorPage', () => {
  it('creates a new operation from the template, then posts its first version', async () => {
    const created = operation({ id: 9, name: 'Add one', slug: 'add-one', latest_version: null })
    const first = version({ id: 90, operation: 9, number: 1 })
    const api = renderPage(
      {
        'POST /api/operations/': { status: 201, body: created },
        'POST /api/operations/9/versions/': { status: 201, body: first },
        'GET /api/operations/9/': { body: { ...created, latest_version: first } },
        'GET /api/operations/9/versions/': { body: [first] },
      },
      '/operations/new/?project=1',
    )
    const user = userEvent.setup()

    const source = (await screen.findByLabelText('Source')) as HTMLTextAreaElement
    expect(source.value).toContain('def run(x: int = 1) -> dict:')
    expect((screen.getByLabelText('Entrypoint') as HTMLInputElement).value).toBe('run')
    expect((screen.getByLabelText('Inputs 1 name') as HTMLInputElement).value).toBe('x')
    expect((screen.getByLabelText('Outputs 1 name') as HTMLInputElement).value).toBe('y')

    await user.type(screen.getByLabelText('Name'), 'Add one')
    expect((screen.getByLabelText('Slug') as HTMLInputElement).value).toBe('add-one')
    await user.click(screen.getByRole('button', { name: 'Save version' }))

    expect(await screen.findByText('Saved as version 1')).toBeTruthy()
    expect(screen.getByRole('status').textContent).toBe('Saved as version 1')
    expect(await screen.findByRole('heading', { name: 'Edit Add one' })).toBeTruthy()
    const posts = api.calls.filter((call) => call.method === 'POST')
    expect(posts.map((call) => call.path)).toEqual(['/api/operations/', '/api/operations/9/versions/'])
    expect(posts[0]?.body).toMatchObject({ project: 1, name: 'Add one', slug: 'add-one', category: 'General' })
    expect(posts[1]?.body).toMatchObject({
      kind: 'python',
      entrypoint: 'run',
      inputs: [{ name: 'x', type: 'int', optional: true }],
      outputs: [{ name: 'y', type: 'int' }],
      requirements: [],
    })
    expect((posts[1]?.body as { source: string }).source).toContain('return {"y": x + 1}')
  })

  it('offers the projects the person can edit when none is given', async () => {
    renderPage(
      {
        'GET /api/projects/': {
          body: paginated([project({ id: 1, name: 'Viewer only', role: 'viewer' }), project({ id: 2, name: 'Mine', role: 'owner' })]),
        },
      },
      '/operations/new/',
    )
    const select = (await screen.findByLabelText('Project')) as HTMLSelectElement
    expect([...select.options].map((option) => option.textContent)).toEqual(['Mine'])
  })

  it('loads the latest version and posts edited content as a new version', async () => {
    const api = renderPage(
      {
        'GET /api/operations/7/': { body: operation() },
        'GET /api/operations/7/versions/': { body: [version(), version({ id: 60, number: 1, source: 'old' })] },
        'POST /api/operations/7/versions/': (call) => ({
          status: 201,
          body: version({ ...(call.body as object), id: 71, number: 3 }),
        }),
      },
      '/operations/7/edit/',
    )
    const user = userEvent.setup()

    const source = (await screen.findByLabelText('Source')) as HTMLTextAreaElement
    expect(source.value).toContain('def run(a: float)')
    expect((screen.getByLabelText('Parameter 1 default') as HTMLInputElement).value).toBe('3')
    await user.clear(screen.getByLabelText('Parameter 1 default'))
    await user.type(screen.getByLabelText('Parameter 1 default'), '5')
    await user.type(source, '# note')
    await user.keyboard('{Control>}s{/Control}')

    expect(await screen.findByText('Saved as version 3')).toBeTruthy()
    const post = api.calls.find((call) => call.method === 'POST')
    expect(post?.path).toBe('/api/operations/7/versions/')
    expect(post?.body).toMatchObject({
      parameters: [{ name: 'scale', type: 'int', default: 5, description: 'factor' }],
      requirements: ['numpy'],
      resources: { cpu: 1, memory: '512Mi', gpus: 0, cpu_fallback: false },
    })
    expect(api.calls.some((call) => call.method === 'PATCH')).toBe(false)
  })

  it('marks an operation idempotent and posts it with the version', async () => {
    const api = renderPage(
      {
        'GET /api/operations/7/': { body: operation() },
        'GET /api/operations/7/versions/': { body: [version()] },
        'POST /api/operations/7/versions/': (call) => ({
          status: 201,
          body: version({ ...(call.body as object), id: 72, number: 3 }),
        }),
      },
      '/operations/7/edit/',
    )
    const user = userEvent.setup()

    const box = (await screen.findByLabelText(/Safe to run twice/)) as HTMLInputElement
    expect(box.checked).toBe(false)
    await user.click(box)
    await user.keyboard('{Control>}s{/Control}')

    expect(await screen.findByText('Saved as version 3')).toBeTruthy()
    expect(api.calls.find((call) => call.method === 'POST')?.body).toMatchObject({ idempotent: true })
  })

  it('says so when the content is the same as the latest version', async () => {
    renderPage(
      {
        'GET /api/operations/7/': { body: operation() },
        'GET /api/operations/7/versions/': { body: [version()] },
        'POST /api/operations/7/versions/': { status: 200, body: version() },
      },
      '/operations/7/edit/',
    )
    await userEvent.setup().click(await screen.findByRole('button', { name: 'Save version' }))
    expect(await screen.findByText('No changes: version 2 is the same')).toBeTruthy()
  })

  it('shows a 400 next to the field it names and the rest at the top', async () => {
    renderPage(
      {
        'GET /api/operations/7/': { body: operation() },
        'GET /api/operations/7/versions/': { body: [version()] },
        'POST /api/operations/7/versions/': {
          status: 400,
          body: { inputs: ['inputs.a: a port needs a type.'], non_field_errors: ['Something else is off.'] },
        },
      },
      '/operations/7/edit/',
    )
    await userEvent.setup().click(await screen.findByRole('button', { name: 'Save version' }))

    const message = await screen.findByText('inputs.a: a port needs a type.')
    expect(message.closest('fieldset')?.querySelector('legend')?.textContent).toBe('Inputs')
    expect(within(screen.getByRole('alert')).getByText('Something else is off.')).toBeTruthy()
    expect(screen.getByRole('status').textContent).toBe('')
  })

  it('shows a built-in operation read-only', async () => {
    const api = renderPage(
      {
        'GET /api/operations/7/': { body: operation({ project: null, builtin: true }) },
        'GET /api/operations/7/versions/': { body: [version()] },
      },
      '/operations/7/edit/',
    )
    expect(await screen.findByText("Built-in operations can't be edited; duplicate it into your project.")).toBeTruthy()
    expect(screen.queryByRole('button', { name: 'Save version' })).toBeNull()
    expect((screen.getByLabelText('Name') as HTMLInputElement).readOnly).toBe(true)
    expect(screen.queryByRole('button', { name: 'Add input' })).toBeNull()
    await userEvent.setup().keyboard('{Control>}s{/Control}')
    expect(api.calls.every((call) => call.method === 'GET')).toBe(true)
  })

  it('switches a new operation to a container and posts its image, command and args', async () => {
    const created = operation({ id: 9, name: 'Resize', slug: 'resize', latest_version: null })
    const first = version({ id: 90, operation: 9, number: 1, kind: 'container', source: '', image: 'ghcr.io/acme/resize:1.4' })
    const api = renderPage(
      {
        'POST /api/operations/': { status: 201, body: created },
        'POST /api/operations/9/versions/': { status: 201, body: first },
        'GET /api/operations/9/': { body: { ...created, latest_version: first } },
        'GET /api/operations/9/versions/': { body: [first] },
      },
      '/operations/new/?project=1',
    )
    const user = userEvent.setup()
    await screen.findByLabelText('Source')

    await user.click(screen.getByRole('radio', { name: 'Container image' }))
    expect(screen.queryByLabelText('Source')).toBeNull()
    expect(screen.queryByLabelText('Entrypoint')).toBeNull()
    expect(screen.queryByLabelText(/Requirements/)).toBeNull()
    expect(screen.getByText('Run a container image and declare its ports and parameters.')).toBeTruthy()
    // the help lists what {{name}} can use, with its environment variable
    const help = within(screen.getByRole('table', { name: 'Placeholders' }))
    expect(help.getByText('{{x}}')).toBeTruthy()
    expect(help.getByText('$PW_INPUT_X')).toBeTruthy()
    expect(help.getByText('$PW_OUTPUT_Y')).toBeTruthy()

    await user.type(screen.getByLabelText('Name'), 'Resize')
    await user.type(screen.getByLabelText('Image'), 'ghcr.io/acme/resize:1.4')
    await user.click(screen.getByLabelText(/^Command ?one item/))
    await user.paste('resize\n\n  --verbose  ')
    await user.click(screen.getByLabelText(/^Args ?one item/))
    await user.paste('--x={{x}}\n{{ y }}')
    expect(screen.getByLabelText('Command line').textContent).toBe("resize --verbose --x={{x}} '{{ y }}'")
    await user.click(screen.getByRole('button', { name: 'Save version' }))

    expect(await screen.findByText('Saved as version 1')).toBeTruthy()
    const posts = api.calls.filter((call) => call.method === 'POST')
    expect(posts.map((call) => call.path)).toEqual(['/api/operations/', '/api/operations/9/versions/'])
    expect(posts[1]?.body).toMatchObject({
      kind: 'container',
      image: 'ghcr.io/acme/resize:1.4',
      command: ['resize', '--verbose'],
      args: ['--x={{x}}', '{{ y }}'],
      source: '',
      requirements: [],
      inputs: [{ name: 'x', type: 'int', optional: true }],
      outputs: [{ name: 'y', type: 'int' }],
    })
    // the saved container version opens in container mode
    expect((await screen.findByRole('radio', { name: 'Container image' }) as HTMLInputElement).checked).toBe(true)
    expect((screen.getByLabelText('Image') as HTMLInputElement).value).toBe('ghcr.io/acme/resize:1.4')
  })

  it('refuses a bad image and unknown placeholders before saving', async () => {
    const api = renderPage({}, '/operations/new/?project=1')
    const user = userEvent.setup()
    await screen.findByLabelText('Source')
    await user.click(screen.getByRole('radio', { name: 'Container image' }))
    await user.type(screen.getByLabelText('Name'), 'Broken')
    await user.type(screen.getByLabelText('Image'), 'Ubuntu:22.04')
    await user.click(screen.getByLabelText(/^Args ?one item/))
    await user.paste('{{x}}\n{{model}}')
    await user.click(screen.getByRole('button', { name: 'Save version' }))

    expect(await screen.findByText("'Ubuntu:22.04': repository names must be lowercase.")).toBeTruthy()
    expect(screen.getByLabelText('Image').getAttribute('aria-invalid')).toBe('true')
    expect(screen.getByText('Item 2: unknown placeholder {{model}}; known: {{x}}, {{y}}.')).toBeTruthy()
    expect(api.calls.some((call) => call.method === 'POST')).toBe(false)
  })

  it('loads a container version and shows a 400 about its image next to the field', async () => {
    const container = version({
      kind: 'container',
      source: '',
      entrypoint: '',
      requirements: [],
      image: 'busybox:1.36',
      command: ['sh', '-c'],
      args: ['echo {{scale}} > {{b}}'],
    })
    const api = renderPage(
      {
        'GET /api/operations/7/': { body: operation({ latest_version: container }) },
        'GET /api/operations/7/versions/': { body: [container] },
        'POST /api/operations/7/versions/': { status: 400, body: { image: ['The registry is not allowed.'] } },
      },
      '/operations/7/edit/',
    )
    const user = userEvent.setup()
    expect((await screen.findByRole('radio', { name: 'Container image' }) as HTMLInputElement).checked).toBe(true)
    expect((screen.getByLabelText(/^Command ?one item/) as HTMLTextAreaElement).value).toBe('sh\n-c')
    expect((screen.getByLabelText(/^Args ?one item/) as HTMLTextAreaElement).value).toBe('echo {{scale}} > {{b}}')
    expect(screen.getByLabelText('Command line').textContent).toBe("sh -c 'echo {{scale}} > {{b}}'")

    await user.click(screen.getByRole('button', { name: 'Save version' }))
    const message = await screen.findByText('The registry is not allowed.')
    expect(screen.getByLabelText('Image').getAttribute('aria-describedby')).toBe(message.id)
    expect(api.calls.find((call) => call.method === 'POST')?.body).toMatchObject({
      kind: 'container',
      command: ['sh', '-c'],
      args: ['echo {{scale}} > {{b}}'],
    })
  })

  it('duplicates a built-in into a project and opens the copy', async () => {
    const builtin = operation({ project: null, builtin: true })
    const copy = operation({ id: 12, project: 2, name: 'Scale (copy)', slug: 'scale-copy', latest_version: version({ id: 120, operation: 12, number: 1 }) })
    const api = renderPage(
      {
        'GET /api/operations/7/': { body: builtin },
        'GET /api/operations/7/versions/': { body: [version()] },
        'GET /api/projects/': {
          body: paginated([
            project({ id: 1, name: 'Viewer only', role: 'viewer' }),
            project({ id: 2, name: 'Mine', role: 'editor' }),
            project({ id: 3, name: 'Other', role: 'owner' }),
          ]),
        },
        'POST /api/operations/7/duplicate/': { status: 201, body: copy },
        'GET /api/operations/12/': { body: copy },
        'GET /api/operations/12/versions/': { body: [copy.latest_version] },
      },
      '/operations/7/edit/?project=3',
    )
    const user = userEvent.setup()
    await user.click(await screen.findByRole('button', { name: 'Duplicate into project' }))

    const dialog = await screen.findByRole('dialog', { name: 'Duplicate into project' })
    const select = (await within(dialog).findByLabelText('Project')) as HTMLSelectElement
    expect([...select.options].map((option) => option.textContent)).toEqual(['Mine', 'Other'])
    expect(select.value).toBe('3')
    expect((within(dialog).getByLabelText(/Name/) as HTMLInputElement).placeholder).toBe('Scale (copy)')
    await user.selectOptions(select, '2')
    await user.click(within(dialog).getByRole('button', { name: 'Duplicate' }))

    expect(await screen.findByRole('heading', { name: 'Edit Scale (copy)' })).toBeTruthy()
    expect(screen.getByRole('status').textContent).toBe('Duplicated as “Scale (copy)”, version 1')
    expect(screen.queryByRole('dialog')).toBeNull()
    expect(screen.getByRole('button', { name: 'Save version' })).toBeTruthy()
    const post = api.calls.find((call) => call.method === 'POST')
    expect(post?.path).toBe('/api/operations/7/duplicate/')
    expect(post?.body).toEqual({ project: 2 })
  })

  it('adds and removes port rows', async () => {
    renderPage({}, '/operations/new/?project=1')
    const user = userEvent.setup()
    await screen.findByLabelText('Source')
    const inputs = () => within(screen.getByRole('table', { name: 'Inputs' })).getAllByRole('row').slice(1)
    expect(inputs()).toHaveLength(1)

    await user.click(screen.getByRole('button', { name: 'Add input' }))
    expect(inputs()).toHaveLength(2)
    await user.type(screen.getByLabelText('Inputs 2 name'), 'path')
    await user.selectOptions(screen.getByLabelText('Inputs 2 type'), 'file')
    expect((screen.getByLabelText('Inputs 2 type') as HTMLSelectElement).value).toBe('file')

    await user.click(screen.getByRole('button', { name: 'Remove input x' }))
    expect(inputs()).toHaveLength(1)
    expect((screen.getByLabelText('Inputs 1 name') as HTMLInputElement).value).toBe('path')

    await user.click(screen.getByRole('button', { name: 'Remove input path' }))
    await waitFor(() => expect(screen.queryByRole('table', { name: 'Inputs' })).toBeNull())
    expect(screen.getByText('No inputs.')).toBeTruthy()
  })
})
