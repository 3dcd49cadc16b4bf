"""The catalogues: Chinese complete and compiled, English beside it."""

import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "tracker" / "translations"


def test_every_message_in_the_code_has_a_chinese_translation(tmp_path):
    pot = tmp_path / "messages.pot"
    subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "-q", "extract", "-F", "babel.cfg",
         "-k", "N_", "-k", "_l", "-o", str(pot), "."],
        check=True, cwd=ROOT,
    )
    with pot.open("rb") as fh:
        extracted = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(fh) if m.id}
    with (TRANSLATIONS / "zh_Hans_CN" / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        zh = {(m.id if isinstance(m.id, str) else m.id[0]): m.string for m in read_po(fh) if m.id}
    missing = sorted(m for m in extracted if not zh.get(m))
    assert not missing, f"untranslated in zh_Hans_CN (run `make extract-messages`): {missing[:20]}"


def test_compiled_catalogues_exist():
    for locale in ("zh_Hans_CN", "en"):
        assert (TRANSLATIONS / locale / "LC_MESSAGES" / "messages.mo").exists()


def test_english_pages_read_in_english(client, make_unit, make_user, login):
    from tracker.models import Role

    login(make_user("adm", make_unit("机关党委"), Role.admin))
    client.post("/language", data={"locale": "en"})
    page = client.get("/orgs/").get_data(as_text=True)
    assert "Organisation tree" in page and "Organ party committee" in page


def test_timeline_labels_of_one_feature_do_not_rename_another(app):
    from tracker.i18n import field_label, field_value, register_labels

    with app.test_request_context():
        register_labels(subjects=("test_thing",), fields={"title": "考核内容"}, values={"status": {"fresh": "新鲜"}})
        assert field_label("title", "test_thing") == "考核内容"
        assert field_label("title", "project") != "考核内容"
        assert field_value("status", "fresh", "test_thing") == "新鲜"
        assert field_value("status", "fresh", "other_thing") == "fresh"
