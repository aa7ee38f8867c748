"""Trains a first churn model and registers it with the mlflow client, for the README's governance walk-through.

Logs a run with its parameters, its training data as `data/train.csv` (the drift reference Steward profiles) and the
model, registers it as `churn` and writes `test.csv`: held-out customers with the true label (`churned`) and the
model's score, which `steward evaluate` reads. Needs MLFLOW_TRACKING_URI (and MLFLOW_TRACKING_TOKEN, so that the
version has an author who can be told apart from its approvers).

    python examples/train_churn.py
"""

import mlflow
import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split

rng = np.random.default_rng(7)
n = 4000
customers = pd.DataFrame(
    {
        "tenure_months": rng.integers(1, 72, n),
        "monthly_charge": rng.normal(70, 20, n).round(2),
        "support_calls": rng.poisson(1.5, n),
        "region": rng.choice(["north", "south", "east"], n),
    }
)
logit = -1.5 - 0.04 * customers.tenure_months + 0.02 * (customers.monthly_charge - 70) + 0.6 * customers.support_calls
customers["churned"] = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)
features = ["tenure_months", "monthly_charge", "support_calls"]
train, test = train_test_split(customers, test_size=0.25, random_state=7, stratify=customers.churned)

mlflow.set_experiment("churn")
with mlflow.start_run(run_name="first churn model"):
    model = LogisticRegression(max_iter=1000).fit(train[features], train.churned)
    mlflow.log_params({"model": "logistic_regression", "features": ",".join(features)})
    train[features].to_csv("train.csv", index=False)
    mlflow.log_artifact("train.csv", artifact_path="data")
    mlflow.sklearn.log_model(model, name="model", registered_model_name="churn", input_example=train[features].head(3))

test.assign(score=model.predict_proba(test[features])[:, 1]).to_csv("test.csv", index=False)
print("Registered model 'churn'; held-out scores in test.csv")
