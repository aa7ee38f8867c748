extension OpenAPIDocument {
    /// Production monitoring of a system: events and labels, retention settings, window status, the reference
    /// profile and drift, alert rules, their evaluation, alerts and webhook deliveries.
    static let monitoring = #"""
        paths:
          /systems/{id}/events:
            post:
              operationId: ingestEvents
              summary: Stores a batch of inference events.
              description: |
                The body is a JSON array of events, or JSON Lines (one event per line; blank lines skipped), at most
                100,000 events and 64 MiB. Every row is checked on its own: the answer counts the events stored, those
                already stored (a retry; left as they were) and the refused rows, with the first 100 refusals. Only
                when every row is refused is it a 400. The Content-Type is not checked; a body starting with `[` is
                read as an array.
              parameters:
                - $ref: "#/components/parameters/SystemID"
              requestBody:
                required: true
                content:
                  application/json:
                    schema:
                      type: array
                      minItems: 1
                      maxItems: 100000
                      items: {$ref: "#/components/schemas/InferenceEvent"}
                  application/x-ndjson:
                    schema:
                      type: string
                      description: One event object (as `InferenceEvent`) per line.
              responses:
                "200":
                  description: What was stored and what was refused.
                  content:
                    application/json:
                      schema: {$ref: "#/components/schemas/IngestBody"}
                default: {$ref: "#/components/responses/Error"}
          /systems/{id}/labels:
            post:
              operationId: labelEvents
              summary: Joins ground truth, user feedback or judge scores to stored events by request id.
              description: |
                The body is a JSON array or JSON Lines of `{request_id, label?, feedback?, judge_score?}` (at most 100,000 rows and
                64 MiB). Rows whose request id matches no stored event are refused with that reason; the first 100
                refusals are listed.
              parameters:
                - $ref: "#/components/parameters/SystemID"
              requestBody:
                required: true
                content:
                  application/json:
                    schema:
                      type: array
                      minItems: 1
                      maxItems: 100000
                      items: {$ref: "#/components/schemas/LabelRow"}
                  application/x-ndjson:
                    schema:
                      type: string
                      description: One label object (as `LabelRow`) per line.
              responses:
                "200":
                  description: How many events were labelled and which rows were refused.
                  content:
                    application/json:
                      schema: {$ref: "#/components/schemas/LabelBody"}
                default: {$ref: "#/components/responses/Error"}
          /systems/{id}/monitoring:
            get:
              operationId: getMonitoringSettings
              summary: The system's monitoring settings (event retention).
              parameters:
                - $ref: "#/components/parameters/SystemID"
              responses:
                "200":
                  description: The settings.
                  content:
                    application/json:
                      schema: {$ref: "#/components/schemas/SettingsBody"}
                default: {$ref: "#/components/responses/Error"}
            put:
              operationId: replaceMonitoringSettings
              summary: Changes how long the system's events are kept (compliance or admin; audited).
              parameters:
                - $ref: "#/components/parameters/SystemID"
              requestBody:
                required: true
                content:
                  application/json:
                    schema:
                      type: object
                      additionalProperties: false
                      required: [retention_days]
                      properties:
                        retention_days:
                          type: integer
                          minimum: 1
                          maximum: 3650
                          description: Days events are kept; older ones are deleted (by whole hours).
              responses:
                "200":
                  description: The settings now in force.
                  content:
                    application/json:
                      schema: {$ref: "#/components/schemas/SettingsBody"}
                default: {$ref: "#/components/responses/Error"}
          /systems/{id}/monitoring/status:
            get:
              operationId: getMonitoringStatus
              summary: The system's health over a window in five categories (performance, quality, cost, data, safety).
              description: |
                Read from the stored window profiles (whole buckets) and the window's labeled events; the data category
                includes PSI drift from the reference profile when the system has one. A figure with nothing to compute
                it from is absent.
              parameters:
                - $ref: "#/components/parameters/SystemID"
                - name: window
                  in: query
                  required: false
                  description: The window before now, a duration such as 15m, 24h or 7d (default 24h).
                  schema:
                    type: string
                    pattern: "^[0-9]+[smhd]$"
                    default: 24h
              responses:
                "200":
                  description: The status of the window.
                  content:
                    application/json:
                      schema: {$ref: "#/components/schemas/StatusBody"}
                default: {$ref: "#/components/responses/Error"}
          /systems/{id}/reference:
            get:
              operationId: getReferenceProfile
              summary: The system's current reference profile, what drift is measured against.
              parameters:
                - $ref: "#/components/parameters/SystemID"
              responses:
                "200":
                  description: The current reference profile.
                  content:
                    application/json:
                      schema: {$ref: "#/components/schemas/ReferenceBody"}
                default: {$ref: "#/components/responses/Error"}
            put:
              operationId: replaceReferenceProfile
              summary: Makes the system's reference profile from training data (audited; a new version).
              description: |
                From a registered test set (`dataset`, with `version` or the latest), or from a CSV or JSON Lines file
                a run logged (`artifact_path` in the run `run_id`, or in the run of the registered `model` version).
                `model` with `model_version` also records which model version the reference is for. `features` picks
                the columns (default: all).
              parameters:
                - $ref: "#/components/parameters/SystemID"
              requestBody:
                required: true
                content:
                  application/json:
                    schema:
                      type: object
                      additionalProperties: false
                      properties:
                        dataset:
                          type: string
                          description: A registered test set's name.
                        version:
                          type: [string, integer]
                          description: The test set's version (default the latest).
                        run_id:
                          type: string
                          description: The run that logged `artifact_path`.
                        artifact_path:
                          type: string
                          description: A CSV or JSON Lines file (`.jsonl`, `.ndjson`) logged with the run.
                        model:
                          type: string
                          description: A registered model's name; needs `model_version`.
                        model_version:
                          type: [string, integer]
                          description: The registered model version the reference is for.
                        features:
                          type: array
                          items: {type: string}
                          description: The columns to profile (default all).
              responses:
                "200":
                  description: The new reference profile.
                  content:
                    application/json:
                      schema: {$ref: "#/components/schemas/ReferenceBody"}
                default: {$ref: "#/components/responses/Error"}
          /systems/{id}/drift:
            get:
              operationId: getWindowDrift
              summary: Drift of a window of production data from the reference profile, feature by feature.
              parameters:
                - $ref: "#/components/parameters/SystemID"
                - name: window
                  in: query
                  required: false
                  description: The window before now, a duration such as 15m, 24h or 7d (default 24h).
                  schema:
                    type: string
                    pattern: "^[0-9]+[smhd]$"
                    default: 24h
                - name: method
                  in: query
                  required: false
                  description: |
                    How drift is measured (default psi). wasserstein and wasserstein_normed compare numeric features'
                    quantile sketches; categorical features then use jensen_shannon. Evidently's names chisquare,
                    jensenshannon and kl_div are read as chi_square, jensen_shannon and kl.
                  schema:
                    type: string
                    enum: [psi, kl, jensen_shannon, hellinger, chi_square, wasserstein, wasserstein_normed, chisquare, jensenshannon, kl_div]
                    default: psi
                - name: threshold
                  in: query
                  required: false
                  description: The drift threshold of every feature (default 0.1 for distances, 0.05 on the p-value for tests).
                  schema:
                    type: number
                    minimum: 0
              responses:
                "200":
                  description: The window covered and the drift of each feature.
                  content:
                    application/json:
                      schema: {$ref: "#/components/schemas/DriftBody"}
                default: {$ref: "#/components/responses/Error"}
          /systems/{id}/alerts/rules:
            get:
              operationId: getAlertRules
              summary: The system's alert rules.
              parameters:
                - $ref: "#/components/parameters/SystemID"
              responses:
                "200":
                  description: The rules, parsed, with their YAML document.
                  content:
                    application/json:
                      schema: {$ref: "#/components/schemas/RulesBody"}
                default: {$ref: "#/components/responses/Error"}
            put:
              operationId: replaceAlertRules
              summary: Replaces the system's alert rules, a YAML document (reviewer, compliance or admin; audited).
              description: |
                The body is the YAML document as text (JSON, being YAML, is read too; the Content-Type is not checked),
                at most 1 MiB, without anchors or aliases. Keys: `window` (default 24h), `every` (how often the
                server evaluates them, at least 10s), `conditions` (at least one, such as `latency_p95_ms <= 200`, on
                monitored metrics), `webhooks` and `retraining_webhook` (hosts on the server's allow-list; the server
                needs a webhook signing secret).
              parameters:
                - $ref: "#/components/parameters/SystemID"
              requestBody:
                required: true
                content:
                  application/yaml:
                    schema:
                      type: object
                      additionalProperties: false
                      required: [conditions]
                      properties:
                        window:
                          type: string
                          pattern: "^[0-9]+[smhd]$"
                          description: The window each evaluation reads, such as 15m, 24h or 7d (default 24h).
                        every:
                          type: string
                          pattern: "^[0-9]+[smhd]$"
                          description: How often the server evaluates the rules, at least 10s (default its interval).
                        conditions:
                          type: array
                          minItems: 1
                          items:
                            type: string
                            description: A monitored metric, a comparison and a number, such as `error_rate <= 0.05`.
                        webhooks:
                          type: array
                          items: {type: string, format: uri}
                        retraining_webhook:
                          type: string
                          format: uri
              responses:
                "200":
                  description: The rules as stored.
                  content:
                    application/json:
                      schema: {$ref: "#/components/schemas/RulesBody"}
                default: {$ref: "#/components/responses/Error"}
          /systems/{id}/alerts/evaluate:
            post:
              operationId: evaluateAlerts
              summary: Evaluates the system's alert rules now (the scheduler does the same on its interval).
              description: |
                Fires an alert for each failing rule (once; a firing alert's value follows), resolves those whose rule
                holds again, and tries each resulting webhook notification once. Takes no body.
              parameters:
                - $ref: "#/components/parameters/SystemID"
              responses:
                "200":
                  description: What the evaluation changed and what is firing.
                  content:
                    application/json:
                      schema: {$ref: "#/components/schemas/AlertEvaluation"}
                default: {$ref: "#/components/responses/Error"}
          /systems/{id}/alerts:
            get:
              operationId: listAlerts
              summary: The system's alerts, firing and resolved.
              parameters:
                - $ref: "#/components/parameters/SystemID"
                - name: status
                  in: query
                  required: false
                  description: firing for the firing alerts only; leave it out for every alert.
                  schema:
                    type: string
                    enum: [firing]
              responses:
                "200":
                  description: The alerts.
                  content:
                    application/json:
                      schema: {$ref: "#/components/schemas/AlertsBody"}
                default: {$ref: "#/components/responses/Error"}
          /systems/{id}/webhook-deliveries:
            get:
              operationId: listWebhookDeliveries
              summary: The system's webhook delivery log, then its notifications still pending.
              parameters:
                - $ref: "#/components/parameters/SystemID"
              responses:
                "200":
                  description: The deliveries.
                  content:
                    application/json:
                      schema: {$ref: "#/components/schemas/DeliveriesBody"}
                default: {$ref: "#/components/responses/Error"}
        schemas:
          InferenceEvent:
            type: object
            description: One prediction a served system made, as posted; a null field counts as absent.
            additionalProperties: false
            required: [request_id]
            properties:
              request_id:
                type: [string, integer]
                minLength: 1
                maxLength: 200
                description: Unique within the system; a retry with the same id is a duplicate and left as stored.
              time:
                type: [integer, string]
                minimum: 0
                description: Milliseconds since the Unix epoch, or an ISO 8601 date-time; at most a day ahead (default now).
              model:
                type: string
                minLength: 1
                maxLength: 256
                description: The registered model's name.
              model_version:
                type: [integer, string]
                minimum: 1
                description: The model version's number (1, 2, …).
              features:
                type: object
                maxProperties: 1000
                description: Feature names (1 to 200 characters) to numbers, texts, true/false or null.
                additionalProperties:
                  type: [number, string, boolean, "null"]
              prediction:
                type: [number, string, boolean, "null"]
              score:
                type: number
              latency_ms:
                type: number
                minimum: 0
                maximum: 1000000000000
              tokens_in:
                type: integer
                minimum: 0
                maximum: 4294967295
              tokens_out:
                type: integer
                minimum: 0
                maximum: 4294967295
              cost_usd:
                type: number
                minimum: 0
                maximum: 1000000000
              error:
                type: [boolean, integer]
                enum: [true, false, 0, 1]
                description: Whether the request failed.
              safety_flags:
                type: array
                description: The safety filters that flagged the output.
                items: {type: string, minLength: 1, maxLength: 100}
          LabelRow:
            type: object
            description: Ground truth (`label`), user feedback (`feedback`), a judge's score (`judge_score`), or several, for a stored event.
            additionalProperties: false
            required: [request_id]
            properties:
              request_id:
                type: [string, integer]
                minLength: 1
              label:
                type: [number, string, boolean, "null"]
              feedback:
                type: [number, boolean]
                minimum: -1
                maximum: 1
                description: A score from -1 to 1, or true (1) / false (-1).
              judge_score:
                type: number
                minimum: 0
                maximum: 1
                description: A judge's grade of the answer, from 0 to 1 (what a prompt experiment's judge records).
          Rejection:
            type: object
            description: A refused row of a batch.
            required: [row, message]
            properties:
              row:
                type: integer
                description: The row's 1-based position (the line, for JSON Lines).
              request_id: {type: string}
              message: {type: string}
          IngestBody:
            type: object
            required: [accepted, duplicates, rejected, errors]
            properties:
              accepted:
                type: integer
                description: Events newly stored.
              duplicates:
                type: integer
                description: Events already stored with the same request id (left as they were).
              rejected:
                type: integer
                description: Rows refused.
              errors:
                type: array
                description: The first 100 refused rows with their reasons.
                items: {$ref: "#/components/schemas/Rejection"}
          LabelBody:
            type: object
            required: [matched, rejected, errors]
            properties:
              matched:
                type: integer
                description: Events that got their label or feedback.
              rejected:
                type: integer
              errors:
                type: array
                description: The first 100 refused rows with their reasons.
                items: {$ref: "#/components/schemas/Rejection"}
          MonitoringSettings:
            type: object
            required: [retention_days]
            properties:
              retention_days: {type: integer}
          SettingsBody:
            type: object
            required: [monitoring]
            properties:
              monitoring: {$ref: "#/components/schemas/MonitoringSettings"}
          MonitorStatus:
            type: object
            description: A system's health over a window; a figure with nothing to compute it from is absent.
            required: [system_id, from, to, performance, quality, cost, data, safety]
            properties:
              system_id: {type: string}
              from:
                type: integer
                description: The window's start (milliseconds since the epoch; whole buckets).
              to:
                type: integer
                description: The window's end (now).
              performance:
                type: object
                required: [requests, requests_per_minute]
                properties:
                  requests: {type: integer}
                  error_rate: {type: number}
                  latency_p50_ms: {type: number}
                  latency_p95_ms: {type: number}
                  latency_p99_ms: {type: number}
                  requests_per_minute: {type: number}
              quality:
                type: object
                required: [labeled, feedback_count]
                properties:
                  labeled: {type: integer}
                  accuracy: {type: number}
                  mean_absolute_error: {type: [number, string]}
                  wape: {type: [number, string]}
                  feedback_count: {type: integer}
                  negative_feedback_rate: {type: number}
              cost:
                type: object
                required: [tokens_in, tokens_out, total_usd]
                properties:
                  tokens_in: {type: integer}
                  tokens_out: {type: integer}
                  total_usd: {type: number}
                  cost_per_request_usd: {type: number}
              data:
                type: object
                required: [events_with_features, features]
                properties:
                  events_with_features: {type: integer}
                  features:
                    type: array
                    items: {type: string}
                  reference_version: {type: integer}
                  drift: {$ref: "#/components/schemas/DatasetDrift"}
              safety:
                type: object
                required: [flagged, by_flag]
                properties:
                  flagged: {type: integer}
                  flagged_rate: {type: number}
                  by_flag:
                    type: object
                    additionalProperties: {type: integer}
          StatusBody:
            type: object
            required: [status]
            properties:
              status: {$ref: "#/components/schemas/MonitorStatus"}
          NumericBins:
            type: object
            required: [edges, layout]
            properties:
              edges:
                type: array
                items: {type: [number, string]}
              layout:
                type: string
                enum: [openEnded, closedRange]
          QuantileSketch:
            type: object
            description: A mergeable quantile sketch (DDSketch); each store is `offset:count,count,…`, -n for n empty buckets.
            required: [alpha, count, zeros, positive, negative]
            properties:
              alpha: {type: number}
              count: {type: integer}
              zeros: {type: integer}
              min: {type: number}
              max: {type: number}
              positive: {type: string}
              negative: {type: string}
          FeatureProfile:
            type: object
            required: [kind, count, missing]
            properties:
              kind:
                type: string
                enum: [numeric, categorical]
              count: {type: integer}
              missing: {type: integer}
              bins: {$ref: "#/components/schemas/NumericBins"}
              bin_counts:
                type: array
                items: {type: integer}
              categories:
                type: object
                additionalProperties: {type: integer}
              mean: {type: [number, string]}
              variance: {type: [number, string]}
              minimum: {type: [number, string]}
              maximum: {type: [number, string]}
              sketch: {$ref: "#/components/schemas/QuantileSketch"}
          ReferenceProfile:
            type: object
            required: [system_id, version, source, features, created_by, created_at]
            properties:
              system_id: {type: string}
              version: {type: integer}
              source:
                type: string
                description: Where the reference came from, such as `train@v3` or `runs:/<run_id>/<path>`.
              features:
                type: object
                additionalProperties: {$ref: "#/components/schemas/FeatureProfile"}
              created_by: {type: string}
              created_at: {type: integer}
              model: {type: string}
              model_version: {type: integer}
          ReferenceBody:
            type: object
            required: [reference]
            properties:
              reference: {$ref: "#/components/schemas/ReferenceProfile"}
          FeatureDrift:
            type: object
            required: [feature, numeric, method, statistic, threshold, drifted, reference_count, current_count, reference_missing,
              current_missing, new_categories, vanished_categories, bins, reference_shares, current_shares]
            properties:
              feature: {type: string}
              numeric: {type: boolean}
              method:
                type: string
                enum: [psi, kl, jensen_shannon, hellinger, wasserstein, wasserstein_normed, ks, chi_square, z_test]
              statistic:
                type: [number, string]
                description: The distance, or the test's statistic.
              p_value: {type: [number, string]}
              threshold: {type: number}
              drifted: {type: boolean}
              reference_count: {type: integer}
              current_count: {type: integer}
              reference_missing: {type: integer}
              current_missing: {type: integer}
              new_categories:
                type: array
                items: {type: string}
              vanished_categories:
                type: array
                items: {type: string}
              bins:
                type: array
                items: {type: string}
              reference_shares:
                type: array
                items: {type: number}
              current_shares:
                type: array
                items: {type: number}
          DatasetDrift:
            type: object
            required: [features, undefined, drift_share, share_threshold, drifted, drifted_features]
            properties:
              features:
                type: array
                items: {$ref: "#/components/schemas/FeatureDrift"}
              undefined:
                type: object
                description: Features that could not be compared, with the reason.
                additionalProperties: {type: string}
              drift_share: {type: number}
              share_threshold: {type: number}
              drifted: {type: boolean}
              drifted_features:
                type: array
                items: {type: string}
          DriftWindow:
            type: object
            required: [from, to, events, reference_version]
            properties:
              from: {type: integer}
              to: {type: integer}
              events: {type: integer}
              reference_version: {type: integer}
          DriftBody:
            type: object
            required: [window, drift]
            properties:
              window: {$ref: "#/components/schemas/DriftWindow"}
              drift: {$ref: "#/components/schemas/DatasetDrift"}
          AlertRules:
            type: object
            required: [window_ms, conditions, webhooks, document]
            properties:
              window_ms: {type: integer}
              conditions:
                type: array
                items: {type: string}
              webhooks:
                type: array
                items: {type: string}
              retraining_webhook: {type: string}
              document:
                type: string
                description: The YAML document as it was sent.
          RulesBody:
            type: object
            required: [rules]
            properties:
              rules: {$ref: "#/components/schemas/AlertRules"}
          Alert:
            type: object
            required: [id, system_id, rule, category, status, value, threshold, fired_at]
            properties:
              id: {type: string}
              system_id: {type: string}
              rule:
                type: string
                description: The condition, as written in the rules.
              category:
                type: string
                enum: [performance, quality, cost, data, safety]
              status:
                type: string
                enum: [firing, resolved]
              value: {type: [number, string]}
              threshold: {type: number}
              fired_at: {type: integer}
              resolved_at: {type: integer}
          WebhookDelivery:
            type: object
            required: [id, system_id, url, event, attempts, delivered_at]
            properties:
              id: {type: string}
              system_id: {type: string}
              url: {type: string}
              event: {type: string}
              attempts: {type: integer}
              status:
                type: integer
                description: The HTTP status of the last attempt; absent when the receiver could not be reached.
              error: {type: string}
              delivered_at:
                type: integer
                description: When the last attempt was made (when the notification was written, before any attempt).
              next_attempt_at:
                type: integer
                description: When the next attempt is due; absent once the delivery is final.
          AlertEvaluation:
            type: object
            required: [fired, resolved, firing, deliveries]
            properties:
              fired:
                type: array
                items: {$ref: "#/components/schemas/Alert"}
              resolved:
                type: array
                items: {$ref: "#/components/schemas/Alert"}
              firing:
                type: array
                items: {$ref: "#/components/schemas/Alert"}
              deliveries:
                type: array
                items: {$ref: "#/components/schemas/WebhookDelivery"}
          AlertsBody:
            type: object
            required: [alerts]
            properties:
              alerts:
                type: array
                items: {$ref: "#/components/schemas/Alert"}
          DeliveriesBody:
            type: object
            required: [deliveries]
            properties:
              deliveries:
                type: array
                items: {$ref: "#/components/schemas/WebhookDelivery"}
        """#
}
