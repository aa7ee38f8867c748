extension OpenAPIDocument {
    /// The routes of `IncidentsController`, `PolicyController` and `AuditController`: incidents, the governance
    /// policy, and the audit log with its chain verification.
    static let governance = #"""
        paths:
          /systems/{id}/incidents:
            post:
              operationId: openIncident
              summary: Open an incident on an AI system (any role but viewer).
              description: |
                The incident starts `open`, with its opening on the timeline. `model` must be a component of the system;
                `version` (a number, as text or as a number) is read only with `model` and must be a registered version of it.
              parameters:
                - $ref: "#/components/parameters/SystemID"
              requestBody:
                required: true
                content:
                  application/json:
                    schema:
                      type: object
                      additionalProperties: false
                      required: [title, severity]
                      properties:
                        title: {type: string, minLength: 1, pattern: '\S', description: What went wrong; not blank.}
                        severity:
                          type: string
                          enum: [low, medium, high, critical]
                          description: How bad it is (read case-insensitively).
                        description: {type: [string, "null"], description: More about it; empty when not given.}
                        model: {type: [string, "null"], description: "The model of the system involved, if one is."}
                        version:
                          type: [string, integer, "null"]
                          description: The version of `model` involved (a whole number); read only with `model`.
              responses:
                "201":
                  description: The opened incident.
                  content:
                    application/json:
                      schema:
                        type: object
                        required: [incident]
                        properties:
                          incident: {$ref: "#/components/schemas/Incident"}
                default: {$ref: "#/components/responses/Error"}
            get:
              operationId: listSystemIncidents
              summary: List the incidents of an AI system.
              parameters:
                - $ref: "#/components/parameters/SystemID"
              responses:
                "200":
                  description: The system's incidents.
                  content:
                    application/json:
                      schema:
                        type: object
                        required: [incidents]
                        properties:
                          incidents:
                            type: array
                            items: {$ref: "#/components/schemas/Incident"}
                default: {$ref: "#/components/responses/Error"}
          /incidents:
            get:
              operationId: listIncidents
              summary: List incidents, of every system or of one.
              parameters:
                - name: system
                  in: query
                  required: false
                  description: Only the incidents of the AI system with this id; every system's when not given.
                  schema: {type: string}
              responses:
                "200":
                  description: The incidents.
                  content:
                    application/json:
                      schema:
                        type: object
                        required: [incidents]
                        properties:
                          incidents:
                            type: array
                            items: {$ref: "#/components/schemas/Incident"}
                default: {$ref: "#/components/responses/Error"}
          /incidents/{id}:
            get:
              operationId: getIncident
              summary: Show an incident with its playbook and timeline.
              parameters:
                - $ref: "#/components/parameters/IncidentID"
              responses:
                "200":
                  description: The incident.
                  content:
                    application/json:
                      schema:
                        type: object
                        required: [incident]
                        properties:
                          incident: {$ref: "#/components/schemas/Incident"}
                default: {$ref: "#/components/responses/Error"}
            patch:
              operationId: updateIncident
              summary: Move an unresolved incident on, with a new status, a note or a playbook step done (any role but viewer).
              description: |
                Give at least one of `status`, `note` (not empty) and `step`; each goes on the timeline. `status` is
                `investigating` or `mitigated` (read case-insensitively; `open` only while the incident is still open);
                resolve with `POST /incidents/{id}/resolve`. A resolved incident is not changed (409).
              parameters:
                - $ref: "#/components/parameters/IncidentID"
              requestBody:
                required: true
                content:
                  application/json:
                    schema:
                      type: object
                      additionalProperties: false
                      properties:
                        status:
                          type: [string, "null"]
                          enum: [investigating, mitigated, null]
                          description: The incident's new status.
                        note: {type: [string, "null"], description: A note for the timeline.}
                        step:
                          type: [string, "null"]
                          enum: [notify_owner, diagnose, roll_back, null]
                          description: A playbook step done.
              responses:
                "200":
                  description: The incident as updated.
                  content:
                    application/json:
                      schema:
                        type: object
                        required: [incident]
                        properties:
                          incident: {$ref: "#/components/schemas/Incident"}
                default: {$ref: "#/components/responses/Error"}
          /incidents/{id}/resolve:
            post:
              operationId: resolveIncident
              summary: Resolve an incident with what was found and done (any role but viewer).
              parameters:
                - $ref: "#/components/parameters/IncidentID"
              requestBody:
                required: true
                content:
                  application/json:
                    schema:
                      type: object
                      additionalProperties: false
                      required: [resolution]
                      properties:
                        resolution: {type: string, minLength: 1, pattern: '\S', description: What was found and done; not blank.}
              responses:
                "200":
                  description: The resolved incident.
                  content:
                    application/json:
                      schema:
                        type: object
                        required: [incident]
                        properties:
                          incident: {$ref: "#/components/schemas/Incident"}
                default: {$ref: "#/components/responses/Error"}
          /policy:
            get:
              operationId: getPolicy
              summary: The governance policy in force, as JSON or as its YAML document.
              parameters:
                - name: format
                  in: query
                  required: false
                  description: yaml for the policy's YAML document as written; any other value, or none, gives JSON.
                  schema: {type: string, examples: [json, yaml]}
              responses:
                "200":
                  description: The policy in force (version 0 is the built-in default, before any is stored).
                  content:
                    application/json:
                      schema:
                        type: object
                        required: [policy]
                        properties:
                          policy: {$ref: "#/components/schemas/Policy"}
                    "application/yaml; charset=utf-8":
                      schema:
                        type: object
                        description: The policy's YAML document as it was written (a mapping).
                default: {$ref: "#/components/responses/Error"}
            put:
              operationId: replacePolicy
              summary: Replace the governance policy with the YAML document in the body (compliance or admin).
              description: |
                The body is a YAML mapping with the keys `version`, `protected_aliases` (a non-empty list),
                `approval_validity_days` (1 to 3650, 90 by default), `controls` (each a mapping with a `check`: model_card,
                evidence, approvals, gate, monitoring, retraining or rollout, the last with `minimum_units`, 1 to 1000000,
                100 by default: the units a step of a won canary or A/B test must have asked), `tiers` (the controls of
                every risk tier) and
                `serving` (the controls a deployment's challenger or shadow needs). It is
                validated whole and stored as a new version. JSON, being YAML, is read the same way; the Content-Type
                header is not read.
              requestBody:
                required: true
                description: The policy as YAML.
                content:
                  application/yaml:
                    schema:
                      type: object
                      additionalProperties: false
                      required: [protected_aliases]
                      properties:
                        version: {type: integer}
                        protected_aliases:
                          type: array
                          minItems: 1
                          items: {type: string}
                          description: Aliases (and Production) that only a version meeting its tier's controls may take.
                        approval_validity_days: {type: integer, description: How long an approval counts.}
                        controls:
                          type: object
                          description: Each control by name, with its description and how it is checked.
                          additionalProperties: {type: object}
                        tiers:
                          type: object
                          description: The controls each risk tier (low, medium, high, critical) requires.
                          additionalProperties:
                            type: array
                            items: {type: string}
                        serving:
                          type: object
                          description: |
                            The controls a version needs to serve as a deployment's `challenger` or `shadow` (of those its
                            system's tier requires); full traffic is promotion. By default a challenger needs
                            evaluation_gate_passed and a shadow nothing.
                          additionalProperties:
                            type: array
                            items: {type: string}
              responses:
                "200":
                  description: The new policy version.
                  content:
                    application/json:
                      schema:
                        type: object
                        required: [policy]
                        properties:
                          policy: {$ref: "#/components/schemas/Policy"}
                default: {$ref: "#/components/responses/Error"}
          /audit:
            get:
              operationId: listAuditEvents
              summary: Read the audit log, filtered and paged, as JSON or NDJSON (reviewer, compliance or admin).
              description: |
                Events in sequence order. Page with `after` (the last sequence read) and `limit`. With `format=ndjson` the
                body is one event object per line.
              parameters:
                - name: system
                  in: query
                  required: false
                  description: Only events about the AI system with this id.
                  schema: {type: string}
                - name: actor
                  in: query
                  required: false
                  description: Only events by this user.
                  schema: {type: string}
                - name: since
                  in: query
                  required: false
                  description: "Only events at or after this time: epoch milliseconds, or ISO 8601 (2026-12-01, 2026-12-01T09:30:00Z)."
                  schema: {type: string}
                - name: until
                  in: query
                  required: false
                  description: "Only events at or before this time: epoch milliseconds, or ISO 8601 (2026-12-01, 2026-12-01T09:30:00Z)."
                  schema: {type: string}
                - name: after
                  in: query
                  required: false
                  description: Only events with a sequence number above this one; 0 when not given.
                  schema: {type: integer, format: int64, default: 0}
                - name: limit
                  in: query
                  required: false
                  description: The most events to return, 1 to 10000; 1000 when not given.
                  schema: {type: integer, minimum: 1, maximum: 10000, default: 1000}
                - name: format
                  in: query
                  required: false
                  description: json (an object with the events) or ndjson (one event per line); json when not given.
                  schema: {type: string, enum: [json, ndjson], default: json}
              responses:
                "200":
                  description: The matching events.
                  content:
                    application/json:
                      schema:
                        type: object
                        required: [events]
                        properties:
                          events:
                            type: array
                            items: {$ref: "#/components/schemas/AuditEvent"}
                    application/x-ndjson:
                      schema: {type: string, description: One AuditEvent JSON object per line.}
                default: {$ref: "#/components/responses/Error"}
          /audit/verify:
            get:
              operationId: verifyAuditLog
              summary: Recompute the audit log's hash chain and report the first event that does not verify (reviewer, compliance, admin).
              responses:
                "200":
                  description: |
                    Whether the chain is intact. When it is, `checked` events verified up to `head_hash`; when it is not,
                    `first_bad_sequence` and `reason` say where and why (and `checked` is 0).
                  content:
                    application/json:
                      schema:
                        type: object
                        required: [intact, checked]
                        properties:
                          intact: {type: boolean}
                          checked: {type: integer, description: How many events verified.}
                          head_hash: {type: string, description: The hash of the last event verified; when intact.}
                          first_bad_sequence: {type: integer, description: The first event that does not verify; when broken.}
                          reason: {type: string, description: Why it does not verify; when broken.}
                default: {$ref: "#/components/responses/Error"}
        schemas:
          Incident:
            type: object
            required: [id, system_id, severity, title, description, status, opened_by, opened_at, resolution, playbook, timeline]
            properties:
              id: {type: string}
              system_id: {type: string}
              model: {type: string}
              version: {type: string}
              severity:
                type: string
                enum: [low, medium, high, critical]
              title: {type: string}
              description: {type: string}
              status:
                type: string
                enum: [open, investigating, mitigated, resolved]
              opened_by: {type: string}
              opened_at: {type: integer}
              resolved_at: {type: integer}
              resolution: {type: string}
              playbook:
                type: object
                additionalProperties: {type: boolean}
              timeline:
                type: array
                items:
                  type: object
                  required: [time, actor, kind, text]
                  properties:
                    time: {type: integer}
                    actor: {type: string}
                    kind: {type: string}
                    text: {type: string}
          Policy:
            type: object
            description: A version of the governance policy.
            required: [version, document, protected_aliases, approval_validity_days, tiers, author, created_at]
            properties:
              version: {type: integer}
              document: {type: string, description: The YAML document as written.}
              protected_aliases:
                type: array
                items: {type: string}
              approval_validity_days: {type: integer}
              tiers:
                type: object
                description: The controls each risk tier requires, in the order the policy lists them.
                required: [low, medium, high, critical]
                properties:
                  low: {type: array, items: {type: string}}
                  medium: {type: array, items: {type: string}}
                  high: {type: array, items: {type: string}}
                  critical: {type: array, items: {type: string}}
                additionalProperties: {type: array, items: {type: string}}
              author: {type: string}
              created_at: {type: integer, description: Milliseconds since the epoch.}
          AuditEvent:
            type: object
            description: One audit event, chained to the one before it by its hash.
            required: [sequence, time, actor, action, outcome, target, details, prev_hash, hash]
            properties:
              sequence: {type: integer}
              time: {type: integer, description: Milliseconds since the epoch.}
              actor: {type: string}
              action: {type: string, description: A dotted verb such as promotion.allow or system.create.}
              outcome: {type: string, enum: [allowed, refused]}
              target: {type: string}
              system_id: {type: string}
              details:
                type: object
                additionalProperties: {type: string}
              prev_hash: {type: string}
              hash: {type: string}
        """#
}
