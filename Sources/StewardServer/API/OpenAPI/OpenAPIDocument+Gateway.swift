extension OpenAPIDocument {
    /// The LLM gateway's administration (`/gateway/config`, `/systems/{id}/gateway/keys`); the calls themselves go
    /// to the OpenAI-compatible `/v1` routes, outside this document.
    static let gateway = #"""
        paths:
          /gateway/config:
            get:
              operationId: getGatewayConfiguration
              summary: The gateway's configuration in force (providers and models), as JSON or as its YAML document.
              parameters:
                - name: format
                  in: query
                  required: false
                  description: yaml for the YAML document as written; any other value, or none, gives JSON.
                  schema: {type: string, examples: [json, yaml]}
              responses:
                "200":
                  description: The configuration in force (version 0, with no provider, before any is stored).
                  content:
                    application/json:
                      schema:
                        type: object
                        required: [configuration]
                        properties:
                          configuration: {$ref: "#/components/schemas/GatewayConfiguration"}
                    "application/yaml; charset=utf-8":
                      schema:
                        type: object
                        description: The YAML document as it was written (a mapping).
                default: {$ref: "#/components/responses/Error"}
            put:
              operationId: replaceGatewayConfiguration
              summary: Replace the gateway's configuration with the YAML document in the body (compliance or admin).
              description: |
                Validated whole and stored as a new version, audited. Every provider's host must be allowed with
                `steward serve --allow-endpoint-host`. Provider keys are never in the document: `api_key_env` names the
                environment variable the server reads the key from at each call. Prices are dollars per million tokens,
                kept exact as written. JSON, being YAML, is read the same way; the Content-Type header is not read.
              requestBody:
                required: true
                description: The configuration as YAML.
                content:
                  application/yaml:
                    schema:
                      type: object
                      additionalProperties: false
                      properties:
                        cache: {$ref: "#/components/schemas/GatewayCache"}
                        providers:
                          type: array
                          items:
                            type: object
                            additionalProperties: false
                            required: [name, kind, base_url]
                            properties:
                              name: {type: string}
                              kind: {type: string, enum: [openai, anthropic], description: "The wire format: OpenAI's chat completions and embeddings, or Anthropic's Messages API (translated both ways)."}
                              base_url: {type: string, description: "The URL API paths are appended to, e.g. https://api.openai.com/v1."}
                              api_key_env: {type: string, description: The environment variable holding the provider's key.}
                        models:
                          type: array
                          items:
                            type: object
                            additionalProperties: false
                            required: [name, provider, upstream_model, input_per_million, output_per_million]
                            properties:
                              name: {type: string, description: "The name clients send as model, and register entries list."}
                              provider: {type: string}
                              upstream_model: {type: string, description: The provider's name for the model.}
                              input_per_million: {type: number, minimum: 0}
                              output_per_million: {type: number, minimum: 0}
                              cached_input_per_million: {type: number, minimum: 0, description: The input price by default.}
                              timeout_seconds: {type: number, description: 60 by default.}
                              max_output_tokens:
                                type: integer
                                minimum: 1
                                maximum: 1000000
                                description: The completion tokens a call that sets no limit is held to while a budget applies (4096 by default).
                              fallbacks:
                                type: array
                                items: {type: string}
                                description: Models tried in order when this one answers 429, a 5xx or not in time.
              responses:
                "200":
                  description: The stored configuration.
                  content:
                    application/json:
                      schema:
                        type: object
                        required: [configuration]
                        properties:
                          configuration: {$ref: "#/components/schemas/GatewayConfiguration"}
                default: {$ref: "#/components/responses/Error"}
          /systems/{id}/gateway/keys:
            post:
              operationId: createGatewayKey
              summary: Make a gateway key for the system; the key is shown only in this answer.
              description: |
                Calls made with the key (as OpenAI's API key, against `/v1`) are the system's: they may use only the
                models its register entry lists, and become its inference events. Stored only as a digest; audited.
              parameters:
                - $ref: "#/components/parameters/SystemID"
              requestBody:
                required: false
                content:
                  application/json:
                    schema:
                      type: object
                      additionalProperties: false
                      properties:
                        label: {type: string, description: What the key is for.}
              responses:
                "201":
                  description: The key, shown once.
                  content:
                    application/json:
                      schema:
                        type: object
                        required: [id, key, system_id, label]
                        properties:
                          id: {type: string}
                          key: {type: string, description: "sgw_…, to send as 'Authorization: Bearer'."}
                          system_id: {type: string}
                          label: {type: string}
                default: {$ref: "#/components/responses/Error"}
            get:
              operationId: listGatewayKeys
              summary: The system's gateway keys (never the keys themselves) and how many calls named a model it does not list.
              parameters:
                - $ref: "#/components/parameters/SystemID"
              responses:
                "200":
                  description: The keys, oldest first.
                  content:
                    application/json:
                      schema:
                        type: object
                        required: [keys, unlisted_model_calls]
                        properties:
                          keys:
                            type: array
                            items:
                              type: object
                              required: [id, system_id, label, created_by, created_at]
                              properties:
                                id: {type: string}
                                system_id: {type: string}
                                label: {type: string}
                                created_by: {type: string}
                                created_at: {type: integer}
                          unlisted_model_calls: {type: integer, description: Calls refused for a model the register entry does not list.}
                default: {$ref: "#/components/responses/Error"}
          /systems/{id}/gateway/keys/{key}:
            delete:
              operationId: revokeGatewayKey
              summary: Revoke one of the system's gateway keys; calls with it are refused from then on.
              parameters:
                - $ref: "#/components/parameters/SystemID"
                - name: key
                  in: path
                  required: true
                  description: The key's id (the first 16 hex digits of its digest), as listed.
                  schema: {type: string}
              responses:
                "200":
                  description: Revoked; the body is an empty object.
                  content:
                    application/json:
                      schema: {type: object}
                default: {$ref: "#/components/responses/Error"}
          /systems/{id}/gateway/budget:
            get:
              operationId: getGatewayBudgets
              summary: The system's budget and its keys' budgets, with what each spent today and this month (UTC).
              parameters:
                - $ref: "#/components/parameters/SystemID"
              responses:
                "200":
                  description: Every scope (the system, then each key), budgeted or not.
                  content:
                    application/json:
                      schema: {$ref: "#/components/schemas/GatewayBudgets"}
                default: {$ref: "#/components/responses/Error"}
            put:
              operationId: setGatewayBudget
              summary: Set the system's budget per UTC day and month (contributors and up; audited); null is no limit.
              description: |
                A call first holds its worst case (its prompt and the completion tokens it may produce) against every
                budget of its system and key, in one transaction, and asks the provider for no more than what is held;
                it settles its real cost when it ends. No number of concurrent calls or streams spends past a budget;
                a call that cannot fit is 429 `budget_exceeded`, naming the budget.
              parameters:
                - $ref: "#/components/parameters/SystemID"
              requestBody:
                required: true
                content:
                  application/json:
                    schema: {$ref: "#/components/schemas/GatewayBudget"}
              responses:
                "200":
                  description: The budgets after the change.
                  content:
                    application/json:
                      schema: {$ref: "#/components/schemas/GatewayBudgets"}
                default: {$ref: "#/components/responses/Error"}
          /systems/{id}/gateway/spend:
            get:
              operationId: getGatewaySpend
              summary: What the system's gateway calls cost on a day and in its month, in all, per key, per model and per prompt version.
              parameters:
                - $ref: "#/components/parameters/SystemID"
                - name: day
                  in: query
                  required: false
                  description: The UTC day as YYYY-MM-DD; today by default.
                  schema: {type: string, pattern: "^[0-9]{4}-[0-9]{2}-[0-9]{2}$", examples: ["2026-12-04"]}
              responses:
                "200":
                  description: One entry per scope that spent, the system's first (present even at zero).
                  content:
                    application/json:
                      schema:
                        type: object
                        required: [day, month, spend]
                        properties:
                          day: {type: string}
                          month: {type: string}
                          spend:
                            type: array
                            items:
                              type: object
                              required: [scope, today_usd, calls_today, this_month_usd, calls_this_month]
                              properties:
                                scope: {type: string, description: "system, key:<id>, model:<name> or prompt:<name>/<version>."}
                                today_usd: {type: string, description: An exact decimal.}
                                calls_today: {type: integer}
                                this_month_usd: {type: string}
                                calls_this_month: {type: integer}
                default: {$ref: "#/components/responses/Error"}
          /systems/{id}/gateway/prompt-experiments:
            get:
              operationId: listGatewayPromptExperiments
              summary: The system's A/B tests of registered prompts, each version measured and compared with the control.
              description: |
                Per version: calls, failures, units, cost, error rate, latency p50/p95, joined feedback (conversion),
                labels (accuracy, MAE) and judge scores (graded by the experiment's judge, or posted), and against the
                control (the first version) the difference on the primary metric with its always-valid sequential
                p-value (mixture SPRT), so the results may be read at any time.
              parameters:
                - $ref: "#/components/parameters/SystemID"
              responses:
                "200":
                  description: Every running experiment, by prompt name.
                  content:
                    application/json:
                      schema:
                        type: object
                        required: [experiments]
                        properties:
                          experiments:
                            type: array
                            items: {$ref: "#/components/schemas/GatewayPromptExperiment"}
                default: {$ref: "#/components/responses/Error"}
          /systems/{id}/gateway/prompt-experiments/{prompt}:
            put:
              operationId: setGatewayPromptExperiment
              summary: Start, or change the split of, an A/B test of a registered prompt's versions (contributors and up; audited).
              description: |
                A gateway call that names the prompt by alias (or by nothing: the latest) gets the version its unit's
                bucket falls in — the X-Steward-Unit header, else the request's user, else the request itself —,
                sticky and the same on every replica. A call that names a version is not part of the test.

                Every version serves real users, so the promotion decision applies: a version that holds no protected
                alias needs the controls the policy's `serving.challenger` list names for the system's tier, and one
                at 100% must hold a protected alias (full traffic is promotion). A refusal (403) is audited and sets
                nothing.

                With a `judge`, a sample of the answered calls is graded after each answer has gone: the judge's
                model (a gateway model the system may use) is asked, as the system's own call (budgets, events and
                spend apply), to grade the answer against the request by the rubric, from 0 to 1; the score is
                joined to the call's event as its `judge_score`. A later PUT without `judge` keeps the judge (and without
                `primary_metric`, the metric); `"judge": null` takes it away.
              parameters:
                - $ref: "#/components/parameters/SystemID"
                - {name: prompt, in: path, required: true, description: The registered prompt's name., schema: {type: string}}
              requestBody:
                required: true
                content:
                  application/json:
                    schema:
                      type: object
                      additionalProperties: false
                      required: [versions]
                      properties:
                        versions:
                          type: array
                          minItems: 2
                          description: The control first; weights are percentages summing to 100.
                          items:
                            type: object
                            additionalProperties: false
                            required: [version, weight]
                            properties:
                              version: {type: [string, integer]}
                              weight: {type: number, minimum: 0, maximum: 100}
                        primary_metric: {type: string, enum: [conversion, error_rate, accuracy, mae, judge_score]}
                        judge:
                          description: The judge; left out, the one set before stays; null takes it away.
                          anyOf: [{$ref: "#/components/schemas/GatewayPromptJudge"}, {type: "null"}]
              responses:
                "200":
                  description: The experiment as set.
                  content:
                    application/json:
                      schema: {$ref: "#/components/schemas/GatewayPromptExperiment"}
                default: {$ref: "#/components/responses/Error"}
            delete:
              operationId: endGatewayPromptExperiment
              summary: End the system's test of the prompt (contributors and up; audited); calls get their alias's version again.
              parameters:
                - $ref: "#/components/parameters/SystemID"
                - {name: prompt, in: path, required: true, description: The registered prompt's name., schema: {type: string}}
              responses:
                "200":
                  description: Ended; the body is an empty object.
                  content:
                    application/json:
                      schema: {type: object}
                default: {$ref: "#/components/responses/Error"}
          /systems/{id}/gateway/keys/{key}/budget:
            put:
              operationId: setGatewayKeyBudget
              summary: Set one key's budget per UTC day and month (contributors and up; audited); null is no limit.
              parameters:
                - $ref: "#/components/parameters/SystemID"
                - name: key
                  in: path
                  required: true
                  description: The key's id, as listed.
                  schema: {type: string}
              requestBody:
                required: true
                content:
                  application/json:
                    schema: {$ref: "#/components/schemas/GatewayBudget"}
              responses:
                "200":
                  description: The budgets after the change.
                  content:
                    application/json:
                      schema: {$ref: "#/components/schemas/GatewayBudgets"}
                default: {$ref: "#/components/responses/Error"}
          /systems/{id}/gateway/safety:
            get:
              operationId: getGatewaySafetyChecks
              summary: The safety checks the system's gateway calls go through, as JSON or as their YAML document.
              parameters:
                - $ref: "#/components/parameters/SystemID"
                - name: format
                  in: query
                  required: false
                  description: yaml for the YAML document as written; any other value, or none, gives JSON.
                  schema: {type: string, examples: [json, yaml]}
              responses:
                "200":
                  description: The checks (none until some are stored).
                  content:
                    application/json:
                      schema: {$ref: "#/components/schemas/GatewaySafetyChecks"}
                    "application/yaml; charset=utf-8":
                      schema:
                        type: object
                        description: The YAML document as it was written (a mapping).
                default: {$ref: "#/components/responses/Error"}
            put:
              operationId: replaceGatewaySafetyChecks
              summary: Replace the system's safety checks with the YAML document in the body (contributors and up; audited).
              description: |
                Each check looks at the prompt (`apply_to: input`), the answer (`output`) or `both` (the default), and `flag`s what it finds
                (recorded on the call's event as safety flags) or `block`s the call: 400 `content_blocked` naming the
                check; a blocked prompt is never forwarded, a blocked answer is withheld. A streamed answer is checked
                when it ends, and what a check finds in it is a flag. Kinds: email, phone (9 to 15 digits), card (13 to
                19 digits passing the Luhn check), iban (passing the ISO 13616 check), deny (`pattern`, a regular
                expression) and max_length (`characters`).
              parameters:
                - $ref: "#/components/parameters/SystemID"
              requestBody:
                required: true
                content:
                  application/yaml:
                    schema:
                      type: object
                      additionalProperties: false
                      properties:
                        checks:
                          type: array
                          items:
                            type: object
                            additionalProperties: false
                            required: [name, kind, action]
                            properties:
                              name: {type: string}
                              kind: {type: string, enum: [email, phone, card, iban, deny, max_length]}
                              apply_to: {type: string, enum: [input, output, both], description: both by default.}
                              action: {type: string, enum: [flag, block]}
                              pattern: {type: string}
                              characters: {type: integer, minimum: 1}
              responses:
                "200":
                  description: The stored checks.
                  content:
                    application/json:
                      schema: {$ref: "#/components/schemas/GatewaySafetyChecks"}
                default: {$ref: "#/components/responses/Error"}
        schemas:
          GatewayPromptExperiment:
            type: object
            required: [id, prompt, primary_metric, created_by, created_at, versions, verdict]
            properties:
              id: {type: string, description: "pex-…: the deployment id its calls' events carry (the version as their arm)."}
              prompt: {type: string}
              primary_metric: {type: string}
              judge: {$ref: "#/components/schemas/GatewayPromptJudge"}
              created_by: {type: string}
              created_at: {type: integer}
              verdict: {type: string}
              versions:
                type: array
                items:
                  type: object
                  required: [version, weight, calls, failures, units, cost_usd, feedback, labeled, judged]
                  properties:
                    version: {type: string}
                    weight: {type: number}
                    calls: {type: integer}
                    failures: {type: integer}
                    units: {type: integer}
                    cost_usd: {type: number}
                    error_rate: {type: number}
                    latency_p50_ms: {type: number}
                    latency_p95_ms: {type: number}
                    feedback: {type: integer}
                    conversion: {type: number}
                    labeled: {type: integer}
                    accuracy: {type: number}
                    mae: {type: number}
                    judged: {type: integer, description: Calls with a judge score.}
                    judge_score: {type: number, description: Their mean.}
                    difference: {type: number, description: "On the primary metric, this version's value less the control's."}
                    p_value: {type: number, description: The always-valid sequential p-value of that difference.}
          GatewayPromptJudge:
            type: object
            description: The judge that grades a sample of a prompt experiment's answers.
            additionalProperties: false
            required: [model, rubric]
            properties:
              model: {type: string, minLength: 1, description: A gateway model the system may use.}
              rubric: {type: string, minLength: 1, maxLength: 4096, description: What makes an answer good.}
              sample_percent: {type: number, exclusiveMinimum: 0, maximum: 100, description: The share of answered calls graded (default 10).}
              max_tokens: {type: integer, minimum: 1, maximum: 100000, description: "The most tokens a grade may take (default 16): what it holds of the budget."}
          GatewaySafetyChecks:
            type: object
            required: [checks]
            properties:
              checks:
                type: array
                items:
                  type: object
                  required: [name, kind, apply_to, action]
                  properties:
                    name: {type: string}
                    kind: {type: string}
                    apply_to: {type: string}
                    action: {type: string}
                    pattern: {type: string}
                    characters: {type: integer}
          GatewayCache:
            type: object
            additionalProperties: false
            required: [ttl_seconds]
            description: |
              Exact-match caching of answers, off when absent. A repeat of a request (the same system, model and
              every field but stream, stream_options and user) is answered from the cache, free, marked
              `X-Steward-Cache: hit`, as an answer or a stream; `Cache-Control: no-cache` skips it. Chat answers are
              kept only when not sampled (temperature 0; OpenAI's default is 1) unless cache_sampled_answers is true.
            properties:
              ttl_seconds: {type: integer, minimum: 1, maximum: 2592000}
              cache_sampled_answers: {type: boolean}
              max_entries: {type: integer, minimum: 1, maximum: 1000000, description: Answers kept per server (10000 by default).}
          GatewayBudget:
            type: object
            additionalProperties: false
            properties:
              daily_usd: {type: [number, "null"], minimum: 0, maximum: 1000000}
              monthly_usd: {type: [number, "null"], minimum: 0, maximum: 1000000}
          GatewayBudgets:
            type: object
            required: [budgets]
            properties:
              budgets:
                type: array
                items:
                  type: object
                  required: [scope, spent_today_usd, spent_this_month_usd]
                  properties:
                    scope: {type: string, description: "system:<id> or key:<id>."}
                    daily_usd: {type: [string, "null"], description: The limit as an exact decimal; absent for none.}
                    monthly_usd: {type: [string, "null"]}
                    spent_today_usd: {type: string}
                    spent_this_month_usd: {type: string}
          GatewayConfiguration:
            type: object
            required: [version, author, created_at, providers, models]
            properties:
              cache: {$ref: "#/components/schemas/GatewayCache"}
              version: {type: integer}
              author: {type: string}
              created_at: {type: integer}
              providers:
                type: array
                items:
                  type: object
                  required: [name, kind, base_url]
                  properties:
                    name: {type: string}
                    kind: {type: string}
                    base_url: {type: string}
                    api_key_env: {type: [string, "null"]}
              models:
                type: array
                items:
                  type: object
                  required: [name, provider, upstream_model, input_per_million, output_per_million, cached_input_per_million, timeout_seconds, fallbacks]
                  properties:
                    name: {type: string}
                    provider: {type: string}
                    upstream_model: {type: string}
                    input_per_million: {type: string, description: "Dollars per million tokens, as an exact decimal."}
                    output_per_million: {type: string}
                    cached_input_per_million: {type: string}
                    timeout_seconds: {type: number}
                    max_output_tokens: {type: integer}
                    fallbacks:
                      type: array
                      items: {type: string}
        """#
}
