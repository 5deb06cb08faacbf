"""The ontology's one Python doorway: file paths and namespace constants.

Everything else in reformkg names ontology terms through these constants; no other
module writes an ontology IRI by hand or builds a path into this folder.

>>> str(RKG.Observation)
'https://w3id.org/reformkg/def#Observation'
>>> str(ID["system/national-public-service-portal"])
'https://w3id.org/reformkg/id/system/national-public-service-portal'
"""

from __future__ import annotations

from pathlib import Path

from rdflib import Namespace
from rdflib.namespace import DCTERMS, FOAF, OWL, PROV, RDF, RDFS, SKOS, XSD

__all__ = [
    "BASE",
    "CPSV",
    "DCTERMS",
    "FOAF",
    "GAZETTEER",
    "GRAPH",
    "ID",
    "INDICATORS",
    "OA",
    "ONTOLOGY",
    "ORG",
    "OWL",
    "PREFIXES",
    "PROV",
    "QB",
    "RDF",
    "RDFS",
    "REFERENCE_FILES",
    "REFERENCE_GRAPH",
    "RKG",
    "SCHEMES",
    "SDMX_ATTR",
    "SDMX_DIM",
    "SDMX_MEASURE",
    "SHAPES",
    "SKOS",
    "SYSTEMS",
    "TIME",
    "XSD",
]

HERE = Path(__file__).resolve().parent

#: The ontology: classes and properties (OWL, with vi/en labels).
ONTOLOGY = HERE / "reform.ttl"
#: SKOS concept schemes: units, kinds, qualifiers, levels, statuses.
SCHEMES = HERE / "schemes.ttl"
#: SKOS indicator scheme; Vietnamese phrasings are skos:altLabel@vi (the extractor's lexicon).
INDICATORS = HERE / "indicators.ttl"
#: Canonical national information systems (DOMAIN.md section 3).
SYSTEMS = HERE / "systems.ttl"
#: Administrative units before and after 2025-07-01 and the merger change events.
GAZETTEER = HERE / "gazetteer.ttl"
#: SHACL shapes: structural (Violation) and source-consistency (Warning).
SHAPES = HERE / "shapes.ttl"

#: Files loaded into the reference graph of every store.
REFERENCE_FILES = (ONTOLOGY, SCHEMES, INDICATORS, SYSTEMS, GAZETTEER)

BASE = "https://w3id.org/reformkg/"
#: Ontology terms (classes, properties).
RKG = Namespace(BASE + "def#")
#: Entities: sources, observations, systems, agencies, administrative units, concepts.
ID = Namespace(BASE + "id/")
#: Named graphs that are not a source's own graph.
GRAPH = Namespace(BASE + "graph/")
#: The named graph holding ontology, schemes, gazetteer and canonical systems.
REFERENCE_GRAPH = GRAPH["reference"]

QB = Namespace("http://purl.org/linked-data/cube#")
SDMX_ATTR = Namespace("http://purl.org/linked-data/sdmx/2009/attribute#")
SDMX_DIM = Namespace("http://purl.org/linked-data/sdmx/2009/dimension#")
SDMX_MEASURE = Namespace("http://purl.org/linked-data/sdmx/2009/measure#")
OA = Namespace("http://www.w3.org/ns/oa#")
ORG = Namespace("http://www.w3.org/ns/org#")
TIME = Namespace("http://www.w3.org/2006/time#")
CPSV = Namespace("http://purl.org/vocab/cpsv#")

#: Prefixes for SPARQL text, Turtle output and the web page's editor.
PREFIXES: dict[str, str] = {
    "rkg": str(RKG),
    "id": str(ID),
    "qb": str(QB),
    "sdmx-attribute": str(SDMX_ATTR),
    "sdmx-dimension": str(SDMX_DIM),
    "sdmx-measure": str(SDMX_MEASURE),
    "prov": str(PROV),
    "oa": str(OA),
    "org": str(ORG),
    "skos": str(SKOS),
    "dcterms": str(DCTERMS),
    "time": str(TIME),
    "cpsv": str(CPSV),
    "foaf": str(FOAF),
    "rdfs": str(RDFS),
    "rdf": str(RDF),
    "owl": str(OWL),
    "xsd": str(XSD),
}
