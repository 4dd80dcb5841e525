import { render } from '@testing-library/react'
import type { ReactElement } from 'react'
import { MemoryRouter, Route, Routes, useLocation } from 'react-router-dom'
import { DEFAULT_BOOT, type Boot } from '../boot'
import { BootProvider } from '../BootContext'

export const TEST_BOOT: Boot = {
  ...DEFAULT_BOOT,
  user: { username: 'ada', isStaff: false },
  csrfToken: 'test-csrf-token',
}

/** Shows where the router went, for asserting on navigation. */
export function LocationProbe() {
  const location = useLocation()
  return <div data-testid="location">{location.pathname + location.search}</div>
}

/** Renders `element` at `path` with the given extra routes (e.g. a probe for navigation). */
export function renderAt(
  path: string,
  routes: { path: string; element: ReactElement }[],
  boot: Boot = TEST_BOOT,
) {
  return render(
    <BootProvider boot={boot}>
      <MemoryRouter initialEntries={[path]}>
        <Routes>
          {routes.map((route) => (
            <Route key={route.path} path={route.path} element={route.element} />
          ))}
        </Routes>
      </MemoryRouter>
    </BootProvider>,
  )
}
