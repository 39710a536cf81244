"""SMS senders: the sink keeps each message as a file; numbers never appear whole in logs."""

import logging
from pathlib import Path

import pytest

from service.sms.phones import is_mobile, mask_phone
from service.sms.senders import (
    MAX_TEXT_CHARS,
    SinkSender,
    SmsNotSent,
    parts,
    read_sink,
    sms_sender,
)

WORKER = "13812345678"
UPDATE = "【薪盾】您的投诉 WZ-7K3Q 有新消息，请用查询码和密码查看。"


def test_the_sink_writes_each_message_as_a_file(tmp_path: Path) -> None:
    sender = sms_sender("sink", sink_dir=tmp_path / "sms")

    first = sender.send(WORKER, UPDATE)
    sender.send("19900001111", "第二条")

    messages = read_sink(tmp_path / "sms")
    assert [(m["to"], m["text"]) for m in messages] == [(WORKER, UPDATE), ("19900001111", "第二条")]
    assert (first.provider, first.parts) == ("sink", 1)
    assert len(list((tmp_path / "sms").iterdir())) == 2  # no partial files left behind


def test_the_sink_log_masks_the_number_and_leaves_out_the_text(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="service.sms.senders"):
        SinkSender(tmp_path).send(WORKER, UPDATE)

    assert "*******5678" in caplog.text
    assert WORKER not in caplog.text and "WZ-7K3Q" not in caplog.text


def test_the_disabled_provider_says_the_message_was_not_sent(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.INFO), pytest.raises(SmsNotSent) as not_sent:
        sms_sender("disabled").send(WORKER, UPDATE)

    assert not_sent.value.code == "disabled"
    assert WORKER not in caplog.text


@pytest.mark.parametrize(
    ("to", "text", "code"),
    [
        ("0577-88888888", UPDATE, "not_a_mobile"),  # a landline takes no SMS
        ("+8613812345678", UPDATE, "not_a_mobile"),  # the stored form has no +86
        ("12812345678", UPDATE, "not_a_mobile"),
        (WORKER, "   ", "empty"),
        (WORKER, "字" * (MAX_TEXT_CHARS + 1), "too_long"),
    ],
)
def test_a_message_that_cannot_go_is_refused_before_it_is_written(
    tmp_path: Path, to: str, text: str, code: str
) -> None:
    with pytest.raises(SmsNotSent) as not_sent:
        SinkSender(tmp_path).send(to, text)

    assert not_sent.value.code == code
    assert list(tmp_path.iterdir()) == []


def test_the_provider_comes_from_the_setting_s_name(tmp_path: Path) -> None:
    assert sms_sender("sink", sink_dir=tmp_path).name == "sink"
    assert sms_sender("disabled").name == "disabled"
    with pytest.raises(ValueError, match="unknown SMS provider 'aliyun'"):
        sms_sender("aliyun")
    with pytest.raises(ValueError, match="folder"):
        sms_sender("sink")


def test_a_long_chinese_message_counts_its_parts() -> None:
    assert (parts("字" * 70), parts("字" * 71), parts("字" * 134), parts("字" * 135)) == (
        1,
        2,
        2,
        3,
    )


@pytest.mark.parametrize(
    ("number", "masked"),
    [
        (WORKER, "*******5678"),
        ("0577-88888888", "***********88"),
        ("1", "1"),
        ("", ""),
    ],
)
def test_a_number_is_masked_to_its_last_digits(number: str, masked: str) -> None:
    assert mask_phone(number) == masked
    assert is_mobile(number) == (number == WORKER)
