"""The community manager's desk: server-rendered pages on the same app as the API."""
