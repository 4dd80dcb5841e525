// @vitest-environment node
import { describe, expect, it } from 'vitest'
import { problemNodeId, problemNodeIds, submitProblems } from './problems'

const error = (status: number, body: unknown) => ({ status, body })

describe('problemNodeId', () => {
  it('finds the node a graph problem names', () => {
    expect(problemNodeId('node split, port dataset: required input is not connected')).toBe('split')
    expect(problemNodeId('node train.v2: unknown operation')).toBe('train.v2')
    expect(problemNodeId('node report')).toBe('report')
  })

  it('is null for other messages', () => {
    expect(problemNodeId('edge e1: source node is missing')).toBeNull()
    expect(problemNodeId('The pipeline has no nodes.')).toBeNull()
    expect(problemNodeId('nodes must be a list')).toBeNull()
  })
})

describe('submitProblems', () => {
  it('lists graph problems as they are, with their node', () => {
    const problems = submitProblems(
      error(400, {
        graph: [
          'node split, port dataset: required input is not connected',
          'node report, port metrics: required input is not connected',
        ],
      }),
    )
    expect(problems).toEqual([
      { message: 'node split, port dataset: required input is not connected', nodeId: 'split' },
      { message: 'node report, port metrics: required input is not connected', nodeId: 'report' },
    ])
    expect(problemNodeIds(problems)).toEqual(['split', 'report'])
  })

  it('names other fields and keeps general messages plain', () => {
    expect(
      submitProblems(
        error(400, {
          compute: ['unknown compute backend "gpu-farm"'],
          non_field_errors: ['The pipeline has no nodes.'],
        }),
      ).map((problem) => problem.message),
    ).toEqual(['Compute: unknown compute backend "gpu-farm"', 'The pipeline has no nodes.'])
  })

  it('explains refusals and failures that are not 400s', () => {
    expect(
      submitProblems(error(403, { detail: 'Running a pipeline needs the editor role in its project.' })),
    ).toEqual([{ message: 'Running a pipeline needs the editor role in its project.', nodeId: null }])
    expect(submitProblems(error(500, '<h1>Server Error</h1>'))[0]!.message).toMatch(/server ran into a problem/)
    expect(submitProblems(error(0, null))[0]!.message).toMatch(/Could not reach the server/)
  })

  it('does not repeat a node', () => {
    expect(
      problemNodeIds([
        { message: 'a', nodeId: 'x' },
        { message: 'b', nodeId: 'x' },
        { message: 'c', nodeId: null },
      ]),
    ).toEqual(['x'])
  })
})
