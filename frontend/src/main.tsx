import '@xyflow/react/dist/style.css'
import './styles/index.css'
// The schedule fields appear in the execute dialog and two pages: kept in the entry's CSS.
import './recurring/recurring.css'
import './deployments/deployments.css'
import './repositories/repositories.css'
// The YAML import and view dialogs, and git commits beside versions and runs.
import './yaml/yaml.css'

import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import { createBrowserRouter, RouterProvider } from 'react-router-dom'
import { configureClient } from './api/client'
import { AppRoutes } from './App'
import { readBoot } from './boot'
import { BootProvider } from './BootContext'

const boot = readBoot()
configureClient({ csrfToken: boot.csrfToken })

// A data router (one splat route around the app's own <Routes>) so that the editor can block
// in-app navigation while it has unsaved changes (useBlocker).
const router = createBrowserRouter([{ path: '*', element: <AppRoutes /> }])

const root = document.getElementById('root')
if (!root) throw new Error('Pipewright: the page has no <div id="root"> to mount into.')

createRoot(root).render(
  <StrictMode>
    <BootProvider boot={boot}>
      <RouterProvider router={router} />
    </BootProvider>
  </StrictMode>,
)
