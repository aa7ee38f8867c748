extension OpenAPIDocument {
    /// What every operation shares: the document's header, the token schemes and the error body with the
    /// statuses its codes map to. Each surface's paths and schemas are in its own fragment.
    static let base = #"""
        openapi: 3.1.0
        info:
          title: Steward API
          version: "1"
          summary: "Steward's own API under /api/v1: the AI Register, governance, evaluations, monitoring, model cards, audit, users."
          description: |
            Every request but `GET /openapi.json` needs an API token (unless the server runs with `--auth off`), sent as
            `Authorization: Bearer <token>` or as the password of HTTP Basic credentials. Viewers may read; every other
            role may also write. Request bodies are strict: an unknown or misplaced field, a query parameter the route
            does not read, or a body on a route that reads none is refused with a 400 and changes nothing. Errors are
            `{"error_code": ..., "message": ...}` with the status their code maps to.

            Times are epoch milliseconds, and every answer also gives each time in ISO 8601 (UTC, with milliseconds)
            under the member's name with `_iso` appended: `created_at` comes with `created_at_iso`, `time` with
            `time_iso` (members named `*_at`, `time`, `from` or `to`). Where a request takes a time (`since`,
            `until`, an event's `time`), an ISO 8601 date or date and time is read as well as epoch milliseconds.

            MLflow's tracking, registry and artifact API (`/api/2.0/mlflow`) follows MLflow's own REST reference.
          license:
            name: Apache-2.0
        servers:
          - url: /api/v1
        security:
          - bearer: []
          - basic: []
        paths:
          /openapi.json:
            get:
              operationId: getOpenAPIDocument
              summary: This document.
              security: []
              responses:
                "200":
                  description: The OpenAPI 3.1 document of /api/v1.
                  content:
                    application/json:
                      schema:
                        type: object
                        required: [openapi, info, paths]
                        properties:
                          openapi: {type: string}
                          info: {type: object}
                          paths: {type: object}
                default: {$ref: "#/components/responses/Error"}
        components:
          securitySchemes:
            bearer:
              type: http
              scheme: bearer
              description: An API token (`steward token create`, or `POST /users/{name}/tokens`).
            basic:
              type: http
              scheme: basic
              description: Any user name, with an API token as the password (what the mlflow client sends).
          parameters:
            SystemID:
              name: id
              in: path
              required: true
              description: The AI system's ID.
              schema: {type: string}
            DeploymentID:
              name: id
              in: path
              required: true
              description: The deployment's ID.
              schema: {type: string}
            IncidentID:
              name: id
              in: path
              required: true
              description: The incident's ID.
              schema: {type: string}
            UserName:
              name: name
              in: path
              required: true
              description: The user's name.
              schema: {type: string}
            ModelName:
              name: name
              in: path
              required: true
              description: The registered model's name.
              schema: {type: string}
            ModelVersionNumber:
              name: version
              in: path
              required: true
              description: The model version's number.
              schema: {type: string}
          responses:
            Error:
              description: |
                A refusal or failure. The status follows the code: INVALID_PARAMETER_VALUE, BAD_REQUEST and
                RESOURCE_ALREADY_EXISTS 400; UNAUTHENTICATED 401; PERMISSION_DENIED 403; RESOURCE_DOES_NOT_EXIST and
                ENDPOINT_NOT_FOUND 404; RESOURCE_CONFLICT, ABORTED and DATA_LOSS 409; RESOURCE_LIMIT_EXCEEDED 413;
                REQUEST_LIMIT_EXCEEDED 429; INTERNAL_ERROR 500; NOT_IMPLEMENTED 501; TEMPORARILY_UNAVAILABLE 503.
              content:
                application/json:
                  schema: {$ref: "#/components/schemas/Error"}
          schemas:
            Error:
              type: object
              required: [error_code, message]
              properties:
                error_code:
                  type: string
                  enum: [INVALID_PARAMETER_VALUE, BAD_REQUEST, RESOURCE_ALREADY_EXISTS, RESOURCE_DOES_NOT_EXIST, ENDPOINT_NOT_FOUND,
                    UNAUTHENTICATED, PERMISSION_DENIED, RESOURCE_CONFLICT, ABORTED, DATA_LOSS, REQUEST_LIMIT_EXCEEDED,
                    RESOURCE_LIMIT_EXCEEDED, INTERNAL_ERROR, TEMPORARILY_UNAVAILABLE, NOT_IMPLEMENTED]
                message: {type: string}
        """#
}
