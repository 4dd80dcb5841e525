// @vitest-environment node
import { describe, expect, it } from 'vitest'
import { filterPipelines, normalizeText, searchTerms } from './filter'

const pipelines = [
  { id: 1, name: 'Train churn model', description: 'Gradient boosting on customer events' },
  { id: 2, name: 'Clean raw events', description: 'Deduplicate and validate the Kafka dump' },
  { id: 3, name: 'Résumé parser', description: '' },
]

describe('filterPipelines', () => {
  it('keeps everything for an empty or blank query', () => {
    expect(filterPipelines(pipelines, '')).toEqual(pipelines)
    expect(filterPipelines(pipelines, '   ')).toEqual(pipelines)
  })

  it('matches the name, ignoring case', () => {
    expect(filterPipelines(pipelines, 'CHURN').map((p) => p.id)).toEqual([1])
  })

  it('matches the description', () => {
    expect(filterPipelines(pipelines, 'kafka').map((p) => p.id)).toEqual([2])
  })

  it('needs every term, in any order, across name and description', () => {
    expect(filterPipelines(pipelines, 'events clean').map((p) => p.id)).toEqual([2])
    expect(filterPipelines(pipelines, 'events').map((p) => p.id)).toEqual([1, 2])
    expect(filterPipelines(pipelines, 'events parser')).toEqual([])
  })

  it('ignores accents both ways', () => {
    expect(filterPipelines(pipelines, 'resume').map((p) => p.id)).toEqual([3])
    expect(filterPipelines(pipelines, 'RÉSUMÉ').map((p) => p.id)).toEqual([3])
  })

  it('does not change the list it was given', () => {
    const copy = [...pipelines]
    filterPipelines(pipelines, 'churn')
    expect(pipelines).toEqual(copy)
  })
})

describe('searchTerms and normalizeText', () => {
  it('splits on whitespace and normalizes', () => {
    expect(searchTerms('  Foo   BÄR ')).toEqual(['foo', 'bar'])
    expect(normalizeText('Ça Va')).toBe('ca va')
  })
})
