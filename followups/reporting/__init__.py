"""Figures for managers: reports, the dashboard and its charts, the weekly digest, the KPI API."""
