import { lazy, Suspense, type ReactNode } from 'react'
import { Navigate, Route, Routes, useLocation } from 'react-router-dom'
import { ErrorBoundary } from './components/ErrorBoundary'
import { Layout } from './components/Layout'
import { Spinner } from './components/States'
import { NotFoundPage } from './pages/NotFoundPage'
import { ExperimentPage } from './pages/ExperimentPage'
import { ExperimentsPage } from './pages/ExperimentsPage'
import { PipelinesPage } from './pages/PipelinesPage'
import { RunsPage } from './pages/RunsPage'

// The graph canvas (React Flow) is loaded only when a pipeline or a run is opened, keeping the
// first load of the lists small. All CSS stays in the entry, so Django's manifest lookup
// ("index.html" -> file + css) is all a page needs.
const PipelinePage = lazy(() => import('./pages/PipelinePage'))
const RunPage = lazy(() => import('./pages/RunPage'))
const PipelineEditorPage = lazy(() => import('./pages/PipelineEditorPage'))
const OperationEditorPage = lazy(() => import('./pages/OperationEditorPage'))
const ArtifactsPage = lazy(() => import('./pages/ArtifactsPage'))
const ExecutionsPage = lazy(() => import('./pages/ExecutionsPage'))
const RunComparePage = lazy(() => import('./pages/RunComparePage'))
const RecurringRunsPage = lazy(() =>
  import('./recurring/RecurringRunsPage').then((module) => ({ default: module.RecurringRunsPage })),
)
const RecurringRunPage = lazy(() =>
  import('./recurring/RecurringRunPage').then((module) => ({ default: module.RecurringRunPage })),
)
const DeployPage = lazy(() => import('./deployments/DeployPage').then((module) => ({ default: module.DeployPage })))
const DeploymentsPage = lazy(() =>
  import('./deployments/DeploymentsPage').then((module) => ({ default: module.DeploymentsPage })),
)
const DeploymentPage = lazy(() =>
  import('./deployments/DeploymentPage').then((module) => ({ default: module.DeploymentPage })),
)
const EnvironmentPage = lazy(() =>
  import('./deployments/EnvironmentPage').then((module) => ({ default: module.EnvironmentPage })),
)
const RepositoriesPage = lazy(() =>
  import('./repositories/RepositoriesPage').then((module) => ({ default: module.RepositoriesPage })),
)

function Page({ children }: { children: ReactNode }) {
  const location = useLocation()
  return (
    <ErrorBoundary key={location.pathname}>
      <Suspense
        fallback={
          <div className="page">
            <Spinner />
          </div>
        }
      >
        {children}
      </Suspense>
    </ErrorBoundary>
  )
}

/** Browser routes; trailing slashes match Django's URLs. */
export function AppRoutes() {
  return (
    <Routes>
      <Route element={<Layout />}>
        <Route index element={<Navigate to="/pipelines/" replace />} />
        <Route path="pipelines/" element={<Page><PipelinesPage /></Page>} />
        <Route path="pipelines/:id/" element={<Page><PipelinePage /></Page>} />
        <Route path="pipelines/:id/edit/" element={<Page><PipelineEditorPage /></Page>} />
        <Route path="pipelines/:id/deploy/" element={<Page><DeployPage /></Page>} />
        <Route path="operations/new/" element={<Page><OperationEditorPage /></Page>} />
        <Route path="operations/:id/edit/" element={<Page><OperationEditorPage /></Page>} />
        <Route path="runs/" element={<Page><RunsPage /></Page>} />
        <Route path="runs/compare/" element={<Page><RunComparePage /></Page>} />
        <Route path="runs/:id/" element={<Page><RunPage /></Page>} />
        <Route path="recurring/" element={<Page><RecurringRunsPage /></Page>} />
        <Route path="recurring/:id/" element={<Page><RecurringRunPage /></Page>} />
        <Route path="deployments/" element={<Page><DeploymentsPage /></Page>} />
        <Route path="deployments/:id/" element={<Page><DeploymentPage /></Page>} />
        <Route path="environment/" element={<Page><EnvironmentPage /></Page>} />
        <Route path="repositories/" element={<Page><RepositoriesPage /></Page>} />
        <Route path="executions/" element={<Page><ExecutionsPage /></Page>} />
        <Route path="artifacts/" element={<Page><ArtifactsPage /></Page>} />
        <Route path="experiments/" element={<Page><ExperimentsPage /></Page>} />
        <Route path="experiments/:id/" element={<Page><ExperimentPage /></Page>} />
        <Route path="*" element={<NotFoundPage />} />
      </Route>
    </Routes>
  )
}
