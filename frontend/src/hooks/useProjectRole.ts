import { itemsOf, listProjects } from '../api/endpoints'
import type { ProjectRole } from '../api/types'
import { useResource } from './useResource'

/** The user's role in a project; null while unknown (loading, failed, or not a member). */
export function useProjectRole(projectId: number | null | undefined): ProjectRole | null {
  const projects = useResource((signal) => listProjects(signal).then(itemsOf), [])
  if (projectId === null || projectId === undefined || !projects.data) return null
  return projects.data.find((project) => project.id === projectId)?.role ?? null
}

/** Running, cancelling and re-running need the editor role. */
export function canRun(role: ProjectRole | null): boolean {
  return role !== 'viewer'
}

/** Editing a pipeline needs the editor (or owner) role; unknown (loading) counts as no. */
export function canEdit(role: ProjectRole | null): boolean {
  return role === 'editor' || role === 'owner'
}
