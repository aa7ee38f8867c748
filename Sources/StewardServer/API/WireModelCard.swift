import StewardCore

/// A model card as JSON, in the Model Card Toolkit's groups (`model_details`, `model_parameters`,
/// `quantitative_analysis`, `considerations`) plus Steward's `deployment` and `lineage`.
struct WireModelCard: Sendable, JSONWritable {
    let card: ModelCard

    func write(to writer: inout JSONWriter) {
        let details = card.details
        writer.object { writer in
            writer.key("model_details")
            writer.object { writer in
                writer.member("name", details.name)
                writer.member("version", String(details.version))
                writer.member("purpose", details.purpose)
                writer.member("description", details.versionDescription)
                writer.key("owners")
                writer.array(details.owners) { writer, owner in writer.object { $0.member("name", owner) } }
                writer.member("created_timestamp", details.createdAt)
                writer.member("last_updated_timestamp", details.updatedAt)
                writer.member("source", details.source)
                writer.member("storage_location", details.storageLocation)
                writer.member("content_digest", details.contentDigest)
                writer.key("tags")
                details.tags.map(WireKeyValue.init).write(to: &writer)
            }
            writer.key("model_parameters")
            writer.object { writer in
                writer.member("model_architecture", card.parameters.modelType)
                writer.key("hyperparameters")
                card.parameters.hyperparameters.map(WireKeyValue.init).write(to: &writer)
                writer.key("data")
                writer.array(card.parameters.datasets) { writer, dataset in
                    writer.object { writer in
                        writer.member("name", dataset.name)
                        writer.member("digest", dataset.digest)
                        writer.member("source_type", dataset.sourceType)
                        writer.member("source", dataset.source)
                        writer.member("context", dataset.context)
                        writer.member("profile", dataset.profile)
                    }
                }
            }
            writer.key("quantitative_analysis")
            writer.object { writer in
                writer.key("performance_metrics")
                writer.array(card.metrics) { writer, metric in
                    writer.object { writer in
                        writer.member("type", metric.name)
                        writer.member("value", metric.value)
                        writer.member("step", metric.step)
                        writer.member("slice", metric.dataset)
                        writer.member("origin", metric.origin)
                    }
                }
            }
            writer.key("considerations")
            writer.object { writer in
                writer.member("intended_use", card.considerations.intendedUse)
                writer.member("out_of_scope_uses", card.considerations.outOfScopeUses)
                writer.member("limitations", card.considerations.limitations)
                writer.member("ethical_considerations", card.considerations.ethicalConsiderations)
            }
            writer.key("deployment")
            writer.object { writer in
                writer.member("stage", card.deployment.stage.rawValue)
                writer.key("aliases")
                writer.array(card.deployment.aliases) { writer, alias in writer.string(alias) }
                writer.key("history")
                card.deployment.history.map(WireRegistryEvent.init).write(to: &writer)
            }
            writer.key("lineage")
            writer.object { writer in
                writer.member("experiment_id", card.lineage.experimentID)
                writer.member("experiment_name", card.lineage.experimentName)
                writer.member("run_id", card.lineage.runID)
                writer.member("run_name", card.lineage.runName)
                writer.member("run_user", card.lineage.runUser)
                writer.member("logged_model_id", card.lineage.loggedModelID)
                writer.member("logged_model_name", card.lineage.loggedModelName)
            }
            if let governance = card.governance {
                writer.key("governance")
                writer.object { writer in
                    writer.member("system_id", governance.systemID)
                    writer.member("system_name", governance.systemName)
                    writer.member("risk_tier", governance.riskTier.rawValue)
                    writer.member("target", governance.target)
                    writer.key("controls")
                    writer.array(governance.controls) { writer, control in
                        writer.object { writer in
                            writer.member("name", control.name)
                            writer.member("satisfied", control.satisfied)
                            writer.member("detail", control.detail)
                            writer.member("basis", control.basis.rawValue)
                        }
                    }
                    writer.key("approvals")
                    writer.array(governance.approvals) { writer, approval in
                        writer.object { writer in
                            writer.member("id", approval.id)
                            writer.member("alias", approval.alias)
                            writer.member("requested_by", approval.requestedBy)
                            writer.member("status", approval.status.rawValue)
                            writer.key("decisions")
                            writer.array(approval.decisions) { writer, decision in
                                writer.object { writer in
                                    writer.member("approver", decision.approver)
                                    writer.member("role", decision.role.rawValue)
                                    writer.member("verdict", decision.verdict.rawValue)
                                    writer.member("decided_at", decision.decidedAt)
                                }
                            }
                        }
                    }
                }
            }
            if let evaluation = card.evaluation {
                writer.key("evaluation")
                writer.object { writer in
                    writer.member("id", evaluation.id)
                    writer.member("run_id", evaluation.runID)
                    writer.member("dataset_name", evaluation.datasetName)
                    writer.member("dataset_digest", evaluation.datasetDigest)
                    writer.member("rows", Int64(evaluation.rows))
                    writer.member("gate", evaluation.gate?.gate)
                    writer.member("gate_passed", evaluation.gate.map(\.passed))
                    writer.key("conditions")
                    writer.array(evaluation.gate?.conditions ?? []) { writer, condition in
                        writer.object { writer in
                            writer.member("condition", condition.condition)
                            writer.member("value", condition.value)
                            writer.member("threshold", condition.threshold)
                            writer.member("outcome", condition.outcome.rawValue)
                        }
                    }
                }
            }
        }
    }
}
