"""HTTP routes, one module per concern, each exposing ``router``.

=============  ==================================================================
``sparql``     ``GET|POST /sparql`` (SPARQL 1.1 Protocol, service description)
``data``       ``GET /facts``, ``GET /connections``, ``GET /graph/systems``
``validate``   ``GET /validate``
``queries``    ``GET /queries``, ``GET /queries/{name}``
``ingest``     ``POST /ingest`` (bearer token)
``page``       ``GET /`` (the web page)
=============  ==================================================================

Support modules: ``runner`` (admission, deadline, thread or process isolation), ``worker``
(query worker processes on a store snapshot, killed at the timeout), ``evaluate`` (one query
evaluated and serialized, row cap), ``protocol`` (formats, ``Accept`` negotiation, read-only and
``SERVICE`` guards), ``deps`` (FastAPI dependencies), ``errors`` (the HTTP layer's error tree).
README.md, "Hardening" says what each guard answers and which test proves it.
"""
