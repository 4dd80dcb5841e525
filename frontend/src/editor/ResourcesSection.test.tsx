import { act, fireEvent, render, screen, within } from '@testing-library/react'
import { MemoryRouter } from 'react-router-dom'
import { describe, expect, it } from 'vitest'
import type { Graph, Operation } from '../api/types'
import { Inspector } from './Inspector'
import { createEditorStore } from './store'
import { OPERATIONS, TRAIN } from './testOperations'

// train asks for 2 CPUs, 4Gi and a GPU with CPU fallback.
const GPU_TRAIN: Operation = {
  ...TRAIN,
  latest_version: {
    ...TRAIN.latest_version!,
    resources: { cpu: 2, memory: '4Gi', gpus: 1, cpu_fallback: true },
  },
}

function setup(overrides: Partial<Graph['nodes'][number]> = {}) {
  const document: Graph = {
    nodes: [{ id: 'train', operation: 2, label: '', params: {}, position: { x: 0, y: 0 }, ...overrides }],
    edges: [],
    inputs: [],
  }
  const operations = OPERATIONS.map((operation) => (operation.id === 2 ? GPU_TRAIN : operation))
  const store = createEditorStore({ operations, document })
  store.getState().select({ nodes: ['train'] })
  render(
    <MemoryRouter>
      <Inspector store={store} pipeline={{ name: 'P', projectName: 'Team', revision: 1, latestVersion: null }} />
    </MemoryRouter>,
  )
  const section = screen.getByRole('region', { name: 'Resources & retries' })
  const field = (label: string | RegExp) => within(section).getByLabelText(label) as HTMLInputElement
  const node = () => store.getState().document.nodes[0]!
  return { store, section, field, node }
}

describe('Resources & retries', () => {
  it("shows the operation's resources and the run's defaults as placeholders", () => {
    const { field, section } = setup()
    expect(field('CPU').placeholder).toBe('2 (operation)')
    expect(field('Memory').placeholder).toBe('4Gi (operation)')
    expect(field('GPUs').placeholder).toBe('1 (operation)')
    expect(field('CPU fallback').value).toBe('')
    expect(within(field('CPU fallback')).getByRole('option', { selected: true }).textContent).toBe(
      'As the operation (allowed)',
    )
    expect(within(field('Resource type')).getByRole('option', { selected: true }).textContent).toBe(
      'As the operation (Job)',
    )
    expect(field('Retries').placeholder).toBe("0 (run's default)")
    expect(field('Retry backoff (s)').placeholder).toBe("2 (run's default)")
    expect(field('Timeout (s)').placeholder).toBe("none (run's default)")
    // workers only matter for Kubeflow training jobs
    expect(within(section).queryByLabelText('Workers')).toBeNull()
    expect((within(section).getByRole('button', { name: 'Reset to operation defaults' }) as HTMLButtonElement).disabled).toBe(
      true,
    )
  })

  it('sets overrides in the store and explains refused values next to the field', () => {
    const { field, node, section } = setup()
    fireEvent.change(field('Memory'), { target: { value: '2GB' } })
    const alert = within(section).getByRole('alert')
    expect(alert.textContent).toBe('memory must be a quantity like 512Mi or 2Gi (bytes, Ki, Mi, Gi or Ti)')
    expect(field('Memory').getAttribute('aria-invalid')).toBe('true')
    expect(field('Memory').getAttribute('aria-describedby')).toBe(alert.id)
    expect(node().resources).toBeUndefined()

    fireEvent.change(field('Memory'), { target: { value: '512Mi' } })
    expect(within(section).queryByRole('alert')).toBeNull()
    expect(node().resources).toEqual({ memory: '512Mi' })

    fireEvent.change(field('GPUs'), { target: { value: '65' } })
    expect(within(section).getByRole('alert').textContent).toBe('gpus must be a whole number from 0 to 64')
    fireEvent.change(field('GPUs'), { target: { value: '0' } })
    fireEvent.change(field('CPU fallback'), { target: { value: 'false' } })
    fireEvent.change(field('Retries'), { target: { value: '25' } })
    expect(within(section).getByRole('alert').textContent).toBe('retries must be a whole number from 0 to 20')
    fireEvent.change(field('Retries'), { target: { value: '3' } })
    fireEvent.change(field('Retry backoff (s)'), { target: { value: '0.5' } })
    fireEvent.change(field('Timeout (s)'), { target: { value: '0' } })
    expect(within(section).getByRole('alert').textContent).toMatch(/^timeout_seconds must be a number of seconds above 0/)
    fireEvent.change(field('Timeout (s)'), { target: { value: '90' } })
    expect(node()).toMatchObject({
      resources: { memory: '512Mi', gpus: 0, cpu_fallback: false },
      retries: 3,
      retry_backoff_seconds: 0.5,
      timeout_seconds: 90,
    })

    // emptying a field goes back to the default
    fireEvent.change(field('Retries'), { target: { value: '' } })
    expect('retries' in node()).toBe(false)
  })

  it('asks for workers only for a Kubeflow resource type', () => {
    const { field, node, section } = setup()
    fireEvent.change(field('Resource type'), { target: { value: 'PyTorchJob' } })
    expect(node().resources).toEqual({ resource_type: 'PyTorchJob' })
    const workers = field('Workers')
    expect(workers.placeholder).toBe('1 (operation)')
    fireEvent.change(workers, { target: { value: '0' } })
    expect(within(section).getByRole('alert').textContent).toBe('workers must be a whole number from 1 to 1024')
    fireEvent.change(workers, { target: { value: '4' } })
    expect(node().resources).toEqual({ resource_type: 'PyTorchJob', workers: 4 })
    fireEvent.change(field('Resource type'), { target: { value: '' } })
    expect(within(section).queryByLabelText('Workers')).toBeNull()
  })

  it('resets every override at once, as one undoable step, and follows undo', () => {
    const { store, field, node, section } = setup({ resources: { cpu: 8 }, timeout_seconds: 30 })
    expect(field('CPU').value).toBe('8')
    expect(field('Timeout (s)').value).toBe('30')
    fireEvent.change(field('Memory'), { target: { value: 'oops' } })
    const reset = within(section).getByRole('button', { name: 'Reset to operation defaults' })
    fireEvent.click(reset)
    expect(node()).toEqual({ id: 'train', operation: 2, label: '', params: {}, position: { x: 0, y: 0 } })
    expect(field('CPU').value).toBe('')
    expect(field('Memory').value).toBe('')
    expect(within(section).queryByRole('alert')).toBeNull()
    expect((reset as HTMLButtonElement).disabled).toBe(true)
    expect(store.getState().dirty).toBe(true)

    act(() => store.getState().undo())
    expect(field('CPU').value).toBe('8')
    expect(field('Timeout (s)').value).toBe('30')
    expect(store.getState().dirty).toBe(false)
  })
})
