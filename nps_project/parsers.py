"""Request body parsers for every API view (DEFAULT_PARSER_CLASSES).

Its own module: DRF reads the parser setting while ``rest_framework.views``
is imported, which ``nps_project.api`` itself imports.
"""

from rest_framework import exceptions, parsers


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, with JSON nested deeper than Python's recursion
    limit a parse error (400) like any other malformed body, not a 500."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise exceptions.ParseError("JSON parse error - nested too deeply.") from None
