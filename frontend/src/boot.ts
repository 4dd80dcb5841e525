// Boot data: Django renders `<script type="application/json" id="pipewright-boot">` into the
// page with the current user, the CSRF token and a few URLs. Outside Django (tests,
// `npm run dev`) sane defaults apply.

export interface BootUser {
  username: string
  isStaff: boolean
}

export interface Boot {
  user: BootUser
  csrfToken: string
  logoutUrl: string
  apiDocsUrl: string
  adminUrl: string
  loginUrl: string
}

export const BOOT_ELEMENT_ID = 'pipewright-boot'

export const DEFAULT_BOOT: Boot = {
  user: { username: '', isStaff: false },
  csrfToken: '',
  logoutUrl: '/accounts/logout/',
  apiDocsUrl: '/api/docs/',
  adminUrl: '/admin/',
  loginUrl: '/accounts/login/',
}

function str(value: unknown, fallback: string): string {
  return typeof value === 'string' && value ? value : fallback
}

/** Boot data from a parsed JSON value, keeping defaults for anything missing or mistyped. */
export function parseBoot(raw: unknown): Boot {
  const data = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>
  const user = (typeof data.user === 'object' && data.user !== null ? data.user : {}) as Record<
    string,
    unknown
  >
  return {
    user: {
      username: typeof user.username === 'string' ? user.username : DEFAULT_BOOT.user.username,
      isStaff: user.isStaff === true,
    },
    csrfToken: str(data.csrfToken, DEFAULT_BOOT.csrfToken),
    logoutUrl: str(data.logoutUrl, DEFAULT_BOOT.logoutUrl),
    apiDocsUrl: str(data.apiDocsUrl, DEFAULT_BOOT.apiDocsUrl),
    adminUrl: str(data.adminUrl, DEFAULT_BOOT.adminUrl),
    loginUrl: str(data.loginUrl, DEFAULT_BOOT.loginUrl),
  }
}

/** Reads the boot element of the page; defaults when it is missing or not valid JSON. */
export function readBoot(doc: Document = document): Boot {
  const element = doc.getElementById(BOOT_ELEMENT_ID)
  if (!element?.textContent) return parseBoot(null)
  try {
    return parseBoot(JSON.parse(element.textContent))
  } catch {
    return parseBoot(null)
  }
}
