"""Configuration: one TOML file, environment overrides, one clear line on errors, exit 2."""

from __future__ import annotations

import tomllib
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from notifier.cli import main
from notifier.cli.settings import describe, markdown_table
from notifier.config import load_settings
from notifier.errors import ConfigError
from notifier.mail import build_message
from notifier.models import Council

SHIPPED = Path("config/notifier.toml")


def test_the_shipped_config_lists_each_councils_meeting_material_and_news() -> None:
    settings = load_settings(SHIPPED)
    urls = {source.url for source in settings.sources}
    for council in Council:
        assert f"https://www.kl.dk/politik/kkr/kkr-{council.value}/moedemateriale" in urls
        kinds = [s for s in settings.sources if s.kkr is council]
        assert len(kinds) >= 2
    assert not settings.smtp.enabled  # mail is off until an operator configures it


def test_environment_overrides_the_file(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NOTIFIER_DATABASE_URL", "sqlite+aiosqlite:////tmp/x.db")
    monkeypatch.setenv("NOTIFIER_SMTP__HOST", "smtp.example.org")
    monkeypatch.setenv("NOTIFIER_SMTP__PORT", "2525")
    monkeypatch.setenv("NOTIFIER_SMTP__PASSWORD", "hunter2")
    settings = load_settings(SHIPPED)
    assert settings.database_url == "sqlite+aiosqlite:////tmp/x.db"
    assert settings.smtp.host == "smtp.example.org" and settings.smtp.port == 2525
    assert settings.smtp.password.get_secret_value() == "hunter2"
    assert settings.smtp.security == "starttls"  # the file's other values stay
    assert len(settings.sources) == len(tomllib.loads(SHIPPED.read_text())["sources"])


def test_config_path_from_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    config = tmp_path / "other.toml"
    config.write_text('log_level = "DEBUG"\n', encoding="utf-8")
    monkeypatch.setenv("NOTIFIER_CONFIG", str(config))
    assert load_settings().log_level == "DEBUG"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[smtp]\nport = 99999\n", "smtp.port: Input should be less than or equal to 65535"),
        ("[smtp]\npassword = 'x'\n", "secrets are read only from $NOTIFIER_SMTP__PASSWORD"),
        ("[web]\nsecret_key = 'x'\n", "$NOTIFIER_WEB__SECRET_KEY"),
        ("colour = 'blue'\n", "colour: unknown setting"),
        ("[fetch]\nretries = 'many'\n", "fetch.retries"),
        ("this is not toml", "not valid TOML"),
        (
            "[[sources]]\nid='a'\nkkr='bornholm'\nkind='listing'\nurl='https://x'\n",
            "sources[0].kkr",
        ),
        (
            "[[sources]]\nid='a'\nkkr='sjaelland'\nkind='listing'\nurl='https://x'\n"
            "link_pattern='(['\n",
            "sources[0].link_pattern: not a valid regular expression",
        ),
        (
            "[[sources]]\nid='a'\nkkr='sjaelland'\nkind='page'\nurl='https://x'\ninterval='soon'\n",
            "sources[0].interval: not a duration",
        ),
        (
            "[[sources]]\nid='a'\nkkr='sjaelland'\nkind='page'\nurl='https://x'\n"
            "[[sources]]\nid='a'\nkkr='sjaelland'\nkind='page'\nurl='https://y'\n",
            "source id 'a' is used twice",
        ),
    ],
)
def test_a_bad_value_names_the_field_and_the_problem(
    tmp_path: Path, text: str, message: str
) -> None:
    config = tmp_path / "bad.toml"
    config.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=None) as caught:
        load_settings(config)
    assert message in str(caught.value)
    result = CliRunner().invoke(main, ["--config", str(config), "poll", "--once"])
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("NOTIFIER_DIGEST__TIMEZONE", "Mars/Olympus", "digest.timezone: unknown timezone"),
        ("NOTIFIER_LOG_LEVEL", "LOUD", "log_level"),
        ("NOTIFIER_DIGEST__DAILY_AT", "25:99", "digest.daily_at: not a time of day"),
        ("NOTIFIER_DIGEST__WEEKLY_AT", "7", "digest.weekly_at: not a time of day"),
        ("NOTIFIER_SERVICE__SEND_INTERVAL", "inf", "service.send_interval"),
        ("NOTIFIER_DATABASE_URL", "bogus://db", "database_url: not a supported database URL"),
        ("NOTIFIER_MAIL__FROM_ADDRESS", "not an address", "mail.from_address"),
        ("NOTIFIER_MAIL__OPERATOR_ADDRESS", "a@b.dk, evil@c.dk", "mail.operator_address"),
        # found by a review: accepted, then every digest raised ValueError (Message-ID)
        ("NOTIFIER_MAIL__LIST_ID", "kkr nyt.kl.dk", "mail.list_id: not a List-Id"),
        ("NOTIFIER_MAIL__LIST_ID", "kkr-nyt.københavn.dk", "mail.list_id: not a List-Id"),
        ("NOTIFIER_MAIL__LIST_ID", "localhost", "mail.list_id: not a List-Id"),
        ("NOTIFIER_MAIL__LIST_ID", "<kkr.kl.dk>", "mail.list_id: not a List-Id"),
        ("NOTIFIER_SOURCES", "garbage", 'field "sources"'),
        ("NOTIFIER_WEB__BASE_URL", "kl.dk", "web.base_url"),
    ],
)
def test_every_setting_run_uses_is_checked_by_settings(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, message: str
) -> None:
    """`notifier settings` and `notifier run` refuse the same values: one line, exit 2."""
    monkeypatch.setenv(variable, value)
    for command in (["settings"], ["run"]):
        result = CliRunner().invoke(main, ["--config", str(SHIPPED), *command])
        assert result.exit_code == 2, (command, result.output)
        assert message in result.output and "Traceback" not in result.output
        assert len(result.output.strip().splitlines()) == 1


