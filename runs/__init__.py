"""Runs, node runs, run events, experiments: the execution side of Pipewright."""
