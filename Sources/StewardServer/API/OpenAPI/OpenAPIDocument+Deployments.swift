extension OpenAPIDocument {
    /// Deployments of a system's models (`/systems/{id}/deployments`, `/deployments/{id}`); the traffic itself goes
    /// to `POST /serve/{system}/invocations`, outside `/api/v1`.
    static let deployments = #"""
        paths:
          /systems/{id}/deployments:
            post:
              operationId: createDeployment
              summary: Deploy the system's model versions behind the router, replacing its live deployment (any role but viewer).
              description: |
                `single` has one arm; `canary` two (champion first, challenger second), whose challenger's weight climbs
                `analysis.steps`; `ab` two or more with fixed weights; `shadow` a champion at 100 and shadow arms at 0 that
                receive a copy of every request and answer none. Weights are percentages (two decimals at most) summing
                to 100. Requests reach `POST /serve/{system}/invocations` (id or name), MLflow's pyfunc protocol; each
                unit key (header `X-Steward-Unit`, else `unit_field` of the first row) stays on one arm on every replica.
                Refused with 400 for a bad shape (weights not summing to 100, two arms of one version, a model of another
                system) and with 403, listing every reason, for an arm the governance refuses: a model not linked to the
                system, an endpoint host not allowed (`steward serve --allow-endpoint-host`), full traffic for a version
                holding no protected alias (that is promotion), or a version lacking a control the policy's `serving`
                list requires of its role. Nothing is written when refused.
              parameters:
                - $ref: "#/components/parameters/SystemID"
              requestBody:
                required: true
                content:
                  application/json:
                    schema:
                      type: object
                      additionalProperties: false
                      required: [mode, arms]
                      properties:
                        mode: {type: string, enum: [single, canary, ab, shadow]}
                        arms:
                          type: array
                          minItems: 1
                          maxItems: 10
                          items:
                            type: object
                            additionalProperties: false
                            required: [model, version, endpoint, weight]
                            properties:
                              name: {type: string, description: "Defaults to primary, champion/challenger, or a, b, c…"}
                              model: {type: string, description: A registered model linked to the system.}
                              version: {type: [string, integer]}
                              endpoint: {type: string, description: "The model server's scoring URL, e.g. http://models:5001/invocations."}
                              weight: {type: number, minimum: 0, maximum: 100}
                        unit_field:
                          type: string
                          description: The request field whose value is the unit key when no X-Steward-Unit header is sent.
                        analysis: {$ref: "#/components/schemas/RolloutAnalysis"}
              responses:
                "201":
                  description: The deployment.
                  content:
                    application/json:
                      schema: {$ref: "#/components/schemas/DeploymentAnswer"}
                default: {$ref: "#/components/responses/Error"}
            get:
              operationId: listDeployments
              summary: The system's deployments, newest first (the live one is the newest not `ended`).
              parameters:
                - $ref: "#/components/parameters/SystemID"
              responses:
                "200":
                  description: The deployments.
                  content:
                    application/json:
                      schema:
                        type: object
                        required: [deployments]
                        properties:
                          deployments:
                            type: array
                            items: {$ref: "#/components/schemas/Deployment"}
                default: {$ref: "#/components/responses/Error"}
          /deployments/{id}:
            get:
              operationId: getDeployment
              summary: A deployment with each arm's counts and metrics and the decision its analysis takes now.
              parameters:
                - $ref: "#/components/parameters/DeploymentID"
              responses:
                "200":
                  description: The deployment, measured.
                  content:
                    application/json:
                      schema: {$ref: "#/components/schemas/DeploymentAnswer"}
                default: {$ref: "#/components/responses/Error"}
            patch:
              operationId: setDeploymentWeights
              summary: Set every arm's weight, in the arms' order (any role but viewer); a weight of 0 takes effect from the next request.
              parameters:
                - $ref: "#/components/parameters/DeploymentID"
              requestBody:
                required: true
                content:
                  application/json:
                    schema:
                      type: object
                      additionalProperties: false
                      required: [weights]
                      properties:
                        weights:
                          type: array
                          items: {type: number, minimum: 0, maximum: 100}
              responses:
                "200":
                  description: The deployment with its new weights.
                  content:
                    application/json:
                      schema: {$ref: "#/components/schemas/DeploymentAnswer"}
                default: {$ref: "#/components/responses/Error"}
          /deployments/{id}/promote:
            post:
              operationId: promoteDeployment
              summary: Graduate the challenger (or the named arm) through the promotion decision; it then takes every request.
              description: |
                The arm's version takes the protected alias the champion holds (else the policy's first), exactly as
                `POST /systems/{id}/promote` would decide it; a refusal (403) names the missing controls and changes nothing.
              parameters:
                - $ref: "#/components/parameters/DeploymentID"
              requestBody:
                required: false
                content:
                  application/json:
                    schema:
                      type: object
                      additionalProperties: false
                      properties:
                        arm: {type: string, description: The arm to graduate; the second arm by default.}
              responses:
                "200":
                  description: The graduated deployment.
                  content:
                    application/json:
                      schema: {$ref: "#/components/schemas/DeploymentAnswer"}
                default: {$ref: "#/components/responses/Error"}
          /deployments/{id}/rollback:
            post:
              operationId: rollBackDeployment
              summary: Send every request to the champion again, open an incident and notify the system's webhooks.
              description: |
                The incident names the version of `arm`; without it, the arm that won (a graduation undone), else the
                arm taking every request, else the only challenger. An A/B test of several challengers with none of
                these needs `arm` (400 otherwise).
              parameters:
                - $ref: "#/components/parameters/DeploymentID"
              requestBody:
                required: true
                content:
                  application/json:
                    schema:
                      type: object
                      additionalProperties: false
                      required: [reason]
                      properties:
                        reason: {type: string}
                        arm: {type: string, description: The challenger whose version the incident is about.}
              responses:
                "200":
                  description: The rolled-back deployment.
                  content:
                    application/json:
                      schema: {$ref: "#/components/schemas/DeploymentAnswer"}
                default: {$ref: "#/components/responses/Error"}
          /deployments/{id}/analysis:
            post:
              operationId: decideDeployment
              summary: Analyse the deployment now and take the decision (advance, graduate, roll back or hold), as the schedule does.
              parameters:
                - $ref: "#/components/parameters/DeploymentID"
              responses:
                "200":
                  description: The deployment after the decision, measured.
                  content:
                    application/json:
                      schema: {$ref: "#/components/schemas/DeploymentAnswer"}
                default: {$ref: "#/components/responses/Error"}
        schemas:
          DeploymentAnswer:
            type: object
            required: [deployment]
            properties:
              deployment: {$ref: "#/components/schemas/Deployment"}
          RolloutAnalysis:
            type: object
            additionalProperties: false
            description: The rules a canary or A/B test is decided by; each left out keeps its default.
            properties:
              steps:
                type: array
                items: {type: number}
                description: The challenger's share at each canary step, rising to 100 (default 5, 10, 25, 50, 100).
              minimum_units: {type: integer, description: Units the challenger serves at a step before it may advance (default 200).}
              max_error_rate_increase: {type: number, description: "Guardrail: the challenger's error rate above the champion's (default 0.02)."}
              max_latency_ratio: {type: number, description: "Guardrail: the challenger's latency p95 over the champion's (default 1.5)."}
              primary_metric: {type: string, enum: [error_rate, accuracy, mae, conversion, judge_score]}
              alpha: {type: number, description: Significance level of the sequential test (default 0.05).}
              effect_scale: {type: number, description: "τ of the mixture SPRT: the size of difference it looks for (default 0.02)."}
              guardrail_metrics:
                type: array
                items: {type: string, enum: [accuracy, mae, conversion, judge_score]}
                description: "Guardrails besides error rate and latency: a challenger significantly worse on any of these is rolled back at once."
          Deployment:
            type: object
            required: [id, system_id, mode, state, arms, analysis, reason, created_by, created_at, updated_at, step_started_at, revision]
            properties:
              id: {type: string}
              system_id: {type: string}
              mode: {type: string, enum: [single, canary, ab, shadow]}
              state: {type: string, enum: [active, graduated, rolled_back, ended]}
              arms:
                type: array
                items:
                  type: object
                  required: [name, model, version, endpoint, weight]
                  properties:
                    name: {type: string}
                    model: {type: string}
                    version: {type: string}
                    endpoint: {type: string}
                    weight: {type: number}
                    counts:
                      type: object
                      description: requests, failures, units, step_units (since the weights were set) and labeled.
                      additionalProperties: {type: integer}
                    metrics:
                      type: object
                      description: error_rate, latency_p50_ms, latency_p95_ms, latency_p99_ms and, when defined, accuracy, mae, wape, conversion, judge_score.
                      additionalProperties: {type: number}
              unit_field: {type: string}
              won_arm:
                type: string
                description: The arm whose staged rollout the analysis found to have won (the fact the rollout control reads).
              analysis: {$ref: "#/components/schemas/RolloutAnalysis"}
              reason: {type: string, description: "The last decision taken or held, in words."}
              p_value: {type: number, description: The sequential test's always-valid p-value at the last analysis.}
              decision:
                type: object
                description: What the analysis decides now (shown when the deployment is read).
                properties:
                  action: {type: string, enum: [hold, advance, graduate, roll_back]}
                  reason: {type: string}
                  next_weight: {type: number}
                  p_value: {type: number}
                  sample_ratio_p_value: {type: number}
                  sample_ratio_mismatch: {type: boolean}
              shadow_copies_shed: {type: integer, description: Shadow copies this replica shed because the shadow arms fell behind.}
              created_by: {type: string}
              created_at: {type: integer}
              updated_at: {type: integer}
              step_started_at: {type: integer}
              revision: {type: integer}
        """#
}
