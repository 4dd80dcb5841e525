import { describe, expect, it } from 'vitest'
import { imageProblem, linesOf, placeholderNames, placeholders, shellPreview, unknownPlaceholders } from './container'

describe('imageProblem', () => {
  it.each([
    'python',
    'python:3.12-slim',
    'ghcr.io/acme/resize:1.4',
    'localhost:5000/tools/resize',
    `busybox@sha256:${'a'.repeat(64)}`,
    '[::1]:5000/tools/x:1',
  ])('accepts %s', (image) => {
    expect(imageProblem(image)).toBeNull()
  })

  it.each([
    ['', 'needs an image'],
    ['python 3', 'no spaces'],
    ['Ubuntu:22.04', 'lowercase'],
    ['python:', 'not an image reference'],
    ['busybox@sha256:abc', 'not an image reference'],
  ])('refuses %j', (image, says) => {
    expect(imageProblem(image)).toContain(says)
  })
})

describe('placeholders', () => {
  it('finds each {{name}}, spaces allowed', () => {
    expect(placeholders('--lr={{ lr }} {{data}}/x {{}}')).toEqual(['lr', 'data', ''])
  })

  it('names the unknown ones with the item number', () => {
    const known = placeholderNames({ parameters: [{ name: 'lr' }], inputs: [{ name: 'data' }], outputs: [{ name: '' }] })
    expect(known.map((row) => row.env)).toEqual(['PW_PARAM_LR', 'PW_INPUT_DATA'])
    expect(unknownPlaceholders(['{{lr}}', 'x', '{{model}}'], known)).toEqual([
      'Item 3: unknown placeholder {{model}}; known: {{data}}, {{lr}}.',
    ])
  })
})

describe('linesOf and shellPreview', () => {
  it('takes one trimmed item per line and quotes what a shell would split', () => {
    const items = linesOf('python\n  -c \n\nprint("hi there")\n')
    expect(items).toEqual(['python', '-c', 'print("hi there")'])
    expect(shellPreview(items)).toBe(`python -c 'print("hi there")'`)
  })
})
