# Drives Debian's python3-kubernetes (the official Python client) against a Keelson cluster:
# create, patch and delete a ConfigMap through the typed API, then watch the namespace from
# the resourceVersion listed before the writes with kubernetes.watch.Watch().stream, the
# client's own watch loop (it sends `watch=True`). Prints one JSON document for the test.
# Usage: python3 python-watch.py KUBECONFIG NAMESPACE NAME
import json
import sys

from kubernetes import client, config, watch

kubeconfig, namespace, name = sys.argv[1:4]
config.load_kube_config(config_file=kubeconfig)
v1 = client.CoreV1Api()

start_rv = v1.list_namespaced_config_map(namespace).metadata.resource_version
v1.create_namespaced_config_map(namespace, client.V1ConfigMap(metadata=client.V1ObjectMeta(name=name), data={"step": "created"}))
v1.patch_namespaced_config_map(name, namespace, {"data": {"step": "patched"}})
deleted = v1.delete_namespaced_config_map(name, namespace)

events = []
w = watch.Watch()
for event in w.stream(v1.list_namespaced_config_map, namespace, resource_version=start_rv, timeout_seconds=10):
    obj = event["object"]
    if obj.metadata.name != name:
        continue
    events.append({"type": event["type"], "name": obj.metadata.name, "data": obj.data})
    if event["type"] == "DELETED":
        w.stop()

print(json.dumps({
    "events": events,
    "delete": {"kind": deleted.kind, "status": deleted.status, "details": {"name": deleted.details.name, "kind": deleted.details.kind, "uid": deleted.details.uid}},
}))
