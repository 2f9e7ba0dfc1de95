"""Fetching from the publishers (docs/inputs.md#fetching-from-the-publishers): the catalogue (`catalogue`,
ingestion/publishers.toml), an HTTP client with retries (`http`), CKAN and PxWeb (`ckan`, `pxweb`), the checks a
download must pass (`checks`), the append-only archive and its manifest (`archive`), and one source fetched end to
end (`fetcher`). Nothing is imported here: the loader reads the manifest (`archive`) without the HTTP client."""
