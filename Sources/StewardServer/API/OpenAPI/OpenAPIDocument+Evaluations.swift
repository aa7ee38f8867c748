extension OpenAPIDocument {
    /// The routes of `EvaluationsController`: a system's test sets, its gate spec and gate checks, and evaluations.
    static let evaluations = #"""
        paths:
          /systems/{id}/datasets:
            post:
              operationId: uploadDataset
              summary: Register the body (CSV, or JSON Lines with format=jsonl) as the next version of a named test set.
              description: |
                The body is the test set: CSV with a header row, or JSON Lines (one object per line) with `format=jsonl`. It becomes
                the next version of the set `name`; uploading the same content as the latest version again returns that version.
                The Content-Type header is not read; `format` decides how the body is parsed.
              parameters:
                - $ref: "#/components/parameters/SystemID"
                - name: name
                  in: query
                  required: true
                  description: The test set's name (1 to 200 letters, digits, '.', '_' or '-').
                  schema: {type: string}
                - name: format
                  in: query
                  required: false
                  description: How the body is written; csv when not given.
                  schema: {type: string, enum: [csv, jsonl], default: csv}
              requestBody:
                required: true
                description: The test set, with at least one row.
                content:
                  text/csv:
                    schema: {type: string}
                  application/x-ndjson:
                    schema: {type: string}
              responses:
                "201":
                  description: The registered version of the test set.
                  content:
                    application/json:
                      schema:
                        type: object
                        required: [dataset]
                        properties:
                          dataset: {$ref: "#/components/schemas/EvaluationDataset"}
                default: {$ref: "#/components/responses/Error"}
            get:
              operationId: listDatasets
              summary: List every version of every test set registered with a system.
              parameters:
                - $ref: "#/components/parameters/SystemID"
              responses:
                "200":
                  description: The system's test sets, by name and then newest version first.
                  content:
                    application/json:
                      schema:
                        type: object
                        required: [datasets]
                        properties:
                          datasets:
                            type: array
                            items: {$ref: "#/components/schemas/EvaluationDataset"}
                default: {$ref: "#/components/responses/Error"}
          /systems/{id}/datasets/{name}/versions/{version}:
            get:
              operationId: getDatasetVersion
              summary: Show one version of a named test set.
              parameters:
                - $ref: "#/components/parameters/SystemID"
                - name: name
                  in: path
                  required: true
                  description: The test set's name.
                  schema: {type: string}
                - name: version
                  in: path
                  required: true
                  description: The version number.
                  schema: {type: string}
              responses:
                "200":
                  description: The test set version.
                  content:
                    application/json:
                      schema:
                        type: object
                        required: [dataset]
                        properties:
                          dataset: {$ref: "#/components/schemas/EvaluationDataset"}
                default: {$ref: "#/components/responses/Error"}
          /systems/{id}/gate:
            get:
              operationId: getGate
              summary: Show the system's gate spec in force (404 when it has none).
              parameters:
                - $ref: "#/components/parameters/SystemID"
              responses:
                "200":
                  description: The current gate spec.
                  content:
                    application/json:
                      schema:
                        type: object
                        required: [gate]
                        properties:
                          gate: {$ref: "#/components/schemas/Gate"}
                default: {$ref: "#/components/responses/Error"}
            put:
              operationId: replaceGate
              summary: Replace the system's gate spec with the YAML document in the body (reviewer, compliance or admin).
              description: |
                The body is a YAML mapping with the keys `name` (optional, `gate` by default) and `conditions`, a non-empty list
                of conditions such as `accuracy >= 0.9` or `wape <= champion.wape * 1.02`. JSON, being YAML, is read the same
                way; the Content-Type header is not read. Each replacement is a new version.
              parameters:
                - $ref: "#/components/parameters/SystemID"
              requestBody:
                required: true
                description: The gate spec as YAML.
                content:
                  application/yaml:
                    schema:
                      type: object
                      additionalProperties: false
                      required: [conditions]
                      properties:
                        name: {type: string, description: The gate's name.}
                        conditions:
                          type: array
                          minItems: 1
                          items:
                            type: string
                            description: "`metric op number` or `metric op champion.metric [* factor]`, such as `roc_auc >= 0.8`."
              responses:
                "200":
                  description: The new gate spec version.
                  content:
                    application/json:
                      schema:
                        type: object
                        required: [gate]
                        properties:
                          gate: {$ref: "#/components/schemas/Gate"}
                default: {$ref: "#/components/responses/Error"}
          /systems/{id}/gate/check:
            post:
              operationId: checkReportedMetrics
              summary: Record metrics computed elsewhere for a model version and check the system's gate on them.
              description: |
                The body is a JSON object of metric names (letters, digits, '_', '.', '-') to finite numbers, as
                `steward evaluate --json` prints; at least one metric. A `rows` metric that is a whole number is also
                recorded as the row count. The result is recorded as an evaluation.
              parameters:
                - $ref: "#/components/parameters/SystemID"
                - name: model
                  in: query
                  required: true
                  description: The registered model (a component of the system) the metrics are for.
                  schema: {type: string}
                - name: version
                  in: query
                  required: true
                  description: The model version number.
                  schema: {type: string}
                - name: task
                  in: query
                  required: true
                  description: The kind of predictions the metrics score.
                  schema: {type: string, enum: [binary, multiclass, regression, text]}
                - name: name
                  in: query
                  required: false
                  description: The dataset name recorded with the evaluation; reported-metrics when not given.
                  schema: {type: string}
              requestBody:
                required: true
                description: Metric names to numbers.
                content:
                  application/json:
                    schema:
                      type: object
                      minProperties: 1
                      additionalProperties: {type: number}
              responses:
                "201":
                  description: The recorded evaluation with the gate's verdict.
                  content:
                    application/json:
                      schema:
                        type: object
                        required: [evaluation]
                        properties:
                          evaluation: {$ref: "#/components/schemas/Evaluation"}
                default: {$ref: "#/components/responses/Error"}
          /systems/{id}/evaluations:
            get:
              operationId: listSystemEvaluations
              summary: List a system's evaluations, newest first.
              parameters:
                - $ref: "#/components/parameters/SystemID"
              responses:
                "200":
                  description: The system's evaluations.
                  content:
                    application/json:
                      schema:
                        type: object
                        required: [evaluations]
                        properties:
                          evaluations:
                            type: array
                            items: {$ref: "#/components/schemas/Evaluation"}
                default: {$ref: "#/components/responses/Error"}
          /evaluations:
            post:
              operationId: runEvaluation
              summary: Evaluate a model version on a test set (the body, or a registered one) and check the system's gate.
              description: |
                Scores the test set in the body (CSV with a header row, or JSON Lines with `format=jsonl`), or the registered
                test set `dataset` (then the body is not read). Predictions can come from the test set's columns, or from a
                served model (`endpoint` with `feature` columns), or from a registered prompt (`prompt` with
                `prompt_version` or `prompt_alias`, instead of model and version) rendered per row with the `feature`
                columns as its variables and answered by `gateway_model` through the LLM gateway, at temperature 0, as
                the system's calls (its models, budgets and events apply); text outputs can be graded by a `judge`. The
                metrics are logged as an MLflow run and checked against the system's gate spec. The Content-Type header
                is not read.
              parameters:
                - name: system
                  in: query
                  required: true
                  description: The AI system's id.
                  schema: {type: string}
                - name: model
                  in: query
                  required: false
                  description: The registered model (a component of the system) to evaluate; required unless prompt is given.
                  schema: {type: string}
                - name: version
                  in: query
                  required: false
                  description: The model version number; required unless prompt is given.
                  schema: {type: string}
                - name: prompt
                  in: query
                  required: false
                  description: A registered prompt linked to the system, whose version is evaluated.
                  schema: {type: string}
                - name: prompt_version
                  in: query
                  required: false
                  description: The prompt's version (the latest when neither it nor prompt_alias is given).
                  schema: {type: string}
                - name: prompt_alias
                  in: query
                  required: false
                  description: An alias naming the prompt's version, read once for every row.
                  schema: {type: string}
                - name: gateway_model
                  in: query
                  required: false
                  description: The gateway's model that answers a prompt evaluation (one the system lists).
                  schema: {type: string}
                - name: task
                  in: query
                  required: true
                  description: The kind of predictions scored.
                  schema: {type: string, enum: [binary, multiclass, regression, text]}
                - name: label
                  in: query
                  required: true
                  description: The column of true values (references for text tasks).
                  schema: {type: string}
                - name: prediction
                  in: query
                  required: false
                  description: The column of predicted labels or values (outputs for text tasks).
                  schema: {type: string}
                - name: score
                  in: query
                  required: false
                  description: The column of scores (the positive class's probability, for binary tasks).
                  schema: {type: string}
                - name: threshold
                  in: query
                  required: false
                  description: The decision threshold applied to scores; 0.5 when not given. Must be finite.
                  schema: {type: number, default: 0.5}
                - name: sensitive
                  in: query
                  required: false
                  description: A sensitive attribute column for group fairness metrics (binary tasks); repeatable.
                  schema:
                    type: array
                    items: {type: string}
                  style: form
                  explode: true
                - name: slice
                  in: query
                  required: false
                  description: A column to compute every core metric per value of as well; repeatable.
                  schema:
                    type: array
                    items: {type: string}
                  style: form
                  explode: true
                - name: latency
                  in: query
                  required: false
                  description: The column of request latencies in milliseconds.
                  schema: {type: string}
                - name: error
                  in: query
                  required: false
                  description: The column of request failure flags (1/0).
                  schema: {type: string}
                - name: cost
                  in: query
                  required: false
                  description: The column of request costs in US dollars.
                  schema: {type: string}
                - name: endpoint
                  in: query
                  required: false
                  description: The URL of a served model (MLflow pyfunc /invocations) that computes the predictions; its host
                    must be allowed. Needs at least one feature.
                  schema: {type: string}
                - name: judge
                  in: query
                  required: false
                  description: The URL of an OpenAI-compatible chat-completions endpoint that grades text outputs by the rubric;
                    its host must be allowed. Needs task=text.
                  schema: {type: string}
                - name: judge_model
                  in: query
                  required: false
                  description: The model name sent to the judge; judge when not given.
                  schema: {type: string, default: judge}
                - name: rubric
                  in: query
                  required: false
                  description: What the judge grades outputs by (required with judge).
                  schema: {type: string}
                - name: feature
                  in: query
                  required: false
                  description: An input column the endpoint is called with; repeatable.
                  schema:
                    type: array
                    items: {type: string}
                  style: form
                  explode: true
                - name: format
                  in: query
                  required: false
                  description: How the uploaded test set is written; csv when not given.
                  schema: {type: string, enum: [csv, jsonl], default: csv}
                - name: name
                  in: query
                  required: false
                  description: The name recorded for an uploaded test set; test-set when not given.
                  schema: {type: string}
                - name: dataset
                  in: query
                  required: false
                  description: A registered test set of the system to evaluate on instead of the body.
                  schema: {type: string}
                - name: dataset_version
                  in: query
                  required: false
                  description: The version of the registered test set; the latest when not given.
                  schema: {type: string}
                - name: batch
                  in: query
                  required: false
                  description: Rows per request to the endpoint, 1 to 10000 (checked when endpoint is given); 100 when not given.
                  schema: {type: integer, default: 100}
                - name: output
                  in: query
                  required: false
                  description: What the endpoint's answers are; score makes them scores, any other value predictions.
                  schema: {type: string}
                - name: json_schema
                  in: query
                  required: false
                  description: A JSON Schema (as JSON text) text outputs must satisfy, adding json_schema_compliance.
                  schema: {type: string}
              requestBody:
                required: false
                description: The test set, unless dataset names a registered one.
                content:
                  text/csv:
                    schema: {type: string}
                  application/x-ndjson:
                    schema: {type: string}
              responses:
                "201":
                  description: The recorded evaluation with the gate's verdict.
                  content:
                    application/json:
                      schema:
                        type: object
                        required: [evaluation]
                        properties:
                          evaluation: {$ref: "#/components/schemas/Evaluation"}
                default: {$ref: "#/components/responses/Error"}
          /evaluations/{id}:
            get:
              operationId: getEvaluation
              summary: Show one evaluation.
              parameters:
                - name: id
                  in: path
                  required: true
                  description: The evaluation's id.
                  schema: {type: string}
              responses:
                "200":
                  description: The evaluation.
                  content:
                    application/json:
                      schema:
                        type: object
                        required: [evaluation]
                        properties:
                          evaluation: {$ref: "#/components/schemas/Evaluation"}
                default: {$ref: "#/components/responses/Error"}
        schemas:
          EvaluationDataset:
            type: object
            description: A registered test set version.
            required: [system_id, name, version, digest, format, rows, columns, created_by, created_at]
            properties:
              system_id: {type: string}
              name: {type: string}
              version: {type: string, description: The version number as text.}
              digest: {type: string, description: SHA-256 of the content.}
              format: {type: string, enum: [csv, jsonl]}
              rows: {type: integer}
              columns:
                type: array
                description: Each column with the narrowest type that reads all its non-empty values.
                items:
                  type: object
                  required: [name, type]
                  properties:
                    name: {type: string}
                    type: {type: string, enum: [integer, double, boolean, string]}
              created_by: {type: string}
              created_at: {type: integer, description: Milliseconds since the epoch.}
          Gate:
            type: object
            description: A version of a system's gate spec.
            required: [system_id, version, name, conditions, document, author, created_at]
            properties:
              system_id: {type: string}
              version: {type: integer}
              name: {type: string}
              conditions:
                type: array
                items: {type: string}
              document: {type: string, description: The YAML document as given.}
              author: {type: string}
              created_at: {type: integer, description: Milliseconds since the epoch.}
          Evaluation:
            type: object
            required: [id, system_id, model, version, task, dataset_name, dataset_digest, rows, run_id, metrics, undefined_metrics,
              counts, gate_passed, created_by, created_at]
            properties:
              id: {type: string}
              system_id: {type: string}
              model: {type: string}
              version: {type: string}
              task: {type: string, enum: [binary, multiclass, regression, text]}
              dataset_name: {type: string}
              dataset_digest: {type: string}
              rows: {type: integer}
              run_id: {type: string}
              metrics:
                type: object
                additionalProperties: {type: number}
              undefined_metrics:
                type: object
                additionalProperties: {type: string}
              counts:
                type: object
                additionalProperties: {type: integer}
              gate_version: {type: integer}
              gate: {$ref: "#/components/schemas/GateResult"}
              gate_passed: {type: boolean}
              created_by: {type: string}
              created_at: {type: integer}
        """#
}
