import { NotFoundState } from './States'

/** The page shown for a pipeline id that does not exist or is not visible to the user. */
export function PipelineNotFound() {
  return (
    <div className="page">
      <NotFoundState title="Pipeline not found" backTo="/pipelines/" backLabel="Back to pipelines">
        <p>It may have been deleted, or you may not be a member of its project.</p>
      </NotFoundState>
    </div>
  )
}
