"""Nothing acknowledged is lost: writes that returned 200 survive `kill -9` of the server."""

import signal
import threading
import time

import requests

from conftest import start_server


def test_acknowledged_writes_survive_kill_9(backend):
    server = start_server(backend.data_dir("durability"), backend.store_url())
    try:
        api = server.url + "/api/2.0/mlflow"
        experiment = requests.post(f"{api}/experiments/create", json={"name": "durability"}).json()["experiment_id"]
        run_id = requests.post(f"{api}/runs/create", json={"experiment_id": experiment}).json()["run"]["info"]["run_id"]

        acknowledged = {}
        stop = threading.Event()

        def writer(worker: int):
            session = requests.Session()
            done = []
            step = 0
            while not stop.is_set():
                body = {
                    "run_id": run_id,
                    "metrics": [{"key": f"w{worker}", "value": float(step), "timestamp": 1000 + step, "step": step}],
                    "params": [{"key": f"p{worker}-{step}", "value": str(step)}],
                }
                try:
                    response = session.post(f"{api}/runs/log-batch", json=body, timeout=5)
                except requests.RequestException:
                    break
                if response.status_code == 200:
                    done.append(step)
                step += 1
            acknowledged[worker] = done

        threads = [threading.Thread(target=writer, args=(worker,)) for worker in range(8)]
        for thread in threads:
            thread.start()
        time.sleep(2.0)
        server.process.send_signal(signal.SIGKILL)
        server.process.wait(timeout=10)
        stop.set()
        for thread in threads:
            thread.join(timeout=30)
        total = sum(len(steps) for steps in acknowledged.values())
        assert total > 100, f"too few writes were acknowledged to prove anything: {total}"
    finally:
        if server.process.poll() is None:
            server.process.kill()

    restarted = start_server(backend.data_dir("durability"), backend.store_url())
    try:
        api = restarted.url + "/api/2.0/mlflow"
        run = requests.get(f"{api}/runs/get", params={"run_id": run_id}).json()["run"]
        params = {p["key"] for p in run["data"].get("params", [])}
        for worker, steps in acknowledged.items():
            history = requests.get(
                f"{api}/metrics/get-history", params={"run_id": run_id, "metric_key": f"w{worker}", "max_results": 25000}
            ).json()
            stored = {int(m["step"]) for m in history.get("metrics", [])}
            lost = [step for step in steps if step not in stored]
            assert not lost, f"worker {worker}: acknowledged steps lost after kill -9: {lost[:10]}"
            missing_params = [step for step in steps if f"p{worker}-{step}" not in params]
            assert not missing_params, f"worker {worker}: acknowledged params lost: {missing_params[:10]}"
    finally:
        assert restarted.stop() == 0
