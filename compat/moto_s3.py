"""An S3-compatible store for the tests: moto's server (`moto[server]` from PyPI) on a free loopback port, with one
bucket, and the `AWS_*` variables a Steward server started after it reads."""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import boto3
import requests

CREDENTIALS = {"AWS_ACCESS_KEY_ID": "steward-test", "AWS_SECRET_ACCESS_KEY": "steward-test-secret", "AWS_REGION": "us-east-1"}


class MotoS3:
    def __init__(self, bucket, log_dir):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self.bucket = bucket
        self.log = open(os.path.join(log_dir, "moto.log"), "w")
        self.process = subprocess.Popen([str(Path(sys.executable).parent / "moto_server"), "-H", "127.0.0.1", "-p", str(self.port)],
                                        stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.time() + 60
        while True:
            try:
                requests.get(self.endpoint, timeout=5)
                break
            except requests.RequestException:
                if time.time() > deadline or self.process.poll() is not None:
                    self.stop()
                    raise RuntimeError("moto's S3 server did not start")
                time.sleep(0.2)
        self.client = boto3.client("s3", endpoint_url=self.endpoint, aws_access_key_id=CREDENTIALS["AWS_ACCESS_KEY_ID"],
                                   aws_secret_access_key=CREDENTIALS["AWS_SECRET_ACCESS_KEY"], region_name=CREDENTIALS["AWS_REGION"])
        self.client.create_bucket(Bucket=bucket)

    def keys(self, prefix=""):
        """Every key in the bucket under `prefix`, with its size."""
        found, token = {}, None
        while True:
            page = self.client.list_objects_v2(Bucket=self.bucket, Prefix=prefix, **({"ContinuationToken": token} if token else {}))
            found.update({item["Key"]: item["Size"] for item in page.get("Contents", [])})
            if not page.get("IsTruncated"):
                return found
            token = page["NextContinuationToken"]

    def get(self, key):
        return self.client.get_object(Bucket=self.bucket, Key=key)["Body"].read()

    def put(self, key, body):
        self.client.put_object(Bucket=self.bucket, Key=key, Body=body)

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()
