// @vitest-environment node
import { describe, expect, it } from 'vitest'
import {
  errorMessage,
  errorMessages,
  fieldErrors,
  flattenMessages,
  generalErrors,
  humanizeField,
  isAuthError,
} from './errors'

describe('fieldErrors', () => {
  it('keeps the messages of each field', () => {
    expect(
      fieldErrors({ name: ['This field is required.'], project: ['Invalid pk "9".'] }),
    ).toEqual({ name: ['This field is required.'], project: ['Invalid pk "9".'] })
  })

  it('leaves out general messages', () => {
    expect(fieldErrors({ detail: 'Not found.', non_field_errors: ['Taken.'] })).toEqual({})
  })

  it('flattens nested errors with their path', () => {
    expect(fieldErrors({ graph: { nodes: ['Cycle between a and b.'] } })).toEqual({
      graph: ['Nodes: Cycle between a and b.'],
    })
    expect(fieldErrors({ tags: [{}, ['Too long.']] })).toEqual({ tags: ['Too long.'] })
  })

  it('accepts a bare string per field and ignores non-objects', () => {
    expect(fieldErrors({ name: 'Too long.' })).toEqual({ name: ['Too long.'] })
    expect(fieldErrors('<html>')).toEqual({})
    expect(fieldErrors(null)).toEqual({})
  })
})

describe('generalErrors', () => {
  it('reads detail and non_field_errors', () => {
    expect(generalErrors({ detail: 'Not found.' })).toEqual(['Not found.'])
    expect(
      generalErrors({ non_field_errors: ['The fields project, name must make a unique set.'] }),
    ).toEqual(['The fields project, name must make a unique set.'])
  })

  it('reads a bare list', () => {
    expect(generalErrors(['One.', 'Two.'])).toEqual(['One.', 'Two.'])
  })
})

describe('errorMessages', () => {
  it('puts general messages before field messages', () => {
    expect(
      errorMessages({
        status: 400,
        body: { source_port: ['Unknown port.'], non_field_errors: ['Graph is invalid.'] },
      }),
    ).toEqual(['Graph is invalid.', 'Source port: Unknown port.'])
  })

  it('uses the DRF detail', () => {
    expect(
      errorMessages({ status: 403, body: { detail: 'You do not have permission to perform this action.' } }),
    ).toEqual(['You do not have permission to perform this action.'])
  })

  it('explains bare statuses', () => {
    expect(errorMessages({ status: 0, body: null })[0]).toMatch(/could not reach the server/i)
    expect(errorMessages({ status: 404, body: null })).toEqual(['Not found.'])
    expect(errorMessages({ status: 400, body: '' })).toEqual(['The request failed (400).'])
  })

  it('never shows a server error page', () => {
    expect(errorMessages({ status: 500, body: '<!doctype html><h1>Server Error</h1>' })).toEqual([
      'The server ran into a problem (500). Try again in a moment.',
    ])
  })

  it('handles plain errors and unknown values', () => {
    expect(errorMessages(new Error('Boom'))).toEqual(['Boom'])
    expect(errorMessages(undefined)).toEqual(['Something went wrong.'])
    expect(errorMessage({ status: 400, body: { a: ['x'], b: ['y'] } })).toBe('A: x B: y')
  })
})

describe('isAuthError', () => {
  it('recognises a missing session', () => {
    expect(isAuthError({ status: 401, body: null })).toBe(true)
    expect(
      isAuthError({ status: 403, body: { detail: 'Authentication credentials were not provided.' } }),
    ).toBe(true)
  })

  it('does not mistake a permission error for one', () => {
    expect(
      isAuthError({ status: 403, body: { detail: 'You do not have permission to perform this action.' } }),
    ).toBe(false)
    expect(isAuthError(new Error('x'))).toBe(false)
  })
})

describe('helpers', () => {
  it('humanizes field names', () => {
    expect(humanizeField('source_port')).toBe('Source port')
    expect(humanizeField('name')).toBe('Name')
  })

  it('flattens anything', () => {
    expect(flattenMessages([' a ', ['b'], { c: 'd' }, 3, null])).toEqual(['a', 'b', 'C: d', '3'])
  })
})
