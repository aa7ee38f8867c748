extension OpenAPIDocument {
    /// The AI Register's routes: systems, tiers, linked models, evidence, controls, approvals, promotion and
    /// rollback, technical documentation, risk classification and the portfolio export.
    static let register = #"""
        paths:
          /systems:
            post:
              operationId: createSystem
              summary: Register an AI system.
              description: |
                Adds an entry to the AI Register. Its risk tier is the questionnaire's suggestion until compliance overrides
                it; `models` and `prompts` link registered models and prompts at once.
              requestBody:
                required: true
                content:
                  application/json:
                    schema: {$ref: "#/components/schemas/SystemDraft"}
              responses:
                "201":
                  description: The new register entry, with everything computed about it.
                  content:
                    application/json:
                      schema: {$ref: "#/components/schemas/SystemResponse"}
                default: {$ref: "#/components/responses/Error"}
            get:
              operationId: listSystems
              summary: Every register entry.
              responses:
                "200":
                  description: Every system, with everything computed about it.
                  content:
                    application/json:
                      schema: {$ref: "#/components/schemas/SystemsListBody"}
                default: {$ref: "#/components/responses/Error"}
          /systems/{id}:
            get:
              operationId: getSystem
              summary: One register entry.
              parameters:
                - $ref: "#/components/parameters/SystemID"
              responses:
                "200":
                  description: The system, with its maturity, controls, last evaluation, monitoring and incidents.
                  content:
                    application/json:
                      schema: {$ref: "#/components/schemas/SystemResponse"}
                default: {$ref: "#/components/responses/Error"}
            patch:
              operationId: updateSystem
              summary: Change a system's descriptive fields, status or questionnaire.
              description: |
                Absent fields stay as they are. New questionnaire answers re-suggest the tier unless compliance has
                overridden it; answers that would lower it need compliance or an admin. `models` and `prompts` are refused
                here: link and unlink with /systems/{id}/models.
              parameters:
                - $ref: "#/components/parameters/SystemID"
              requestBody:
                required: false
                content:
                  application/json:
                    schema: {$ref: "#/components/schemas/SystemUpdate"}
              responses:
                "200":
                  description: The updated register entry.
                  content:
                    application/json:
                      schema: {$ref: "#/components/schemas/SystemResponse"}
                default: {$ref: "#/components/responses/Error"}
          /systems/{id}/tier:
            post:
              operationId: overrideSystemTier
              summary: Override a system's risk tier (compliance or admin).
              parameters:
                - $ref: "#/components/parameters/SystemID"
              requestBody:
                required: true
                content:
                  application/json:
                    schema:
                      type: object
                      additionalProperties: false
                      required: [tier, rationale]
                      properties:
                        tier:
                          type: string
                          enum: [low, medium, high, critical]
                          description: The risk tier (case-insensitive).
                        rationale:
                          type: string
                          minLength: 1
                          pattern: \S
                          description: Why the tier differs from the questionnaire's suggestion; required.
              responses:
                "200":
                  description: The register entry with its new tier.
                  content:
                    application/json:
                      schema: {$ref: "#/components/schemas/SystemResponse"}
                default: {$ref: "#/components/responses/Error"}
          /systems/{id}/models:
            post:
              operationId: linkSystemModel
              summary: Link a registered model or prompt to a system.
              parameters:
                - $ref: "#/components/parameters/SystemID"
              requestBody:
                required: true
                content:
                  application/json:
                    schema:
                      type: object
                      additionalProperties: false
                      required: [name]
                      properties:
                        name:
                          type: string
                          minLength: 1
                          description: The registered model's (or prompt's) name.
                        kind:
                          type: string
                          enum: [model, prompt]
                          description: What is linked; model when absent.
              responses:
                "200":
                  description: The system (without the computed fields of a full entry).
                  content:
                    application/json:
                      schema: {$ref: "#/components/schemas/SystemResponse"}
                default: {$ref: "#/components/responses/Error"}
          /systems/{id}/models/{name}:
            delete:
              operationId: unlinkSystemModel
              summary: Unlink a model or prompt from a system (compliance or admin).
              parameters:
                - $ref: "#/components/parameters/SystemID"
                - name: name
                  in: path
                  required: true
                  description: The linked model's (or prompt's) name.
                  schema: {type: string}
              responses:
                "200":
                  description: The system (without the computed fields of a full entry).
                  content:
                    application/json:
                      schema: {$ref: "#/components/schemas/SystemResponse"}
                default: {$ref: "#/components/responses/Error"}
          /systems/{id}/evidence:
            post:
              operationId: addSystemEvidence
              summary: Record evidence that a control is met, for the system or one model version of it.
              description: |
                The type must be one the policy's controls read. Evidence for a model version names both `model` (a model
                of the system) and `version`.
              parameters:
                - $ref: "#/components/parameters/SystemID"
              requestBody:
                required: true
                content:
                  application/json:
                    schema:
                      type: object
                      additionalProperties: false
                      required: [type, reference]
                      properties:
                        type:
                          type: string
                          minLength: 1
                          maxLength: 100
                          description: The evidence type (letters, digits, '_' or '-'), one the policy's controls read, such as bias_test.
                        reference:
                          type: string
                          minLength: 1
                          description: Where the proof can be found.
                        digest:
                          type: string
                          pattern: '^((sha256:)?[0-9a-fA-F]{64})?$'
                          description: The SHA-256 of the proof in hex (64 characters, optionally prefixed 'sha256:'), or empty.
                        model:
                          type: string
                          description: The model of the system the evidence is for.
                        version:
                          type: [string, integer]
                          description: The model version the evidence is for; needs `model`.
              responses:
                "201":
                  description: The recorded evidence.
                  content:
                    application/json:
                      schema: {$ref: "#/components/schemas/SystemsAddEvidenceBody"}
                default: {$ref: "#/components/responses/Error"}
            get:
              operationId: listSystemEvidence
              summary: A system's evidence.
              parameters:
                - $ref: "#/components/parameters/SystemID"
              responses:
                "200":
                  description: Every evidence record of the system.
                  content:
                    application/json:
                      schema: {$ref: "#/components/schemas/SystemsListEvidenceBody"}
                default: {$ref: "#/components/responses/Error"}
          /systems/{id}/controls:
            get:
              operationId: getSystemControls
              summary: The controls a promotion of a model version would be checked against, and which are missing.
              parameters:
                - $ref: "#/components/parameters/SystemID"
                - name: model
                  in: query
                  required: true
                  description: The registered model's name.
                  schema: {type: string}
                - name: version
                  in: query
                  required: true
                  description: The model version.
                  schema: {type: string}
                - name: alias
                  in: query
                  required: false
                  description: The alias the promotion would move (production when neither alias nor a known stage is given).
                  schema: {type: string}
                - name: stage
                  in: query
                  required: false
                  description: The stage the promotion would move the version to (None, Staging, Production, Archived; any case);
                    takes precedence over alias; an unknown stage is ignored.
                  schema: {type: string}
              responses:
                "200":
                  description: The system's tier and each control with whether it holds.
                  content:
                    application/json:
                      schema: {$ref: "#/components/schemas/SystemsControlsBody"}
                default: {$ref: "#/components/responses/Error"}
          /systems/{id}/approvals:
            post:
              operationId: requestApproval
              summary: Ask reviewers to approve a model version of the system for a protected alias or the Production stage.
              parameters:
                - $ref: "#/components/parameters/SystemID"
              requestBody:
                required: true
                content:
                  application/json:
                    schema:
                      type: object
                      additionalProperties: false
                      required: [model, version]
                      properties:
                        model:
                          type: string
                          minLength: 1
                          description: The registered model's name, a model of the system.
                        version:
                          type: [string, integer]
                          description: The model version.
                        alias:
                          type: string
                          description: The protected alias (or Production) the approval is for; production when absent or empty.
              responses:
                "201":
                  description: The approval request.
                  content:
                    application/json:
                      schema: {$ref: "#/components/schemas/ApprovalBody"}
                default: {$ref: "#/components/responses/Error"}
            get:
              operationId: listSystemApprovals
              summary: A system's approval requests, with their decisions.
              parameters:
                - $ref: "#/components/parameters/SystemID"
              responses:
                "200":
                  description: Every approval request of the system.
                  content:
                    application/json:
                      schema: {$ref: "#/components/schemas/SystemsListApprovalsBody"}
                default: {$ref: "#/components/responses/Error"}
          /approvals:
            get:
              operationId: approvalsInbox
              summary: The caller's approvals inbox, across systems.
              description: >-
                The requests that wait on the caller (who may decide approvals, authored neither the version nor its run,
                and has not decided the request yet; `awaits_you` is true) and those the caller asked for. Needs an
                authenticated user.
              parameters:
                - name: status
                  in: query
                  description: Keep only requests in this state; `pending` gives what is left to decide.
                  schema:
                    type: string
                    enum: [pending, approved, rejected]
              responses:
                "200":
                  description: The requests, oldest first.
                  content:
                    application/json:
                      schema: {$ref: "#/components/schemas/SystemsListApprovalsBody"}
                default: {$ref: "#/components/responses/Error"}
          /approvals/{id}/decisions:
            post:
              operationId: decideApproval
              summary: Approve or reject an approval request (reviewer, compliance or admin; never the version's author).
              parameters:
                - name: id
                  in: path
                  required: true
                  description: The approval request's ID.
                  schema: {type: string}
              requestBody:
                required: true
                content:
                  application/json:
                    schema:
                      type: object
                      additionalProperties: false
                      required: [decision]
                      properties:
                        decision:
                          type: string
                          enum: [approve, reject]
                          description: The verdict (case-insensitive).
                        comment:
                          type: string
                          description: The reviewer's comment.
              responses:
                "200":
                  description: The approval request with the new decision.
                  content:
                    application/json:
                      schema: {$ref: "#/components/schemas/ApprovalBody"}
                default: {$ref: "#/components/responses/Error"}
          /systems/{id}/promote:
            post:
              operationId: promoteModelVersion
              summary: Promote a model version of the system to an alias or a stage, if the tier's controls hold.
              description: Name exactly one of `alias` and `stage`.
              parameters:
                - $ref: "#/components/parameters/SystemID"
              requestBody:
                required: true
                content:
                  application/json:
                    schema:
                      type: object
                      additionalProperties: false
                      required: [model, version]
                      properties:
                        model:
                          type: string
                          minLength: 1
                          description: The registered model's name, a model of the system.
                        version:
                          type: [string, integer]
                          description: The model version.
                        alias:
                          type: string
                          description: The alias to point at the version.
                        stage:
                          type: string
                          enum: [None, Staging, Production, Archived]
                          description: The stage to move the version to (case-insensitive).
                        archive_existing_versions:
                          type: boolean
                          description: With a stage, move the versions already in it to Archived.
              responses:
                "200":
                  description: The promoted model version, in MLflow's shape.
                  content:
                    application/json:
                      schema:
                        type: object
                        required: [model_version]
                        properties:
                          model_version: {$ref: "#/components/schemas/ModelVersion"}
                default: {$ref: "#/components/responses/Error"}
          /systems/{id}/rollback:
            post:
              operationId: rollbackModelAlias
              summary: Point an alias of a model of the system back at the version it held before.
              parameters:
                - $ref: "#/components/parameters/SystemID"
              requestBody:
                required: true
                content:
                  application/json:
                    schema:
                      type: object
                      additionalProperties: false
                      required: [model, alias]
                      properties:
                        model:
                          type: string
                          minLength: 1
                          description: The registered model's name, a model of the system.
                        alias:
                          type: string
                          minLength: 1
                          description: The alias to roll back.
              responses:
                "200":
                  description: The alias and the versions it moved from and to.
                  content:
                    application/json:
                      schema: {$ref: "#/components/schemas/SystemsRollbackBody"}
                default: {$ref: "#/components/responses/Error"}
          /systems/{id}/documentation:
            get:
              operationId: getSystemDocumentation
              summary: A system's technical documentation under the headings of the EU AI Act's Annex IV.
              description: >-
                JSON, or Markdown or a self-contained HTML page with the sections in the Annex's order: the format
                `format` names, else the one the `Accept` header prefers (`text/html`, `text/markdown`).
              parameters:
                - $ref: "#/components/parameters/SystemID"
                - name: format
                  in: query
                  required: false
                  description: The format (`md` is Markdown; matched ignoring case); without it, the `Accept` header decides.
                  schema:
                    type: string
                    enum: [json, markdown, md, html]
              responses:
                "200":
                  description: The documentation, filled from what the server observed and the evidence it holds.
                  content:
                    application/json:
                      schema: {$ref: "#/components/schemas/TechnicalDocumentation"}
                    "text/markdown; charset=utf-8":
                      schema: {type: string}
                    "text/html; charset=utf-8":
                      schema: {type: string}
                default: {$ref: "#/components/responses/Error"}
          /classify:
            post:
              operationId: classifyRisk
              summary: The risk tier questionnaire answers suggest, with every reason that raised it.
              description: Changes nothing; missing answers mean "no" and the general domain.
              requestBody:
                required: false
                content:
                  application/json:
                    schema:
                      type: object
                      additionalProperties: false
                      properties:
                        questionnaire: {$ref: "#/components/schemas/RiskQuestionnaireAnswers"}
              responses:
                "200":
                  description: The suggested tier and its reasons.
                  content:
                    application/json:
                      schema: {$ref: "#/components/schemas/SystemsClassifyBody"}
                default: {$ref: "#/components/responses/Error"}
          /register/portfolio:
            get:
              operationId: getPortfolio
              summary: Every system with tier, owner, maturity, controls, last evaluation and open incidents, as JSON or CSV.
              parameters:
                - name: format
                  in: query
                  required: false
                  description: json (the default) or csv (an attachment, steward-portfolio.csv).
                  schema:
                    type: string
                    enum: [json, csv]
                    default: json
              responses:
                "200":
                  description: The portfolio.
                  content:
                    application/json:
                      schema: {$ref: "#/components/schemas/SystemsPortfolioBody"}
                    text/csv; charset=utf-8:
                      schema: {type: string}
                default: {$ref: "#/components/responses/Error"}
        schemas:
          SystemDraft:
            type: object
            description: The fields of a new register entry.
            additionalProperties: false
            required: [name]
            properties:
              name:
                type: string
                minLength: 1
                maxLength: 200
                pattern: \S
                description: The system's name, 1 to 200 characters.
              purpose: {type: string, description: The intended purpose.}
              out_of_scope_uses:
                type: array
                items: {type: string}
              business_owner: {type: string}
              technical_owner: {type: string}
              status:
                type: string
                enum: [proposed, development, production, retired]
                description: The lifecycle status (case-insensitive); proposed when absent.
              data_sources:
                type: array
                items: {$ref: "#/components/schemas/DataSourceInput"}
              external_models:
                type: array
                items: {$ref: "#/components/schemas/ExternalModelInput"}
              known_limitations:
                type: array
                items: {type: string}
              review_due:
                type: string
                pattern: '^(\d{4}-\d{2}-\d{2})?$'
                description: The date (YYYY-MM-DD) by which the entry must be reviewed again, or empty.
              questionnaire: {$ref: "#/components/schemas/RiskQuestionnaireAnswers"}
              models:
                type: array
                items: {type: string}
                description: Registered models to link, each once.
              prompts:
                type: array
                items: {type: string}
                description: Registered prompts to link, each once.
          SystemUpdate:
            type: object
            description: The fields of a register entry to change; absent fields stay as they are.
            additionalProperties: false
            properties:
              name:
                type: string
                minLength: 1
                maxLength: 200
                pattern: \S
                description: The system's name, 1 to 200 characters.
              purpose: {type: string, description: The intended purpose.}
              out_of_scope_uses:
                type: array
                items: {type: string}
              business_owner: {type: string}
              technical_owner: {type: string}
              status:
                type: string
                enum: [proposed, development, production, retired]
                description: The lifecycle status (case-insensitive).
              data_sources:
                type: array
                items: {$ref: "#/components/schemas/DataSourceInput"}
              external_models:
                type: array
                items: {$ref: "#/components/schemas/ExternalModelInput"}
              known_limitations:
                type: array
                items: {type: string}
              review_due:
                type: string
                pattern: '^(\d{4}-\d{2}-\d{2})?$'
                description: The date (YYYY-MM-DD) by which the entry must be reviewed again, or empty.
              questionnaire: {$ref: "#/components/schemas/RiskQuestionnaireAnswers"}
              models:
                not: {}
                description: Refused here; link models with POST /systems/{id}/models.
              prompts:
                not: {}
                description: Refused here; link prompts with POST /systems/{id}/models.
          DataSourceInput:
            type: object
            description: A data source the system uses.
            additionalProperties: false
            required: [name]
            properties:
              name: {type: string, minLength: 1}
              kind: {type: string}
              personal_data: {type: boolean}
          ExternalModelInput:
            type: object
            description: A model the system calls but does not own, such as an LLM API.
            additionalProperties: false
            required: [provider, model]
            properties:
              provider: {type: string, minLength: 1}
              model: {type: string, minLength: 1}
              version: {type: string}
              type: {type: string}
          RiskQuestionnaireAnswers:
            type: object
            description: Answers that classify a system's risk; missing answers mean "no" and the general domain.
            additionalProperties: false
            properties:
              domain:
                type: string
                enum: [general, credit, insurance, medical, legal, employment, education, critical_infrastructure, biometrics,
                  law_enforcement, migration, essential_services]
                description: The application domain (case-insensitive); every one but general is high-risk.
              customer_facing: {type: boolean}
              autonomous_actions: {type: boolean}
              safety_critical: {type: boolean}
              personal_data: {type: boolean}
          SystemResponse:
            type: object
            required: [system]
            properties:
              system: {$ref: "#/components/schemas/System"}
          SystemsListBody:
            type: object
            required: [systems]
            properties:
              systems:
                type: array
                items: {$ref: "#/components/schemas/System"}
          SystemsPortfolioBody:
            type: object
            required: [systems]
            properties:
              systems:
                type: array
                items: {$ref: "#/components/schemas/System"}
          SystemsAddEvidenceBody:
            type: object
            required: [evidence]
            properties:
              evidence: {$ref: "#/components/schemas/Evidence"}
          SystemsListEvidenceBody:
            type: object
            required: [evidence]
            properties:
              evidence:
                type: array
                items: {$ref: "#/components/schemas/Evidence"}
          SystemsControlsBody:
            type: object
            required: [tier, model, version, controls, missing]
            properties:
              tier:
                type: string
                enum: [low, medium, high, critical]
              model: {type: string}
              version: {type: string}
              controls:
                type: array
                items: {$ref: "#/components/schemas/ControlEvaluation"}
              missing:
                type: array
                items: {type: string}
                description: The names of the controls that do not hold.
          ApprovalBody:
            type: object
            required: [approval]
            properties:
              approval: {$ref: "#/components/schemas/Approval"}
          SystemsListApprovalsBody:
            type: object
            required: [approvals]
            properties:
              approvals:
                type: array
                items: {$ref: "#/components/schemas/Approval"}
          SystemsRollbackBody:
            type: object
            required: [model, alias, from_version, to_version]
            properties:
              model: {type: string}
              alias: {type: string}
              from_version: {type: string}
              to_version: {type: string}
          SystemsClassifyBody:
            type: object
            required: [tier, reasons]
            properties:
              tier:
                type: string
                enum: [low, medium, high, critical]
              reasons:
                type: array
                items: {type: string}
          System:
            type: object
            description: |
              A register entry. maturity, controls, controls_met, controls_missing, monitoring and incidents (and
              last_evaluation, when there is one) are computed for a full entry; linking and unlinking return the system
              without them.
            required: [id, name, status, purpose, out_of_scope_uses, business_owner, technical_owner, data_sources, external_models,
              known_limitations, review_due, questionnaire, risk_tier, tier_rationale, tier_source, models, created_at, updated_at,
              created_by]
            properties:
              id: {type: string}
              name: {type: string}
              status:
                type: string
                enum: [proposed, development, production, retired]
              purpose: {type: string}
              out_of_scope_uses:
                type: array
                items: {type: string}
              business_owner: {type: string}
              technical_owner: {type: string}
              data_sources:
                type: array
                items: {$ref: "#/components/schemas/SystemProfileDataSource"}
              external_models:
                type: array
                items: {$ref: "#/components/schemas/SystemProfileExternalModel"}
              known_limitations:
                type: array
                items: {type: string}
              review_due: {type: string}
              questionnaire: {$ref: "#/components/schemas/RiskQuestionnaire"}
              risk_tier:
                type: string
                enum: [low, medium, high, critical]
              tier_rationale: {type: string}
              tier_source:
                type: string
                enum: [questionnaire, override]
              models:
                type: array
                items: {$ref: "#/components/schemas/SystemComponent"}
              created_at: {type: integer}
              updated_at: {type: integer}
              created_by: {type: string}
              maturity: {$ref: "#/components/schemas/MaturityLevel"}
              controls:
                type: array
                items: {$ref: "#/components/schemas/SystemModelControls"}
              controls_met:
                type: array
                items: {type: string}
              controls_missing:
                type: array
                items: {type: string}
              last_evaluation: {$ref: "#/components/schemas/Evaluation"}
              monitoring: {$ref: "#/components/schemas/SystemMonitoring"}
              incidents:
                type: array
                items: {$ref: "#/components/schemas/Incident"}
              unlisted_model_calls: {type: integer, description: "Gateway calls refused for a model the entry does not list (shadow AI)."}
          SystemComponent:
            type: object
            required: [name, kind]
            properties:
              name: {type: string}
              kind:
                type: string
                enum: [model, prompt]
          SystemModelControls:
            type: object
            description: The controls of one model of the system, for the version it serves (or its newest), per protected target.
            required: [model, controls, targets]
            properties:
              model: {type: string}
              version:
                type: string
                description: Absent when the model has no version.
              controls:
                type: array
                items: {$ref: "#/components/schemas/ControlEvaluation"}
                description: The controls for the first target.
              targets:
                type: array
                items: {$ref: "#/components/schemas/SystemTargetControls"}
          SystemTargetControls:
            type: object
            required: [target, controls, missing]
            properties:
              target: {type: string}
              controls:
                type: array
                items: {$ref: "#/components/schemas/ControlEvaluation"}
              missing:
                type: array
                items: {type: string}
          SystemMonitoring:
            type: object
            description: What Steward observes of the system's monitoring.
            required: [alert_conditions, retraining_webhook, monitored]
            properties:
              reference_version: {type: integer}
              reference_source: {type: string}
              alert_conditions: {type: integer}
              retraining_webhook: {type: boolean}
              monitored: {type: boolean}
          SystemProfileDataSource:
            type: object
            required: [name, kind, personal_data]
            properties:
              name: {type: string}
              kind: {type: string}
              personal_data: {type: boolean}
          SystemProfileExternalModel:
            type: object
            required: [provider, model, version, type]
            properties:
              provider: {type: string}
              model: {type: string}
              version: {type: string}
              type: {type: string}
          RiskQuestionnaire:
            type: object
            required: [domain, customer_facing, autonomous_actions, safety_critical, personal_data]
            properties:
              domain:
                type: string
                enum: [general, credit, insurance, medical, legal, employment, education, critical_infrastructure, biometrics,
                  law_enforcement, migration, essential_services]
              customer_facing: {type: boolean}
              autonomous_actions: {type: boolean}
              safety_critical: {type: boolean}
              personal_data: {type: boolean}
          MaturityLevel:
            type: object
            required: [level, missing]
            properties:
              level:
                type: integer
                minimum: 0
                maximum: 3
              missing:
                type: array
                items: {type: string}
          ControlEvaluation:
            type: object
            required: [name, satisfied, detail, basis]
            properties:
              name: {type: string}
              satisfied: {type: boolean}
              detail: {type: string}
              basis:
                type: string
                enum: [model_card, evaluation, monitoring, approvals, evidence]
              remedy: {type: string, description: "For a control not met: the call that meets it, and who may make it."}
              command: {type: string, description: "For a control not met: the steward command line that meets it."}
          Evidence:
            type: object
            required: [id, system_id, type, reference, digest, author, created_at]
            properties:
              id: {type: string}
              system_id: {type: string}
              type: {type: string}
              reference: {type: string}
              digest: {type: string}
              model: {type: string}
              version: {type: string}
              author: {type: string}
              created_at: {type: integer}
          Approval:
            type: object
            required: [id, system_id, model, version, alias, requested_by, created_at, status, decisions]
            properties:
              id: {type: string}
              system_id: {type: string}
              model: {type: string}
              version: {type: string}
              alias: {type: string}
              requested_by: {type: string}
              created_at: {type: integer}
              status:
                type: string
                enum: [pending, approved, rejected]
                description: Pending until someone decides, then as the latest decision says.
              awaits_you:
                type: boolean
                description: In the caller's inbox only, whether the request waits on the caller's decision.
              decisions:
                type: array
                items: {$ref: "#/components/schemas/ApprovalDecision"}
          ApprovalDecision:
            type: object
            required: [approver, role, verdict, comment, decided_at]
            properties:
              approver: {type: string}
              role:
                type: string
                enum: [viewer, contributor, reviewer, compliance, admin]
              verdict:
                type: string
                enum: [approve, reject]
              comment: {type: string}
              decided_at: {type: integer}
          GateResult:
            type: object
            required: [gate, conditions]
            properties:
              gate: {type: string}
              conditions:
                type: array
                items:
                  type: object
                  required: [condition, outcome]
                  properties:
                    condition: {type: string}
                    value: {type: number}
                    threshold:
                      type: number
                      description: Absent when skipped, when a metric is missing, or when the champion's value times the factor overflows.
                    outcome:
                      type: string
                      enum: [passed, failed, skipped]
                    note: {type: string}
          ModelVersion:
            type: object
            description: MLflow's ModelVersion message; empty tags and aliases, and an unset user or model ID, are left out.
            required: [name, version, creation_timestamp, last_updated_timestamp, current_stage, description, source, run_id, status,
              run_link]
            properties:
              name: {type: string}
              version: {type: string}
              creation_timestamp: {type: integer}
              last_updated_timestamp: {type: integer}
              user_id: {type: string}
              current_stage:
                type: string
                enum: [None, Staging, Production, Archived]
              description: {type: string}
              source: {type: string}
              run_id: {type: string}
              status:
                type: string
                enum: [PENDING_REGISTRATION, FAILED_REGISTRATION, READY]
              tags:
                type: array
                items:
                  type: object
                  required: [key, value]
                  properties:
                    key: {type: string}
                    value: {type: string}
              run_link: {type: string}
              aliases:
                type: array
                items: {type: string}
              model_id: {type: string}
          TechnicalDocumentation:
            type: object
            description: A system's technical documentation under the headings of the EU AI Act's Annex IV.
            required: [system_id, generated_from, general_description, development_process, monitoring_functioning_and_control,
              performance_metrics, risk_management_system, lifecycle_changes, standards_applied, declaration_of_conformity,
              post_market_monitoring]
            properties:
              system_id: {type: string}
              generated_from: {type: string}
              general_description:
                type: object
                required: [heading, content]
                properties:
                  heading: {type: string}
                  content:
                    type: object
                    required: [name, intended_purpose, out_of_scope_uses, business_owner, technical_owner, status, models, external_models]
                    properties:
                      name: {type: string}
                      intended_purpose: {type: string}
                      out_of_scope_uses:
                        type: array
                        items: {type: string}
                      business_owner: {type: string}
                      technical_owner: {type: string}
                      status:
                        type: string
                        enum: [proposed, development, production, retired]
                      models:
                        type: array
                        items: {$ref: "#/components/schemas/SystemComponent"}
                      external_models:
                        type: array
                        items: {$ref: "#/components/schemas/SystemProfileExternalModel"}
              development_process:
                type: object
                required: [heading, content]
                properties:
                  heading: {type: string}
                  content:
                    type: object
                    required: [data_sources, model_versions_assessed]
                    properties:
                      data_sources:
                        type: array
                        items: {$ref: "#/components/schemas/SystemProfileDataSource"}
                      model_versions_assessed:
                        type: array
                        items: {$ref: "#/components/schemas/SystemModelControls"}
              monitoring_functioning_and_control:
                type: object
                required: [heading, content]
                properties:
                  heading: {type: string}
                  content:
                    type: object
                    required: [known_limitations, human_oversight, maturity]
                    properties:
                      known_limitations:
                        type: array
                        items: {type: string}
                      human_oversight:
                        type: array
                        items: {$ref: "#/components/schemas/Evidence"}
                        description: The system's human_in_the_loop evidence.
                      maturity: {$ref: "#/components/schemas/MaturityLevel"}
              performance_metrics:
                type: object
                required: [heading, content]
                properties:
                  heading: {type: string}
                  content:
                    type: array
                    items: {$ref: "#/components/schemas/Evaluation"}
                    description: The latest evaluation of each model version the register assesses, newest first.
              risk_management_system:
                type: object
                required: [heading, content]
                properties:
                  heading: {type: string}
                  content:
                    type: object
                    required: [risk_tier, tier_rationale, tier_source, questionnaire, controls_met, controls_missing]
                    properties:
                      risk_tier:
                        type: string
                        enum: [low, medium, high, critical]
                      tier_rationale: {type: string}
                      tier_source:
                        type: string
                        enum: [questionnaire, override]
                      questionnaire: {$ref: "#/components/schemas/RiskQuestionnaire"}
                      controls_met:
                        type: array
                        items: {type: string}
                      controls_missing:
                        type: array
                        items: {type: string}
              lifecycle_changes:
                type: object
                required: [heading, content]
                properties:
                  heading: {type: string}
                  content: {type: string}
              standards_applied:
                type: object
                required: [heading, content]
                properties:
                  heading: {type: string}
                  content:
                    type: object
                    required: [policy_version, policy]
                    properties:
                      policy_version: {type: integer}
                      policy:
                        type: string
                        description: The YAML policy document in force.
              declaration_of_conformity:
                type: object
                required: [heading, content]
                properties:
                  heading: {type: string}
                  content: {type: string}
              post_market_monitoring:
                type: object
                required: [heading, content]
                properties:
                  heading: {type: string}
                  content:
                    type: object
                    required: [monitoring, incidents, review_due]
                    properties:
                      monitoring: {$ref: "#/components/schemas/SystemMonitoring"}
                      incidents:
                        type: array
                        items: {$ref: "#/components/schemas/Incident"}
                      review_due: {type: string}
        """#
}
