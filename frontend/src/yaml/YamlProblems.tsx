import { problemPlace, type YamlProblem } from '../api/yaml'

/** Every problem of a YAML pipeline as `file:line — message`, in an alert box. */
export function YamlProblems({
  id,
  problems,
  fileName,
  title,
}: {
  id?: string
  problems: readonly YamlProblem[]
  /** The uploaded file's name, for the heading. */
  fileName?: string
  title?: string
}) {
  const count = problems.length
  const heading =
    title ??
    `${fileName ? `${fileName} was not imported` : 'Not imported'}: ${count} ${count === 1 ? 'problem' : 'problems'}`
  return (
    <div id={id} className="form-alert yaml-problems" role="alert">
      <p className="yaml-problems-title">{heading}</p>
      <ul className="yaml-problems-list">
        {problems.map((problem, index) => {
          const place = problemPlace(problem)
          return (
            <li key={`${index}-${place}-${problem.message}`}>
              {place && (
                <>
                  <code className="yaml-problem-place">{place}</code>
                  {' — '}
                </>
              )}
              <span>{problem.message}</span>
            </li>
          )
        })}
      </ul>
    </div>
  )
}
