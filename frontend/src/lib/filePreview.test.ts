// @vitest-environment node
import { describe, expect, it } from 'vitest'
import { PREVIEW_MAX_BYTES, parseDelimited, previewKind, tablePreview, textPreview } from './filePreview'

describe('previewKind', () => {
  it('previews small text-like files by their extension', () => {
    expect(previewKind('train.history.CSV', 10)).toBe('csv')
    expect(previewKind('a.tsv', 10)).toBe('tsv')
    for (const name of ['a.txt', 'a.log', 'README.md', 'a.json']) expect(previewKind(name, 10)).toBe('text')
    expect(previewKind('a.txt', PREVIEW_MAX_BYTES)).toBe('text')
    expect(previewKind('a.txt', PREVIEW_MAX_BYTES + 1)).toBeNull()
    expect(previewKind('model.pkl', 10)).toBeNull()
    expect(previewKind('csv', 10)).toBeNull()
    expect(previewKind(undefined, 10)).toBeNull()
  })
})

describe('parseDelimited', () => {
  it('splits rows and fields, with quoted commas, doubled quotes and newlines in quotes', () => {
    expect(parseDelimited('a,b,c\n1,"x, y","say ""hi"""\r\n2,,"multi\nline"\n')).toEqual([
      ['a', 'b', 'c'],
      ['1', 'x, y', 'say "hi"'],
      ['2', '', 'multi\nline'],
    ])
  })

  it('keeps a last row without a newline, empty fields, and other delimiters', () => {
    expect(parseDelimited('a,\n,b')).toEqual([['a', ''], ['', 'b']])
    expect(parseDelimited('a\tb,c')).toEqual([['a\tb', 'c']])
    expect(parseDelimited('a\tb,c\n1\t2', '\t')).toEqual([['a', 'b,c'], ['1', '2']])
    expect(parseDelimited('')).toEqual([])
    expect(parseDelimited('""')).toEqual([['']])
  })
})

describe('tablePreview and textPreview', () => {
  it('takes the header and the first rows, counting all', () => {
    const csv = ['n,sq', ...Array.from({ length: 25 }, (_, i) => `${i},${i * i}`)].join('\n')
    const table = tablePreview(csv, 'csv')
    expect(table.header).toEqual(['n', 'sq'])
    expect(table.rows).toHaveLength(20)
    expect(table.rows[19]).toEqual(['19', '361'])
    expect(table.total).toBe(25)
    expect(tablePreview('a\tb\n1\t2', 'tsv')).toEqual({ header: ['a', 'b'], rows: [['1', '2']], total: 1 })
  })

  it('cuts long text', () => {
    expect(textPreview('short')).toEqual({ text: 'short', truncated: false })
    expect(textPreview('abcdef', 3)).toEqual({ text: 'abc…', truncated: true })
  })
})
