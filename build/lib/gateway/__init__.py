"""The HTTP gateway: the only public door of Bakohumas Hub (REST, OpenAPI, auth, validation)."""
