"""`harbor init DIR`: a new contract-first project, from the templates in `template/`."""
