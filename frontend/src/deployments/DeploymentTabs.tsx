import { NavLink } from 'react-router-dom'

/** Deployments and the environment variables their mappings read: two tabs of one section. */
export function DeploymentTabs() {
  const tabClass = ({ isActive }: { isActive: boolean }) => (isActive ? 'section-tab is-active' : 'section-tab')
  return (
    <nav className="section-tabs" aria-label="Deployments sections">
      <NavLink to="/deployments/" end className={tabClass}>
        Deployments
      </NavLink>
      <NavLink to="/environment/" className={tabClass}>
        Environment variables
      </NavLink>
    </nav>
  )
}
