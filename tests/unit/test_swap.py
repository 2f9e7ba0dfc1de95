"""The one swap-by-rename helper (orchestration/swap.py) the published copy, the report and dbt's docs use: a
folder is replaced whole, a failed write leaves the old version and no staging behind, a file and a symlink are
replaced by one rename."""

import pytest

from orchestration import swap


def test_a_folder_is_replaced_whole(tmp_path):
    target = tmp_path / "report"
    target.mkdir()
    (target / "stale.png").write_text("old")
    with swap.staged_folder(target) as staging:
        assert staging.parent == tmp_path and staging.name.startswith(".report.")
        (staging / "index.html").write_text("new")
    assert sorted(p.name for p in target.iterdir()) == ["index.html"]
    assert [p.name for p in tmp_path.iterdir()] == ["report"]  # no staging or old folder left


def test_a_failed_write_leaves_the_old_version(tmp_path):
    target = tmp_path / "dbt_docs"
    target.mkdir()
    (target / "index.html").write_text("old")
    with pytest.raises(RuntimeError), swap.staged_folder(target) as staging:
        (staging / "index.html").write_text("half")
        raise RuntimeError("the build failed")
    assert (target / "index.html").read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["dbt_docs"]


def test_a_new_folder_a_file_and_a_symlink(tmp_path):
    with swap.staged_folder(tmp_path / "first") as staging:  # nothing to replace yet
        (staging / "a").write_text("a")
    assert (tmp_path / "first" / "a").read_text() == "a"
    swap.write_text(tmp_path / "manifest.json", "{}")
    swap.write_text(tmp_path / "manifest.json", '{"v": 2}')
    assert (tmp_path / "manifest.json").read_text() == '{"v": 2}'
    link = swap.staging_path(tmp_path / "current")
    link.symlink_to("first")
    swap.swap_in(link, tmp_path / "current")
    assert (tmp_path / "current").is_symlink() and (tmp_path / "current" / "a").read_text() == "a"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["current", "first", "manifest.json"]
