import { afterEach, describe, expect, it } from 'vitest'
import { BOOT_ELEMENT_ID, DEFAULT_BOOT, parseBoot, readBoot } from './boot'

function addBootElement(text: string) {
  const element = document.createElement('script')
  element.type = 'application/json'
  element.id = BOOT_ELEMENT_ID
  element.textContent = text
  document.body.appendChild(element)
}

afterEach(() => document.getElementById(BOOT_ELEMENT_ID)?.remove())

describe('readBoot', () => {
  it('reads the boot element Django renders', () => {
    addBootElement(
      JSON.stringify({
        user: { username: 'ada', isStaff: true },
        csrfToken: 'tok',
        logoutUrl: '/accounts/logout/',
        apiDocsUrl: '/api/docs/',
        adminUrl: '/admin/',
      }),
    )
    expect(readBoot()).toEqual({
      ...DEFAULT_BOOT,
      user: { username: 'ada', isStaff: true },
      csrfToken: 'tok',
    })
  })

  it('falls back to defaults without an element or with bad JSON', () => {
    expect(readBoot()).toEqual(DEFAULT_BOOT)
    addBootElement('{not json')
    expect(readBoot()).toEqual(DEFAULT_BOOT)
  })
})

describe('parseBoot', () => {
  it('keeps defaults for missing or mistyped fields', () => {
    expect(parseBoot({ user: { username: 7, isStaff: 'yes' }, logoutUrl: '' })).toEqual(DEFAULT_BOOT)
  })
})
