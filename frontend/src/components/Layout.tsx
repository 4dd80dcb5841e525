import { NavLink, Outlet, useLocation } from 'react-router-dom'
import { useBoot } from '../BootContext'
import { initTheme } from '../lib/theme'
import { Logo } from './Logo'
import { ThemeToggle } from './ThemeToggle'

// Apply the stored theme as soon as the app's modules load, before React's first paint.
initTheme()

function LogoutForm({ action, csrfToken }: { action: string; csrfToken: string }) {
  // Django 5 logs out on POST only.
  return (
    <form method="post" action={action} className="logout-form">
      <input type="hidden" name="csrfmiddlewaretoken" value={csrfToken} />
      <button type="submit" className="button button-ghost button-small">
        Log out
      </button>
    </form>
  )
}

export function TopBar() {
  const boot = useBoot()
  const { username, isStaff } = boot.user
  const location = useLocation()
  const navClass = ({ isActive }: { isActive: boolean }) =>
    isActive ? 'topbar-link is-active' : 'topbar-link'
  // The environment variables page is a tab of Deployments.
  const deploymentsClass = ({ isActive }: { isActive: boolean }) =>
    navClass({ isActive: isActive || location.pathname.startsWith('/environment/') })

  return (
    <header className="topbar">
      <div className="topbar-inner">
        <NavLink to="/pipelines/" className="brand" aria-label="Pipewright home">
          <Logo />
          <span>Pipewright</span>
        </NavLink>
        <nav className="topbar-nav" aria-label="Main">
          <NavLink to="/pipelines/" className={navClass}>
            Pipelines
          </NavLink>
          <NavLink to="/runs/" className={navClass}>
            Runs
          </NavLink>
          <NavLink to="/recurring/" className={navClass}>
            Recurring
          </NavLink>
          <NavLink to="/deployments/" className={deploymentsClass}>
            Deployments
          </NavLink>
          <NavLink to="/repositories/" className={navClass}>
            Repositories
          </NavLink>
          <NavLink to="/experiments/" className={navClass}>
            Experiments
          </NavLink>
          <NavLink to="/executions/" className={navClass}>
            Executions
          </NavLink>
          <NavLink to="/artifacts/" className={navClass}>
            Artifacts
          </NavLink>
        </nav>
        <div className="topbar-aside">
          <a className="topbar-link" href={boot.apiDocsUrl}>
            API docs
          </a>
          {isStaff && (
            <a className="topbar-link" href={boot.adminUrl}>
              Admin
            </a>
          )}
          <ThemeToggle />
          {username ? (
            <div className="user-menu">
              <span className="user-chip" title={`Logged in as ${username}`}>
                <span className="avatar" aria-hidden="true">
                  {username.charAt(0).toUpperCase()}
                </span>
                <span className="user-name">{username}</span>
              </span>
              <LogoutForm action={boot.logoutUrl} csrfToken={boot.csrfToken} />
            </div>
          ) : (
            <a className="button button-ghost button-small" href={boot.loginUrl}>
              Log in
            </a>
          )}
        </div>
      </div>
    </header>
  )
}

export function Layout() {
  return (
    <div className="app">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <TopBar />
      <main id="main" className="main" tabIndex={-1}>
        <Outlet />
      </main>
    </div>
  )
}
