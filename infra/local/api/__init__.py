"""The HTTP API as API Gateway HTTP APIs (payload v2.0) serve it, on 127.0.0.1:3000."""
