"""The built-in operation library and the example pipelines shipped with Pipewright."""
