"""The abilities plugin the lane installs on the real site: generated from the contracts, valid PHP."""
import json
import re
import shutil
import subprocess

import pytest

from mock_server.abilities import registry
from realsite import abilities_php


def test_every_ability_comes_from_the_contracts():
    spec = abilities_php.spec()
    assert set(spec["abilities"]) == set(registry.abilities())
    for name, ability in registry.abilities().items():
        php = spec["abilities"][name]
        assert php["input_schema"] == ability.input_schema and php["output_schema"] == ability.output_schema
        assert php["annotations"] == ability.annotations and php["category"] == ability.category
    assert set(spec["categories"]) == set(registry.categories())


def test_the_data_set_keeps_the_contracts():
    data = abilities_php.data_set()
    assert abilities_php.check_data(data) == []
    plans = {p["id"] for p in data["plans"]}
    assert all(m["plan_id"] in plans and m["user_login"] for m in data["user_memberships"])


def test_broken_data_is_refused():
    data = abilities_php.data_set()
    data["plans"][0]["status"] = "gone"
    assert any("status" in str(p) for p in abilities_php.check_data(data))


def test_the_plugin_carries_the_spec_and_is_valid_php(tmp_path):
    text = abilities_php.render()
    embedded = re.search(r"<<<'JSON'\n(.*?)\nJSON\n", text, re.S).group(1)
    assert json.loads(embedded) == json.loads(json.dumps(abilities_php.spec()))
    if not shutil.which("php"):
        pytest.skip("no php here to lint the generated plugin with")
    path = tmp_path / "plugin.php"
    path.write_text(text)
    done = subprocess.run(["php", "-l", str(path)], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
