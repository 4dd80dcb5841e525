/** The git commit a version or run came from: `git 1a2b3c4d`, the full sha in its title. Nothing without one. */
export function GitCommit({ sha, className }: { sha?: string | null; className?: string }) {
  if (!sha) return null
  return (
    <span className={className ? `git-commit ${className}` : 'git-commit'} title={`Git commit ${sha}`}>
      <span className="git-commit-label">git</span> <code>{sha.slice(0, 8)}</code>
    </span>
  )
}
