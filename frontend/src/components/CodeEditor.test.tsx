import { render, screen } from '@testing-library/react'
import { describe, expect, it, vi } from 'vitest'
import CodeEditor from './CodeEditor'

describe('CodeEditor', () => {
  it('shows the source in a labelled CodeMirror editor', () => {
    const { container } = render(<CodeEditor value={'def run():\n    pass'} onChange={vi.fn()} />)
    const content = screen.getByLabelText('Source')
    expect(content.classList.contains('cm-content')).toBe(true)
    expect(container.textContent).toContain('def run():')
  })
})
