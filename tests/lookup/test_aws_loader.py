"""The data loader of our botocore sessions reads botocore's JSON data as botocore
does (same data, same order, the same search path), as plain dicts."""

import gzip
import json
import os

import botocore.loaders
import botocore.session
import pytest

from keyrings_codeartifact.aws import client

pytestmark = pytest.mark.windows

DATA = os.path.join(os.path.dirname(botocore.loaders.__file__), "data")


@pytest.mark.parametrize("name", [
    "endpoints", "partitions", "sdk-default-configuration",
    "codeartifact/2018-09-22/service-2", "codeartifact/2018-09-22/endpoint-rule-set-1",  # .json.gz
    "sts/2011-06-15/service-2",
])
def test_botocore_data_is_read_as_botocore_reads_it(name):
    path = os.path.join(DATA, *name.split("/"))
    ours = client._DictJSONFileLoader().load_file(path)
    botocores = botocore.loaders.JSONFileLoader().load_file(path)
    assert ours is not None and type(ours) is dict
    assert ours == botocores and json.dumps(ours) == json.dumps(botocores)  # same data, in the same order


def test_no_such_file_is_none():
    assert client._DictJSONFileLoader().load_file(os.path.join(DATA, "no-such-data")) is None


def test_aws_data_path_comes_first_in_both_forms(tmp_path, monkeypatch):
    (tmp_path / "partitions.json").write_text(json.dumps({"version": 1.1, "partitions": [], "mine": "plain"}))
    with gzip.open(tmp_path / "sdk-default-configuration.json.gz", "wt", encoding="utf-8") as file:
        json.dump({"version": 1, "base": {}, "modes": {}, "mine": "gzip"}, file)
    monkeypatch.setenv("AWS_DATA_PATH", str(tmp_path))
    loader = client._loader_of_our_services(botocore.session.Session())
    assert loader.load_data("partitions")["mine"] == "plain"
    assert loader.load_data("sdk-default-configuration")["mine"] == "gzip"
    assert "codeartifact" in loader.load_data("endpoints")["partitions"][0]["services"]  # botocore's own


def test_aws_data_path_expands_variables_and_the_home_folder_as_botocore_does(tmp_path, monkeypatch):
    monkeypatch.setenv("MODELS_ROOT", str(tmp_path))
    monkeypatch.setenv("AWS_DATA_PATH", os.pathsep.join(["$MODELS_ROOT/models", "~/more-models"]))
    session = botocore.session.Session()
    ours = client._loader_of_our_services(session).search_paths
    botocores = botocore.session.Session().get_component("data_loader").search_paths
    assert ours[:2] == [str(tmp_path / "models"), os.path.expanduser("~/more-models")]
    assert ours[:2] == botocores[:2]
