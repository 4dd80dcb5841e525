"""Operations, pipelines and their versions, projects, artifacts."""
