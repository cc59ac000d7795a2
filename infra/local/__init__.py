"""The Docker-free local runtime behind `make run`: moto server + the template's handlers."""
