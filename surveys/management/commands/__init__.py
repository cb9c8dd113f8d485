"""manage.py commands of the surveys app: API keys and customer imports."""
