//! Compose files: parsing, merging, interpolation and project naming, as
//! docker compose does it. Pure: file contents and the environment are passed in.
