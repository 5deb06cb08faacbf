"""HTTP routes, one module per concern, each exposing ``router``.

=============  ==================================================================
``sparql``     ``GET|POST /sparql`` (SPARQL 1.1 Protocol, service description)
``data``       ``GET /facts``, ``GET /connections``, ``GET /graph/systems``
``validate``   ``GET /validate``
``queries``    ``GET /queries``, ``GET /queries/{name}``
``ingest``     ``POST /ingest`` (bearer token)
``page``       ``GET /`` (the web page)
=============  ==================================================================

Support modules: ``runner`` (pyoxigraph in a thread pool: timeout, row cap), ``protocol``
(formats, ``Accept`` negotiation, read-only guards), ``deps`` (FastAPI dependencies),
``errors`` (the HTTP layer's error tree).
"""
