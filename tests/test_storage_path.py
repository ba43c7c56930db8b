"""Uploaded files live under the STORAGE_PATH setting, which hosts serving one
database share."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.test_attachments import stored, upload
from workspace.testing import new_document


@pytest.fixture
def shared_folder(tmp_path_factory):
    return tmp_path_factory.mktemp("shared-files")


@pytest.fixture
def workspace_config(workspace_config, shared_folder):
    return {**workspace_config, "STORAGE_PATH": str(shared_folder)}


@pytest.fixture
def doc(client, auth, world):
    auth.login(world.editor.email)
    return new_document(client, "Evidence", "text")


def test_files_live_in_the_storage_path_setting(app, client, doc, shared_folder):
    upload(client, doc, "Minutes.pdf", b"%PDF shared")
    (attachment,) = stored(app)
    assert (shared_folder / attachment.stored_name).read_bytes() == b"%PDF shared"
    assert not (Path(app.instance_path) / "uploads").exists()
    download = client.get(f"/docs/{doc}/attachments/{attachment.id}")
    assert download.data == b"%PDF shared"
    download.close()
