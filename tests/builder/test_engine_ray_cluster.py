"""``--engine ray`` on a two-node local cluster (``ray.cluster_utils.Cluster``): the work is spread over both nodes."""

from __future__ import annotations

import json

import pytest
from ray_fixtures import needs_ray, read_sentences, write_corpus

from checkworthy.builder import engine_ray

pytestmark = [needs_ray, pytest.mark.slow]


@pytest.fixture(scope="module")
def cluster():
    import ray
    from ray.cluster_utils import Cluster

    cluster = Cluster(initialize_head=True, head_node_args={"num_cpus": 1, "include_dashboard": False})
    cluster.add_node(num_cpus=1)
    ray.init(address=cluster.address, log_to_driver=False, logging_level="ERROR")
    cluster.wait_for_nodes()
    yield cluster
    ray.shutdown()
    cluster.shutdown()


def test_the_work_is_spread_over_the_nodes_of_a_cluster(cluster, tmp_path, monkeypatch):
    import ray

    sources = write_corpus(tmp_path / "corpus", articles=60)
    engine_ray.write_tasks_ray(sources, tmp_path / "whole", select="top:2", options=engine_ray.RayOptions(batch_size=3))

    def stop(*args, **kwargs):
        raise KeyboardInterrupt  # keep the work folder, whose manifest says which node did which shard

    monkeypatch.setattr(engine_ray, "_write_output", stop)
    with pytest.raises(KeyboardInterrupt):
        engine_ray.write_tasks_ray(sources, tmp_path / "out", select="top:2", options=engine_ray.RayOptions(batch_size=3))
    shards = [json.loads(line) for line in (tmp_path / ".out.ray-work" / "finished.jsonl").read_text().splitlines()]
    nodes = {node for shard in shards for node in shard["nodes"]}
    assert nodes == {node["NodeID"] for node in ray.nodes() if node["Alive"]} and len(nodes) == 2
    assert len(read_sentences(tmp_path / "whole")) > 100
