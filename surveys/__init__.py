"""Surveys: customers and their answers, from the survey page, the REST API and CSV."""
