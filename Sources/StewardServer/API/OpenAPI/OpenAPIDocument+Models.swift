extension OpenAPIDocument {
    /// Model cards (get and edit), a registered model's history and prompt rendering (`/models/...`, `/prompts/...`).
    static let models = #"""
        paths:
          /models/{name}/versions/{version}/card:
            get:
              operationId: getModelCard
              summary: A model version's card, as JSON, Markdown or HTML.
              description: |
                The format is the one `format` names, or else the one the `Accept` header prefers (`text/html`,
                `text/markdown`), JSON otherwise. HTML comes with a restrictive Content-Security-Policy.
              parameters:
                - $ref: "#/components/parameters/ModelName"
                - $ref: "#/components/parameters/ModelVersionNumber"
                - name: format
                  in: query
                  required: false
                  description: The card's format (`md` is Markdown; matched ignoring case); without it, the `Accept` header decides.
                  schema:
                    type: string
                    enum: [json, markdown, md, html]
              responses:
                "200":
                  description: The model card.
                  content:
                    application/json:
                      schema:
                        type: object
                        required: [model_card]
                        properties:
                          model_card: {$ref: "#/components/schemas/ModelCard"}
                    "text/markdown; charset=utf-8":
                      schema: {type: string}
                    "text/html; charset=utf-8":
                      schema: {type: string}
                default: {$ref: "#/components/responses/Error"}
            patch:
              operationId: editModelCard
              summary: Set or remove the editable fields of a model version's card.
              description: |
                Each field given is set; an empty string removes it. Fields not given are left as they are. The
                response is the whole card after the change.
              parameters:
                - $ref: "#/components/parameters/ModelName"
                - $ref: "#/components/parameters/ModelVersionNumber"
              requestBody:
                required: false
                content:
                  application/json:
                    schema:
                      type: object
                      additionalProperties: false
                      properties:
                        purpose: {type: string}
                        owners:
                          type: [string, array]
                          items: {type: string}
                          description: The owners, comma-separated or as an array of names.
                        intended_use: {type: string}
                        out_of_scope_uses: {type: string}
                        limitations: {type: string}
                        ethical_considerations: {type: string}
              responses:
                "200":
                  description: The card after the change.
                  content:
                    application/json:
                      schema:
                        type: object
                        required: [model_card]
                        properties:
                          model_card: {$ref: "#/components/schemas/ModelCard"}
                default: {$ref: "#/components/responses/Error"}
          /models/{name}/history:
            get:
              operationId: getModelHistory
              summary: Every recorded change of a registered model, oldest first.
              parameters:
                - $ref: "#/components/parameters/ModelName"
              responses:
                "200":
                  description: The model's history; `events` is left out when there is none.
                  content:
                    application/json:
                      schema:
                        type: object
                        properties:
                          events:
                            type: array
                            items: {$ref: "#/components/schemas/RegistryEvent"}
                default: {$ref: "#/components/responses/Error"}
          /prompts/{name}/render:
            post:
              operationId: renderPrompt
              summary: Render a stored prompt version with variables.
              description: |
                The version is the one `alias` names, else `version`, else the one the `latest` alias points at.
              parameters:
                - name: name
                  in: path
                  required: true
                  description: The prompt's name.
                  schema: {type: string}
              requestBody:
                required: false
                content:
                  application/json:
                    schema:
                      type: object
                      additionalProperties: false
                      properties:
                        version:
                          type: [string, integer]
                          description: The prompt version, as a string or a number.
                        alias:
                          type: string
                          description: An alias of the version to render; it wins over `version`.
                        variables:
                          type: object
                          additionalProperties: {type: string}
                          description: The template's variables by name.
              responses:
                "200":
                  description: The rendered prompt.
                  content:
                    application/json:
                      schema: {$ref: "#/components/schemas/RenderedPrompt"}
                default: {$ref: "#/components/responses/Error"}
        schemas:
          ModelCard:
            type: object
            description: |
              A model card in the Model Card Toolkit's groups plus Steward's `deployment`, `lineage` and, when the
              version was evaluated, its latest `evaluation`.
            required: [model_details, model_parameters, quantitative_analysis, considerations, deployment, lineage]
            properties:
              model_details:
                type: object
                required: [name, version, purpose, description, owners, created_timestamp, last_updated_timestamp, source,
                  storage_location, tags]
                properties:
                  name: {type: string}
                  version: {type: string}
                  purpose: {type: string}
                  description: {type: string}
                  owners:
                    type: array
                    items:
                      type: object
                      required: [name]
                      properties:
                        name: {type: string}
                  created_timestamp: {type: integer}
                  last_updated_timestamp: {type: integer}
                  source: {type: string}
                  storage_location: {type: string}
                  content_digest: {type: string}
                  tags:
                    type: array
                    items:
                      type: object
                      required: [key, value]
                      properties:
                        key: {type: string}
                        value: {type: string}
              model_parameters:
                type: object
                required: [hyperparameters, data]
                properties:
                  model_architecture: {type: string}
                  hyperparameters:
                    type: array
                    items:
                      type: object
                      required: [key, value]
                      properties:
                        key: {type: string}
                        value: {type: string}
                  data:
                    type: array
                    items:
                      type: object
                      required: [name, digest, source_type, source]
                      properties:
                        name: {type: string}
                        digest: {type: string}
                        source_type: {type: string}
                        source: {type: string}
                        context: {type: string}
                        profile: {type: string}
              quantitative_analysis:
                type: object
                required: [performance_metrics]
                properties:
                  performance_metrics:
                    type: array
                    items:
                      type: object
                      required: [type, value, step, origin]
                      properties:
                        type: {type: string}
                        value:
                          type: [number, string]
                          description: The value; a non-finite one is the string "NaN", "Infinity" or "-Infinity".
                        step: {type: integer}
                        slice: {type: string}
                        origin: {type: string}
              considerations:
                type: object
                properties:
                  intended_use: {type: string}
                  out_of_scope_uses: {type: string}
                  limitations: {type: string}
                  ethical_considerations: {type: string}
              deployment:
                type: object
                required: [stage, aliases, history]
                properties:
                  stage:
                    type: string
                    enum: ["None", Staging, Production, Archived]
                  aliases:
                    type: array
                    items: {type: string}
                  history:
                    type: array
                    items: {$ref: "#/components/schemas/RegistryEvent"}
              lineage:
                type: object
                properties:
                  experiment_id: {type: string}
                  experiment_name: {type: string}
                  run_id: {type: string}
                  run_name: {type: string}
                  run_user: {type: string}
                  logged_model_id: {type: string}
                  logged_model_name: {type: string}
              governance:
                type: object
                description: >-
                  For a model of a registered AI system: the system, its risk tier, the controls for the protected
                  target the version holds (else the policy's first) and the version's approval requests.
                required: [system_id, system_name, risk_tier, target, controls, approvals]
                properties:
                  system_id: {type: string}
                  system_name: {type: string}
                  risk_tier: {type: string, enum: [low, medium, high, critical]}
                  target: {type: string}
                  controls:
                    type: array
                    items:
                      type: object
                      required: [name, satisfied, detail, basis]
                      properties:
                        name: {type: string}
                        satisfied: {type: boolean}
                        detail: {type: string}
                        basis: {type: string}
                  approvals:
                    type: array
                    items:
                      type: object
                      required: [id, alias, requested_by, status, decisions]
                      properties:
                        id: {type: string}
                        alias: {type: string}
                        requested_by: {type: string}
                        status: {type: string, enum: [pending, approved, rejected]}
                        decisions:
                          type: array
                          items:
                            type: object
                            properties:
                              approver: {type: string}
                              role: {type: string}
                              verdict: {type: string}
                              decided_at: {type: integer}
              evaluation:
                type: object
                required: [id, run_id, dataset_name, dataset_digest, rows, conditions]
                properties:
                  id: {type: string}
                  run_id: {type: string}
                  dataset_name: {type: string}
                  dataset_digest: {type: string}
                  rows: {type: integer}
                  gate: {type: string}
                  gate_passed: {type: boolean}
                  conditions:
                    type: array
                    items:
                      type: object
                      required: [condition, outcome]
                      properties:
                        condition: {type: string}
                        value: {type: [number, string]}
                        threshold: {type: [number, string]}
                        outcome:
                          type: string
                          enum: [passed, failed, skipped]
          RegistryEvent:
            type: object
            description: One recorded change of a registered model.
            required: [name, kind, actor, time]
            properties:
              name: {type: string}
              kind:
                type: string
                enum: [version_created, version_deleted, alias_set, alias_deleted, stage_transition, model_renamed, model_deleted]
              version: {type: string}
              alias: {type: string}
              from_version: {type: string}
              from_stage:
                type: string
                enum: ["None", Staging, Production, Archived]
              to_stage:
                type: string
                enum: ["None", Staging, Production, Archived]
              detail: {type: string}
              actor: {type: string}
              time:
                type: integer
                description: Milliseconds since the epoch.
          RenderedPrompt:
            type: object
            description: A rendered prompt version; `text` for a text prompt, `messages` for a chat prompt.
            required: [name, version, type]
            properties:
              name: {type: string}
              version: {type: string}
              type:
                type: string
                enum: [text, chat]
              text: {type: string}
              messages:
                type: array
                items:
                  type: object
                  required: [role, content]
                  properties:
                    role: {type: string}
                    content: {type: string}
        """#
}
