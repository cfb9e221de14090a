"""Alembic migrations, shipped inside the package so an installed AffectRange can migrate itself."""
