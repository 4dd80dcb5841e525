import { useLocation } from 'react-router-dom'
import { NotFoundState } from '../components/States'
import { useDocumentTitle } from '../hooks/useDocumentTitle'

export function NotFoundPage() {
  useDocumentTitle('Page not found')
  const location = useLocation()
  return (
    <div className="page">
      <NotFoundState title="This page does not exist" backTo="/pipelines/" backLabel="Go to pipelines">
        <p>
          Nothing lives at <code>{location.pathname}</code>. The link may be old or mistyped.
        </p>
      </NotFoundState>
    </div>
  )
}
