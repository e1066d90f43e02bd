"""Questions in, cited answers out: retrieval, answers, HTTP, CLI and the web chat."""