def test_a_lower_case_log_level_is_accepted(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NOTIFIER_LOG_LEVEL", "debug")
    assert load_settings(SHIPPED).log_level == "DEBUG"


def test_a_missing_config_file_is_an_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["--config", str(tmp_path / "nope.toml"), "settings"])
    assert result.exit_code == 2
    assert "config file not found" in result.output


def test_durations_accept_units(tmp_path: Path) -> None:
    config = tmp_path / "c.toml"
    config.write_text(
        "[[sources]]\nid='a'\nkkr='sjaelland'\nkind='page'\nurl='https://x'\n"
        "interval='15m'\nquiet_period='2d'\n",
        encoding="utf-8",
    )
    source = load_settings(config).sources[0]
    assert source.interval == 900 and source.quiet_period == 2 * 86400


def test_every_setting_is_documented_in_code_and_readme() -> None:
    for doc in describe():
        assert doc.help, f"{doc.key} has no help text"
    readme = Path("README.md").read_text(encoding="utf-8")
    table = readme.split("<!-- settings:start -->\n")[1].split("\n<!-- settings:end -->")[0]
    assert table == markdown_table(), "regenerate with: notifier settings --markdown"


def test_settings_command_lists_values_without_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NOTIFIER_SMTP__PASSWORD", "hunter2")
    result = CliRunner().invoke(main, ["--config", str(SHIPPED), "settings"])
    assert result.exit_code == 0
    assert "smtp.password = '(set)'" in result.output
    assert "hunter2" not in result.output
    assert "NOTIFIER_SMTP__HOST" in result.output


@pytest.mark.parametrize(
    ("variable", "meant"),
    [("NOTIFIER_SMPT__HOST", "NOTIFIER_SMTP"), ("NOTIFIER_DATABSE_URL", "NOTIFIER_DATABASE_URL")],
)
def test_a_misspelt_setting_in_the_environment_is_refused(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, variable: str, meant: str
) -> None:
    """pydantic-settings ignores NOTIFIER_ variables that name no setting: a misspelt table
    left mail off (or the database at its default) without a word. One that looks like a
    setting is refused, naming it; the CLI exits 2."""
    config = tmp_path / "notifier.toml"
    config.write_text('log_level = "INFO"\n', encoding="utf-8")
    monkeypatch.setenv(variable, "mail.kommune.dk")
    with pytest.raises(ConfigError, match=f"{variable} is not a setting; did you mean {meant}"):
        load_settings(config)
    result = CliRunner().invoke(main, ["--config", str(config), "settings"])
    assert result.exit_code == 2 and variable in result.output


def test_other_notifier_variables_are_named_in_a_warning(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A variable like nothing known (docker-compose's own NOTIFIER_SECRET_KEY, passed on to
    the container) is not refused, but named; the test suite's own are not settings at all."""
    config = tmp_path / "notifier.toml"
    config.write_text('log_level = "INFO"\n', encoding="utf-8")
    monkeypatch.setenv("NOTIFIER_SECRET_KEY", "x" * 40)
    monkeypatch.setenv("NOTIFIER_REQUIRE_POSTGRES", "1")
    monkeypatch.setenv("NOTIFIER_WEB__SECRET_KEY", "y" * 40)
    with caplog.at_level("WARNING", logger="notifier.config"):
        settings = load_settings(config)
    assert settings.web.secret_key.get_secret_value() == "y" * 40
    assert [r.getMessage() for r in caplog.records] == [
        "environment: NOTIFIER_SECRET_KEY is not a setting and is ignored"
    ]


def test_mail_addresses_with_an_international_domain_are_kept_in_ascii(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Found by a review: kkr@københavn.dk was accepted as it is, and aiosmtplib's MAIL FROM
    raised UnicodeEncodeError, which stopped all mail."""
    monkeypatch.setenv("NOTIFIER_MAIL__FROM_ADDRESS", "Kontaktråd <kkr@københavn.dk>")
    monkeypatch.setenv("NOTIFIER_ADMIN__ADDRESSES", "Drift@København.dk")
    settings = load_settings(SHIPPED)
    assert settings.mail.from_address == "Kontaktråd <kkr@xn--kbenhavn-54a.dk>"
    assert settings.admin.addresses == ["drift@xn--kbenhavn-54a.dk"]
    monkeypatch.setenv("NOTIFIER_MAIL__FROM_ADDRESS", "jørgen@kommune.dk")
    result = CliRunner().invoke(main, ["--config", str(SHIPPED), "settings"])
    assert result.exit_code == 2 and "mail.from_address" in result.output


@pytest.mark.parametrize("list_id", ["kkr-nyt.kl.dk", "kkr_nyt.xn--kbenhavn-54a.dk", "a+b.c"])
def test_every_list_id_settings_accept_makes_a_message(
    monkeypatch: pytest.MonkeyPatch, list_id: str
) -> None:
    """What mail.list_id accepts, the Message-ID and List-Id headers can carry."""
    monkeypatch.setenv("NOTIFIER_MAIL__LIST_ID", list_id)
    settings = load_settings(SHIPPED)
    message = build_message(
        sender=settings.mail.from_address,
        recipient="anne@example.org",
        subject="Emne",
        text="Hej",
        html=None,
        message_id=f"digest.1.0-3.abc@{settings.mail.list_id}",
        date=datetime(2024, 5, 6, tzinfo=UTC),
        headers={"List-Id": f"KKR-overblik <{settings.mail.list_id}>"},
    )
    assert f"<{list_id}>".encode() in message
