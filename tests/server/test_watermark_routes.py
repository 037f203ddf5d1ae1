"""The watermark service of the real gateway (`genguard serve` in a subprocess): detection equal to
the library's, certificates that verify online and offline with the CLI, tampering refused, the
public key file, and bad input answered with 400."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import openai
import pytest

from genguard.server.config import WatermarkSettings
from genguard.server.launch import Served, start_gateway
from genguard.watermark import (
    WatermarkDetector,
    WatermarkKey,
    WatermarkLogitsProcessor,
    issue_certificate,
    serialize,
)
from genguard.watermark.detector import Detection

# Written by a person (not generated): long enough for the detector to decide (over 64 scored tokens).
HUMAN = (
    "We walked along the canal on Sunday morning, past the lock keeper's cottage with its peeling "
    "green paint, and stopped for tea at the boat yard where an old man was sanding the hull of a "
    "narrowboat called Persephone. He told us the wood had come from a barn in Shropshire and that "
    "he had been working on her, on and off, for eleven winters."
)


@pytest.fixture(scope="module")
def gateway(tmp_path_factory: pytest.TempPathFactory, fixed_watermark_key) -> Iterator[Served]:
    """A default gateway whose request limit the many requests of this module never reach, with a
    fixed watermark key, so that the greedy answer below (and so its z-score) is the same on every
    run rather than depending on a fresh random key."""
    folder = tmp_path_factory.mktemp("watermark")
    fixed_watermark_key(folder)
    served = start_gateway(folder, {"limits": {"requests_per_minute": 100_000}})
    yield served
    served.stop()


def gateway_key(served: Served) -> WatermarkKey:
    """The key the gateway made at its first start (beside its database)."""
    return WatermarkKey.load(served.folder / "gateway.key.json")


@pytest.fixture(scope="module")
def marked(gateway: Served, model) -> str:
    """A short answer of the default model watermarked with the gateway's key, as the gateway's
    defaults do it, greedy so that it is the same on every run."""
    settings = WatermarkSettings()
    processor = WatermarkLogitsProcessor(
        model.tokenizer.vocab_size,
        gateway_key(gateway),
        scheme=settings.scheme,
        gamma=settings.gamma,
        delta=settings.delta,
    )
    (gen,) = model.generate(
        ["Write a few sentences about rivers."],
        max_new_tokens=80,
        min_new_tokens=64,
        temperature=0,
        logits_processors=[processor],
    )
    return gen.text


def post(served: Served, path: str, body: object) -> httpx.Response:
    return httpx.post(f"{served.base_url}{path}", json=body, timeout=120)


def detect(served: Served, texts: list[str], **options: object) -> dict:
    response = post(served, "/v1/watermark/detect", {"texts": texts, **options})
    assert response.status_code == 200, response.text
    return response.json()


def refusal(served: Served, body: dict) -> str:
    """The reason /v1/watermark/verify gives for not verifying `body` (a 200 with valid false, as
    `genguard watermark verify --json` reports it)."""
    response = post(served, "/v1/watermark/verify", body)
    assert response.status_code == 200, response.text
    answer = response.json()
    assert (answer["valid"], answer["certificate"]) == (False, None)
    return answer["reason"]


def cli_verify(folder: Path, certificate: str, public_key: str, text: str) -> subprocess.CompletedProcess:
    """`genguard watermark verify` in a subprocess, from files written byte for byte."""
    (folder / "cert.json").write_text(certificate, encoding="utf-8", newline="")
    (folder / "gateway.pub").write_text(public_key, encoding="utf-8", newline="")
    (folder / "text.txt").write_text(text, encoding="utf-8", newline="")
    command = ["watermark", "verify", str(folder / "cert.json"), "--public-key", str(folder / "gateway.pub")]
    return subprocess.run(
        [sys.executable, "-m", "genguard.cli", *command, "--text", str(folder / "text.txt")],
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.slow
def test_detect_equals_the_library_and_certifies(gateway: Served, marked: str, tokenizer) -> None:
    result = detect(gateway, [marked, HUMAN], certify=True)
    direct = WatermarkDetector(tokenizer, keys=[gateway_key(gateway)], scheme="selfhash", gamma=0.25)
    assert result["detections"] == [d.model_dump(mode="json") for d in direct.detect([marked, HUMAN])]
    served_marked, served_human = result["detections"]
    assert served_marked["is_watermarked"] and served_marked["key_id"] == gateway_key(gateway).key_id
    assert served_human["decision"] == "not_watermarked"
    certificate, none = result["certificates"]
    assert none is None and certificate["key_id"] == served_marked["key_id"]
    assert certificate["z_score"] == served_marked["z_score"]
    assert result["certificate_errors"][0] is None
    assert result["certificate_errors"][1].startswith(
        "no certificate: the text is not detected as watermarked"
    )
    assert (
        json.loads(result["certificate_files"][0]) == certificate and result["certificate_files"][1] is None
    )


def test_detect_without_certify_has_no_certificates(gateway: Served) -> None:
    result = detect(gateway, [HUMAN])
    assert result["certificates"] is None and result["certificate_files"] is None
    (detection,) = result["detections"]
    assert detection["decision"] == "not_watermarked" and not detection["is_watermarked"]


def test_detect_tokens_align_with_the_green_mask(gateway: Served, tokenizer) -> None:
    result = detect(gateway, [HUMAN, "Short."], tokens=True)
    for text, detection, tokens in zip(
        [HUMAN, "Short."], result["detections"], result["tokens"], strict=True
    ):
        assert len(tokens) == len(detection["green_mask"]) == detection["num_tokens"]
        assert "".join(tokens) == text  # the pieces give back the (already normal) text
    assert result["tokens"][0][:3] == tokenizer.token_strings(tokenizer.encode([HUMAN])[0])[:3]


def test_detect_scheme_and_gamma_follow_the_request(gateway: Served, tokenizer) -> None:
    (detection,) = detect(gateway, [HUMAN], scheme="lefthash", gamma=0.5, z_threshold=3.0)["detections"]
    direct = WatermarkDetector(
        tokenizer, keys=[gateway_key(gateway)], scheme="lefthash", gamma=0.5, z_threshold=3.0
    )
    assert detection == direct.detect([HUMAN])[0].model_dump(mode="json")
    assert (detection["scheme"], detection["gamma"], detection["z_threshold"]) == ("lefthash", 0.5, 3.0)


@pytest.mark.slow
def test_certificate_verifies_online_and_offline(gateway: Served, marked: str, tmp_path: Path) -> None:
    result = detect(gateway, [marked], certify=True)
    (file_text,), (certificate,) = result["certificate_files"], result["certificates"]
    for form in (file_text, certificate):
        response = post(gateway, "/v1/watermark/verify", {"certificate": form, "text": marked})
        assert response.status_code == 200, response.text
        assert response.json() == {"valid": True, "reason": None, "certificate": certificate}
    public_key = httpx.get(f"{gateway.base_url}/v1/watermark/public-key", timeout=30).text
    offline = cli_verify(tmp_path, file_text, public_key, marked)
    assert offline.returncode == 0, offline.stdout + offline.stderr
    assert offline.stdout.startswith(
        f"VALID: issued {certificate['issued_at']} by key {certificate['key_id']}"
    )


@pytest.mark.slow
def test_tampered_certificate_or_other_text_is_refused(gateway: Served, marked: str, tmp_path: Path) -> None:
    (certificate,) = detect(gateway, [marked], certify=True)["certificates"]
    forged = {**certificate, "z_score": certificate["z_score"] + 1.0}
    assert refusal(gateway, {"certificate": forged}) == (
        "signature does not verify: the certificate was altered or forged"
    )
    other_text = {"certificate": certificate, "text": marked + " Indeed."}
    assert refusal(gateway, other_text) == "the text does not match the certificate's digest"
    public_key = httpx.get(f"{gateway.base_url}/v1/watermark/public-key", timeout=30).text
    forged_file = json.dumps(forged, sort_keys=True, indent=2) + "\n"
    offline = cli_verify(tmp_path, forged_file, public_key, marked)
    assert offline.returncode == 1 and offline.stdout.startswith("INVALID: signature does not verify")


def test_a_certificate_of_another_key_is_refused(gateway: Served) -> None:
    # A certificate signed by a key that is not the gateway's (detection faked as watermarked).
    other = WatermarkKey.generate()
    detection = Detection(
        decision="watermarked", is_watermarked=True, reason="test", scheme="selfhash", gamma=0.25,
        key_id=other.key_id, keys_tested=1, tokenizer_id="t", ignore_repeated="pairs", num_tokens=80,
        num_tokens_scored=70, num_green_tokens=60, green_fraction=0.86, z_score=12.0, p_value=1e-30,
        z_threshold=4.0, false_positive_rate=3e-5, min_tokens_needed=8, green_mask=[],
    )  # fmt: skip
    cert = serialize(issue_certificate("some text", detection, other)).decode("ascii")
    assert refusal(gateway, {"certificate": cert}) == (
        f"certificate was issued by key {other.key_id}, not by the public key given"
    )


def test_public_key_is_the_library_public_key_file(gateway: Served) -> None:
    response = httpx.get(f"{gateway.base_url}/v1/watermark/public-key", timeout=30)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    # The gateway saved its key with WatermarkKey.save, which writes the .pub file with save_public_key.
    assert response.content == (gateway.folder / "gateway.key.json.pub").read_bytes()
    assert json.loads(response.content)["key_id"] == gateway_key(gateway).key_id


@pytest.mark.parametrize(
    ("path", "body", "param"),
    [
        ("/v1/watermark/detect", {"texts": []}, "texts"),
        ("/v1/watermark/detect", {"texts": [""]}, "texts.0"),
        ("/v1/watermark/detect", {"texts": "just one string"}, "texts"),
        ("/v1/watermark/detect", {"texts": [3]}, "texts.0"),
        ("/v1/watermark/detect", {"texts": ["a"] * 100}, "texts"),
        ("/v1/watermark/detect", {"texts": ["a"], "certify": "yes"}, "certify"),
        ("/v1/watermark/detect", {"texts": ["a"], "gamma": 1.5}, "gamma"),
        ("/v1/watermark/detect", {"texts": ["a"], "z_threshold": 38.5}, "z_threshold"),
        ("/v1/watermark/detect", {"texts": ["a"], "scheme": "rot13"}, "scheme"),
        ("/v1/watermark/detect", {"texts": ["a"], "certfy": True}, "certfy"),
        ("/v1/watermark/detect", {}, "texts"),
        ("/v1/watermark/verify", {"certificate": 42}, "certificate"),
        ("/v1/watermark/verify", {}, "certificate"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(gateway: Served, path: str, body: object, param: str) -> None:
    response = post(gateway, path, body)
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert error["type"] == "invalid_request_error"
    assert error["param"] is not None and error["param"].startswith(param)
    assert error["message"].startswith(param)


def test_a_body_that_is_not_json_is_a_400(gateway: Served) -> None:
    response = httpx.post(
        f"{gateway.base_url}/v1/watermark/detect",
        content=b'{"texts": ["unterminated',
        headers={"content-type": "application/json"},
        timeout=30,
    )
    assert response.status_code == 400
    assert response.json()["error"]["message"] == "the request body is not valid JSON"


def test_a_certificate_that_is_not_json_is_refused(gateway: Served) -> None:
    for certificate in ("not a certificate", {}, {"format": "genguard-watermark-certificate/1"}):
        assert refusal(gateway, {"certificate": certificate}) == (
            "not a well-formed genguard certificate (corrupt or altered)"
        )


@pytest.mark.slow
def test_a_chat_answer_is_certified_and_verified_offline(gateway: Served, tmp_path: Path) -> None:
    """End to end: the official client asks for a chat answer, the gateway watermarks it with its
    key, /v1/watermark/detect certifies it, and the CLI verifies the certificate offline."""
    client = openai.OpenAI(base_url=gateway.v1, api_key="loopback-needs-none", timeout=300)
    chat = client.chat.completions.create(
        model="genguard-default",
        messages=[{"role": "user", "content": "Write a few sentences about rivers."}],
        max_tokens=100,
        temperature=0,
    )
    answer = chat.choices[0].message.content
    watermark = chat.model_extra["genguard"]["watermark"]
    assert (watermark["key_id"], watermark["scheme"]) == (gateway_key(gateway).key_id, "selfhash")
    result = detect(gateway, [answer], certify=True)
    (detection,), (file_text,) = result["detections"], result["certificate_files"]
    assert detection["is_watermarked"], detection["reason"]
    public_key = httpx.get(f"{gateway.base_url}/v1/watermark/public-key", timeout=30).text
    offline = cli_verify(tmp_path, file_text, public_key, answer)
    assert offline.returncode == 0, offline.stdout + offline.stderr
