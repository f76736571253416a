import ExactJSON

/// The REST API described in OpenAPI 3.1, served at `/api/v1/openapi.json`.
enum OpenAPIDocument {
    static let document: JSON = {
        do { return try JSON.parse(text) } catch { return .object([JSON.Member("error", .string("the OpenAPI document does not parse: \(error)"))]) }
    }()

    static let text = #"""
    {
      "openapi": "3.1.0",
      "info": {
        "title": "runtime-exporter metrics API",
        "version": "1",
        "description": "Metrics of Substrate chains from the runtime-exporter store, bucketed and aggregated in the database. The REST mirror of the GraphQL getMetric query (Sanbase's shape): a chain is a slug, label sets are selectors."
      },
      "paths": {
        "/api/v1/metrics": {
          "get": {
            "summary": "Every metric's metadata",
            "parameters": [{ "name": "chain", "in": "query", "required": false, "schema": { "type": "string" }, "description": "Only the metrics this chain has samples of." }],
            "responses": { "200": { "description": "The metrics.", "content": { "application/json": { "schema": { "type": "object", "properties": { "metrics": { "type": "array", "items": { "$ref": "#/components/schemas/Metadata" } } } } } } } }
          }
        },
        "/api/v1/metrics/{name}": {
          "get": {
            "summary": "One metric's metadata, with when each chain's samples start and end",
            "parameters": [{ "$ref": "#/components/parameters/name" }],
            "responses": {
              "200": { "description": "The metric.", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Metadata" } } } },
              "404": { "$ref": "#/components/responses/Error" }
            }
          }
        },
        "/api/v1/metrics/{name}/timeseries": {
          "get": {
            "summary": "A metric of one chain over a range, bucketed and aggregated",
            "description": "The series whose labels match the selector (every other query parameter is a label: pool=12) are added up block by block, then each bucket is aggregated. Buckets without samples are left out.",
            "parameters": [
              { "$ref": "#/components/parameters/name" },
              { "name": "chain", "in": "query", "required": true, "schema": { "type": "string" }, "description": "The chain (slug); `slug` is accepted too." },
              { "name": "from", "in": "query", "schema": { "type": "string", "default": "utc_now-1d" }, "description": "ISO-8601 (2024-05-01, 2024-05-01T12:00:00Z) or utc_now-<n><s|m|h|d|w>; included." },
              { "name": "to", "in": "query", "schema": { "type": "string", "default": "utc_now" }, "description": "As from; excluded." },
              { "name": "interval", "in": "query", "schema": { "type": "string" }, "description": "Ns, Nm, Nh, Nd, Nw (aligned to the Unix epoch) or toStartOfHour, toStartOfDay, toStartOfWeek (Sunday), toStartOfMonth, toStartOfQuarter, toStartOfYear (UTC). Below the metric's minInterval it is raised to it; empty picks one from the range." },
              { "name": "aggregation", "in": "query", "schema": { "type": "string", "enum": ["avg", "sum", "min", "max", "first", "last", "count", "median"] }, "description": "Default: the metric's." },
              { "name": "includeIncompleteData", "in": "query", "schema": { "type": "boolean", "default": false }, "description": "Keep a last bucket that ends after now." }
            ],
            "responses": {
              "200": { "description": "The points.", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Timeseries" } } } },
              "400": { "$ref": "#/components/responses/Error" },
              "401": { "$ref": "#/components/responses/Error" },
              "403": { "$ref": "#/components/responses/Error" },
              "404": { "$ref": "#/components/responses/Error" }
            },
            "security": [{}, { "apiKey": [] }]
          }
        },
        "/api/v1/metrics/{name}/histogram": {
          "get": {
            "summary": "One label's values over a range, ranked (Sanbase's histogramData)",
            "description": "Each series matching the selector (every other query parameter is a label) is aggregated over the whole range on its own (calls: their sum; balances: the last), then added up over the series sharing the label's value; the largest first, ties by name.",
            "parameters": [
              { "$ref": "#/components/parameters/name" },
              { "name": "chain", "in": "query", "required": true, "schema": { "type": "string" }, "description": "The chain (slug); `slug` is accepted too." },
              { "name": "label", "in": "query", "schema": { "type": "string" }, "description": "The label to rank by. Default: the metric's first." },
              { "name": "from", "in": "query", "schema": { "type": "string", "default": "1970-01-01T00:00:00Z" }, "description": "As for timeseries; by default from the first sample." },
              { "name": "to", "in": "query", "schema": { "type": "string", "default": "utc_now" }, "description": "As for timeseries; excluded." },
              { "name": "aggregation", "in": "query", "schema": { "type": "string", "enum": ["avg", "sum", "min", "max", "first", "last", "count", "median"] }, "description": "Default: the metric's." },
              { "name": "limit", "in": "query", "schema": { "type": "integer", "default": 20, "minimum": 1 }, "description": "At most this many values." }
            ],
            "responses": {
              "200": { "description": "The ranked values.", "content": { "application/json": { "schema": { "type": "object", "properties": { "metric": { "type": "string" }, "chain": { "type": "string" }, "labels": { "type": "array", "items": { "type": "string" } }, "values": { "type": "array", "items": { "type": ["number", "null"] } } } } } } },
              "400": { "$ref": "#/components/responses/Error" },
              "401": { "$ref": "#/components/responses/Error" },
              "403": { "$ref": "#/components/responses/Error" },
              "404": { "$ref": "#/components/responses/Error" }
            },
            "security": [{}, { "apiKey": [] }]
          }
        },
        "/api/v1/slugs": {
          "get": {
            "summary": "The chains with samples",
            "responses": { "200": { "description": "The chains.", "content": { "application/json": { "schema": { "type": "object", "properties": { "slugs": { "type": "array", "items": { "type": "string" } } } } } } } }
          }
        },
        "/api/v1/openapi.json": {
          "get": { "summary": "This document", "responses": { "200": { "description": "OpenAPI 3.1." } } }
        }
      },
      "components": {
        "parameters": {
          "name": { "name": "name", "in": "path", "required": true, "schema": { "type": "string" }, "description": "The metric's name (balances_total_issuance_tokens)." }
        },
        "securitySchemes": {
          "apiKey": { "type": "apiKey", "in": "header", "name": "Authorization", "description": "Apikey KEY: needed for metrics marked access: restricted or with a min_plan above FREE; a key's plan must be at least the metric's minPlan (403 otherwise)." }
        },
        "responses": {
          "Error": { "description": "What is wrong.", "content": { "application/json": { "schema": { "type": "object", "properties": { "error": { "type": "string" } }, "required": ["error"] } } } }
        },
        "schemas": {
          "Metadata": {
            "type": "object",
            "properties": {
              "metric": { "type": "string" }, "humanReadableName": { "type": "string" }, "help": { "type": "string" },
              "type": { "type": "string", "enum": ["gauge", "counter", "histogram"] }, "unit": { "type": ["string", "null"] },
              "labels": { "type": "array", "items": { "type": "string" } }, "defaultAggregation": { "type": "string" },
              "availableAggregations": { "type": "array", "items": { "type": "string" } }, "minInterval": { "type": "string" },
              "dataType": { "type": "string" }, "version": { "type": "string" }, "isRestricted": { "type": "boolean" },
              "minPlan": { "type": "string", "enum": ["FREE", "BASIC", "PRO", "BUSINESS_PRO", "BUSINESS_MAX", "CUSTOM"], "description": "The least plan of an API key that opens the metric." },
              "hasIncompleteData": { "type": "boolean", "description": "Whether the newest point may still change (a daily read whose day is not over): left out unless includeIncompleteData." },
              "docs": { "type": "array", "items": { "type": "object", "properties": { "link": { "type": "string", "format": "uri" } }, "required": ["link"] } },
              "availableSlugs": { "type": "array", "items": { "type": "string" } },
              "slugs": { "type": "array", "items": { "type": "object", "properties": { "slug": { "type": "string" }, "availableSince": { "type": "string", "format": "date-time" }, "lastDatetimeComputedAt": { "type": "string", "format": "date-time" }, "failedBlocks": { "type": "array", "description": "Runs of blocks at which the metric gave no sample, and why (the other metrics of those blocks were stored).", "items": { "type": "object", "properties": { "firstBlock": { "type": "integer" }, "lastBlock": { "type": "integer" }, "reason": { "type": "string", "enum": ["undecodable", "missing", "shape", "overflow", "block_undecodable"] }, "error": { "type": "string" } } } } } } }
            }
          },
          "Timeseries": {
            "type": "object",
            "properties": {
              "metric": { "type": "string" }, "chain": { "type": "string" }, "labels": { "type": "object", "additionalProperties": { "type": "string" } },
              "from": { "type": "string", "format": "date-time" }, "to": { "type": "string", "format": "date-time" },
              "interval": { "type": "string" }, "aggregation": { "type": "string" },
              "data": { "type": "array", "items": { "type": "object", "properties": { "datetime": { "type": "string", "format": "date-time" }, "value": { "type": ["number", "null"] } } } }
            }
          }
        }
      }
    }
    """#
}
